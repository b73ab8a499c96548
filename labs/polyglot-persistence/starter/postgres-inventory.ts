import type { Pg } from 'labkit/db';
import type { InventoryRepository, ListOptions, StockItem, Warehouse } from './inventory-repository.ts';

/** Inventory's store on PostgreSQL, for the central Inventory service (its own schema and role). */
export class PostgresInventory implements InventoryRepository {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  async init(): Promise<void> {
    // TODO (task 2): create warehouses and stock_items (README) if they are missing, so that
    // PostgreSQL refuses what the contract forbids, and set what this connection needs.
    throw new Error(`PostgresInventory.init is not implemented yet (task 2); database: ${typeof this.db}`);
  }

  async addWarehouse(_warehouse: Warehouse): Promise<void> {
    // TODO (task 2): insert the warehouse, or rename it when its id exists.
    throw new Error('PostgresInventory.addWarehouse is not implemented yet (task 2)');
  }

  async put(_item: StockItem): Promise<void> {
    // TODO (task 2): insert or replace the item by sku.
    throw new Error('PostgresInventory.put is not implemented yet (task 2)');
  }

  async get(_sku: string): Promise<StockItem | undefined> {
    // TODO (task 2)
    throw new Error('PostgresInventory.get is not implemented yet (task 2)');
  }

  async list(_options: ListOptions = {}): Promise<StockItem[]> {
    // TODO (task 2): filter by name (any case, any letter) and warehouse; order as the README says.
    throw new Error('PostgresInventory.list is not implemented yet (task 2)');
  }

  async remove(_sku: string): Promise<boolean> {
    // TODO (task 2)
    throw new Error('PostgresInventory.remove is not implemented yet (task 2)');
  }

  async totalValueCents(_warehouseId?: string): Promise<number> {
    // TODO (task 2): the sum of quantity × unit cost, exactly.
    throw new Error('PostgresInventory.totalValueCents is not implemented yet (task 2)');
  }
}
