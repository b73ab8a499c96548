/**
 * Tasks 2 and 3: the projector that keeps "My orders" (customer_orders, in SQLite) up to date
 * from the write model's change feed, with its checkpoint in the same SQLite transaction.
 */
import type { Pg, Sqlite } from 'labkit/db';
import { CUSTOMER_ORDERS, CUSTOMER_ORDERS_DDL, DEFAULT_BATCH_SIZE } from './orders-types.ts';

interface OrderState {
  id: number;
  customer_id: string;
  status: string;
  placed_at: Date;
  version: number;
  item_count: number | string;
  /** A sum of bigint is numeric, which arrives as a string. */
  total_cents: number | string;
}

export class CustomerOrdersProjector {
  private readonly reader: Pg;
  private readonly store: Sqlite;
  private readonly batchSize: number;

  /** `reader` is PostgreSQL as the read role (SELECT on schema orders); `store` is the read store. */
  constructor(reader: Pg, store: Sqlite, options: { batchSize?: number } = {}) {
    this.reader = reader;
    this.store = store;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  /** Creates the read store's tables if missing, and the checkpoint row at 0 if it has none. */
  init(): void {
    this.store.exec(CUSTOMER_ORDERS_DDL);
    this.store.run('INSERT OR IGNORE INTO checkpoints (projector, position) VALUES (?, 0)', [CUSTOMER_ORDERS]);
  }

  /** The last position the view includes. */
  position(): number {
    return this.store.get<{ position: number }>('SELECT position FROM checkpoints WHERE projector = ?', [CUSTOMER_ORDERS])!.position;
  }

  /**
   * One batch: the changes after the checkpoint (at most batchSize), the current state of the
   * orders they mention, then rows and checkpoint in one SQLite transaction. Answers how many
   * changes the batch held (0 when the view is caught up).
   */
  async step(): Promise<number> {
    const at = this.position();
    const { rows: changes } = await this.reader.query<{ position: string | number; order_id: number }>(
      'SELECT position, order_id FROM orders.order_changes WHERE position > $1 ORDER BY position LIMIT $2',
      [at, this.batchSize],
    );
    if (changes.length === 0) return 0;
    const ids = [...new Set(changes.map((c) => c.order_id))];
    // The current state, which may be newer than the batch: rows may run ahead of the checkpoint, never behind it.
    const { rows: orders } = await this.reader.query<OrderState>(
      `SELECT o.id, o.customer_id, o.status, o.placed_at, o.version,
              sum(l.qty) AS item_count, sum(l.qty::bigint * l.price_cents) AS total_cents
         FROM orders.orders o JOIN orders.order_lines l ON l.order_id = o.id
        WHERE o.id = ANY($1) GROUP BY o.id`,
      [ids],
    );
    const upTo = Number(changes[changes.length - 1]!.position);
    this.store.transaction(() => {
      for (const o of orders) {
        // The version guard: an overlapping or repeated batch never puts an older state back.
        this.store.run(
          `INSERT INTO customer_orders (order_id, customer_id, status, item_count, total_cents, placed_at, version)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (order_id) DO UPDATE SET
             status = excluded.status, item_count = excluded.item_count, total_cents = excluded.total_cents, version = excluded.version
           WHERE excluded.version > customer_orders.version`,
          [o.id, o.customer_id, o.status, Number(o.item_count), Number(o.total_cents), o.placed_at.toISOString(), o.version],
        );
      }
      // max(): an instance that read an older batch never moves the checkpoint back.
      this.store.run('UPDATE checkpoints SET position = max(position, ?) WHERE projector = ?', [upTo, CUSTOMER_ORDERS]);
    });
    return changes.length;
  }

  /** Runs batches until none is left; answers how many changes they held. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (let n = await this.step(); n > 0; n = await this.step()) total += n;
    return total;
  }

  /** Task 3: empties the view and rewinds the checkpoint in one transaction, then catches up from position 0. */
  async rebuild(): Promise<void> {
    this.store.transaction(() => {
      this.store.run('DELETE FROM customer_orders');
      this.store.run('UPDATE checkpoints SET position = 0 WHERE projector = ?', [CUSTOMER_ORDERS]);
    });
    await this.catchUp();
  }
}
