import type { Sqlite } from 'labkit/db';
import type { InventoryRepository, ListOptions, StockItem, Warehouse } from './inventory-repository.ts';

/** Inventory's store on SQLite (sql.js), for the warehouse scanners. */
export class SqliteInventory implements InventoryRepository {
  private readonly db: Sqlite;

  constructor(db: Sqlite) {
    this.db = db;
  }

  async init(): Promise<void> {
    // TODO (task 1): create warehouses and stock_items (README) if they are missing, so that
    // SQLite refuses what the contract forbids, and set what this connection needs.
    throw new Error(`SqliteInventory.init is not implemented yet (task 1); database: ${typeof this.db}`);
  }

  async addWarehouse(_warehouse: Warehouse): Promise<void> {
    // TODO (task 1): insert the warehouse, or rename it when its id exists.
    throw new Error('SqliteInventory.addWarehouse is not implemented yet (task 1)');
  }

  async put(_item: StockItem): Promise<void> {
    // TODO (task 1): insert or replace the item by sku.
    throw new Error('SqliteInventory.put is not implemented yet (task 1)');
  }

  async get(_sku: string): Promise<StockItem | undefined> {
    // TODO (task 1)
    throw new Error('SqliteInventory.get is not implemented yet (task 1)');
  }

  async list(_options: ListOptions = {}): Promise<StockItem[]> {
    // TODO (task 1): filter by name (any case, any letter) and warehouse; order as the README says.
    throw new Error('SqliteInventory.list is not implemented yet (task 1)');
  }

  async remove(_sku: string): Promise<boolean> {
    // TODO (task 1)
    throw new Error('SqliteInventory.remove is not implemented yet (task 1)');
  }

  async totalValueCents(_warehouseId?: string): Promise<number> {
    // TODO (task 1): the sum of quantity × unit cost, exactly.
    throw new Error('SqliteInventory.totalValueCents is not implemented yet (task 1)');
  }
}
