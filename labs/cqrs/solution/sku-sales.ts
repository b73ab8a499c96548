/**
 * Task 5: a second read model, added later: units and revenue per sku over the orders that are
 * not cancelled, built from the whole history by its own checkpoint while commands go on.
 */
import type { Pg, Sqlite } from 'labkit/db';
import { DEFAULT_BATCH_SIZE, SKU_SALES, SKU_SALES_DDL } from './orders-types.ts';

export class SkuSalesProjector {
  private readonly reader: Pg;
  private readonly store: Sqlite;
  private readonly batchSize: number;

  constructor(reader: Pg, store: Sqlite, options: { batchSize?: number } = {}) {
    this.reader = reader;
    this.store = store;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  init(): void {
    this.store.exec(SKU_SALES_DDL);
    // What each order last contributed: a total cannot be made idempotent by a guard on the total itself.
    this.store.exec('CREATE TABLE IF NOT EXISTS sku_sales_orders (order_id integer PRIMARY KEY, version integer NOT NULL, counted integer NOT NULL)');
    this.store.run('INSERT OR IGNORE INTO checkpoints (projector, position) VALUES (?, 0)', [SKU_SALES]);
  }

  position(): number {
    return this.store.get<{ position: number }>('SELECT position FROM checkpoints WHERE projector = ?', [SKU_SALES])!.position;
  }

  async step(): Promise<number> {
    const at = this.position();
    const { rows: changes } = await this.reader.query<{ position: string | number; order_id: number }>(
      'SELECT position, order_id FROM orders.order_changes WHERE position > $1 ORDER BY position LIMIT $2',
      [at, this.batchSize],
    );
    if (changes.length === 0) return 0;
    const ids = [...new Set(changes.map((c) => c.order_id))];
    const { rows: orders } = await this.reader.query<{ id: number; status: string; version: number }>('SELECT id, status, version FROM orders.orders WHERE id = ANY($1)', [ids]);
    const { rows: lines } = await this.reader.query<{ order_id: number; sku: string; qty: number; price_cents: number }>(
      'SELECT order_id, sku, qty, price_cents FROM orders.order_lines WHERE order_id = ANY($1)',
      [ids],
    );
    const upTo = Number(changes[changes.length - 1]!.position);
    this.store.transaction(() => {
      for (const o of orders) {
        const before = this.store.get<{ version: number; counted: number }>('SELECT version, counted FROM sku_sales_orders WHERE order_id = ?', [o.id]);
        if (before && before.version >= o.version) continue; // already counted at this version or a newer one
        const counts = o.status !== 'cancelled';
        if (counts !== (before?.counted === 1)) {
          const sign = counts ? 1 : -1;
          for (const l of lines) {
            if (l.order_id !== o.id) continue;
            this.store.run(
              `INSERT INTO sku_sales (sku, units, revenue_cents) VALUES (?, ?, ?)
               ON CONFLICT (sku) DO UPDATE SET units = units + excluded.units, revenue_cents = revenue_cents + excluded.revenue_cents`,
              [l.sku, sign * l.qty, sign * l.qty * l.price_cents],
            );
          }
        }
        this.store.run(
          `INSERT INTO sku_sales_orders (order_id, version, counted) VALUES (?, ?, ?)
           ON CONFLICT (order_id) DO UPDATE SET version = excluded.version, counted = excluded.counted`,
          [o.id, o.version, counts ? 1 : 0],
        );
      }
      this.store.run('DELETE FROM sku_sales WHERE units = 0');
      this.store.run('UPDATE checkpoints SET position = max(position, ?) WHERE projector = ?', [upTo, SKU_SALES]);
    });
    return changes.length;
  }

  async catchUp(): Promise<number> {
    let total = 0;
    for (let n = await this.step(); n > 0; n = await this.step()) total += n;
    return total;
  }
}
