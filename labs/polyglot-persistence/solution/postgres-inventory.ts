import type { Pg } from 'labkit/db';
import type { InventoryRepository, ListOptions, StockItem, Warehouse } from './inventory-repository.ts';

interface ItemRow {
  sku: string;
  name: string;
  warehouse_id: string;
  bin: string | null;
  quantity: number;
  unit_cost_cents: number;
}

/** Inventory's store on PostgreSQL, for the central Inventory service (its own schema and role). */
export class PostgresInventory implements InventoryRepository {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  async init(): Promise<void> {
    // PostgreSQL checks types and foreign keys without being asked; integer is 32-bit, so the
    // value of a stock line (quantity × cost) is computed in bigint.
    await this.db.exec(`
      CREATE TABLE IF NOT EXISTS warehouses (
        id   text PRIMARY KEY,
        name text NOT NULL
      );
      CREATE TABLE IF NOT EXISTS stock_items (
        sku             text PRIMARY KEY,
        name            text NOT NULL,
        warehouse_id    text NOT NULL REFERENCES warehouses (id),
        bin             text,
        quantity        integer NOT NULL CHECK (quantity >= 0),
        unit_cost_cents integer NOT NULL CHECK (unit_cost_cents >= 0)
      );`);
  }

  async addWarehouse(warehouse: Warehouse): Promise<void> {
    await this.db.query('INSERT INTO warehouses (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [warehouse.id, warehouse.name]);
  }

  async put(item: StockItem): Promise<void> {
    await this.db.query(
      `INSERT INTO stock_items (sku, name, warehouse_id, bin, quantity, unit_cost_cents)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sku) DO UPDATE SET name = excluded.name, warehouse_id = excluded.warehouse_id,
         bin = excluded.bin, quantity = excluded.quantity, unit_cost_cents = excluded.unit_cost_cents`,
      [item.sku, item.name, item.warehouseId, item.bin, item.quantity, item.unitCostCents],
    );
  }

  async get(sku: string): Promise<StockItem | undefined> {
    const { rows } = await this.db.query<ItemRow>('SELECT * FROM stock_items WHERE sku = $1', [sku]);
    return rows[0] ? toItem(rows[0]) : undefined;
  }

  async list(options: ListOptions = {}): Promise<StockItem[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (options.nameContains !== undefined) {
      // strpos on lower(): no LIKE wildcards to escape; PostgreSQL's lower() folds é as well as E.
      params.push(options.nameContains.toLowerCase());
      where.push(`strpos(lower(name), $${params.length}) > 0`);
    }
    if (options.warehouseId !== undefined) {
      params.push(options.warehouseId);
      where.push(`warehouse_id = $${params.length}`);
    }
    const { rows } = await this.db.query<ItemRow>(
      `SELECT * FROM stock_items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY bin COLLATE "C" ASC NULLS LAST, sku COLLATE "C" ASC`,
      params,
    );
    return rows.map(toItem);
  }

  async remove(sku: string): Promise<boolean> {
    const { affectedRows } = await this.db.query('DELETE FROM stock_items WHERE sku = $1', [sku]);
    return affectedRows === 1;
  }

  async totalValueCents(warehouseId?: string): Promise<number> {
    // sum(bigint) is numeric, which arrives as a string: exact, then a number.
    const { rows } = await this.db.query<{ total: string | number }>(
      `SELECT coalesce(sum(quantity::bigint * unit_cost_cents), 0)::text AS total FROM stock_items
        WHERE $1::text IS NULL OR warehouse_id = $1`,
      [warehouseId ?? null],
    );
    return Number(rows[0]?.total ?? 0);
  }
}

function toItem(row: ItemRow): StockItem {
  return { sku: row.sku, name: row.name, warehouseId: row.warehouse_id, bin: row.bin, quantity: row.quantity, unitCostCents: row.unit_cost_cents };
}
