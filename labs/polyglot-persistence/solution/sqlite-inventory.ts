import type { Sqlite } from 'labkit/db';
import { MAX_INT, type InventoryRepository, type ListOptions, type StockItem, type Warehouse } from './inventory-repository.ts';

interface ItemRow {
  sku: string;
  name: string;
  warehouse_id: string;
  bin: string | null;
  quantity: number;
  unit_cost_cents: number;
}

/** Inventory's store on SQLite (sql.js), for the warehouse scanners. */
export class SqliteInventory implements InventoryRepository {
  private readonly db: Sqlite;

  constructor(db: Sqlite) {
    this.db = db;
  }

  async init(): Promise<void> {
    // Foreign keys are off by default in SQLite, and the setting belongs to the connection, not
    // the file: it is set on every open, before anything else.
    this.db.exec('PRAGMA foreign_keys = ON');
    // STRICT: without it an INTEGER column keeps 'abc' as text and 2.5 as a real (type affinity).
    // name_folded holds toLowerCase() of the name: SQLite's lower() and LIKE fold ASCII only.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS warehouses (
        id   TEXT PRIMARY KEY,
        name TEXT NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS stock_items (
        sku             TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        name_folded     TEXT NOT NULL,
        warehouse_id    TEXT NOT NULL REFERENCES warehouses (id),
        bin             TEXT,
        quantity        INTEGER NOT NULL CHECK (quantity BETWEEN 0 AND ${MAX_INT}),
        unit_cost_cents INTEGER NOT NULL CHECK (unit_cost_cents BETWEEN 0 AND ${MAX_INT})
      ) STRICT;`);
  }

  async addWarehouse(warehouse: Warehouse): Promise<void> {
    this.db.run('INSERT INTO warehouses (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [warehouse.id, warehouse.name]);
  }

  async put(item: StockItem): Promise<void> {
    this.db.run(
      `INSERT INTO stock_items (sku, name, name_folded, warehouse_id, bin, quantity, unit_cost_cents)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (sku) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded,
         warehouse_id = excluded.warehouse_id, bin = excluded.bin, quantity = excluded.quantity,
         unit_cost_cents = excluded.unit_cost_cents`,
      [item.sku, item.name, item.name.toLowerCase(), item.warehouseId, item.bin, item.quantity, item.unitCostCents],
    );
  }

  async get(sku: string): Promise<StockItem | undefined> {
    const row = this.db.get<ItemRow>('SELECT * FROM stock_items WHERE sku = ?', [sku]);
    return row ? toItem(row) : undefined;
  }

  async list(options: ListOptions = {}): Promise<StockItem[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (options.nameContains !== undefined) {
      // instr() compares characters exactly: no wildcards to escape.
      where.push('instr(name_folded, ?) > 0');
      params.push(options.nameContains.toLowerCase());
    }
    if (options.warehouseId !== undefined) {
      where.push('warehouse_id = ?');
      params.push(options.warehouseId);
    }
    const rows = this.db.all<ItemRow>(
      `SELECT * FROM stock_items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY bin ASC NULLS LAST, sku ASC`,
      params,
    );
    return rows.map(toItem);
  }

  async remove(sku: string): Promise<boolean> {
    return this.db.run('DELETE FROM stock_items WHERE sku = ?', [sku]).changes === 1;
  }

  async totalValueCents(warehouseId?: string): Promise<number> {
    // SQLite's integers are 64-bit: the products and the sum stay exact.
    const row = warehouseId === undefined
      ? this.db.get<{ total: number }>('SELECT coalesce(sum(quantity * unit_cost_cents), 0) AS total FROM stock_items')
      : this.db.get<{ total: number }>('SELECT coalesce(sum(quantity * unit_cost_cents), 0) AS total FROM stock_items WHERE warehouse_id = ?', [warehouseId]);
    return Number(row?.total ?? 0);
  }
}

function toItem(row: ItemRow): StockItem {
  return { sku: row.sku, name: row.name, warehouseId: row.warehouse_id, bin: row.bin, quantity: row.quantity, unitCostCents: row.unit_cost_cents };
}
