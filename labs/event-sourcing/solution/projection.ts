import type { Sqlite } from 'labkit/db';
import type { EventStore } from './event-store.ts';
import type { StoredEvent } from './events.ts';

/** The projection's name in the checkpoints table. */
const NAME = 'orders-per-customer';

export interface CustomerOrders {
  customerId: string;
  /** Orders the customer placed, cancelled ones included. */
  placed: number;
  cancelled: number;
}

/**
 * A read model for the customer service desk: how many orders each customer placed and
 * cancelled, in its own SQLite database, fed from the event store.
 */
export class OrdersPerCustomer {
  private readonly store: EventStore;
  private readonly readDb: Sqlite;

  constructor(store: EventStore, readDb: Sqlite) {
    this.store = store;
    this.readDb = readDb;
    // order_customers is the projection's own memory: OrderCancelled does not say whose
    // order it was, so the projection remembers it from OrderPlaced.
    readDb.exec(`
      CREATE TABLE IF NOT EXISTS customer_orders (
        customer_id TEXT PRIMARY KEY,
        placed      INTEGER NOT NULL DEFAULT 0,
        cancelled   INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS order_customers (
        stream_id   TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS checkpoints (
        projection TEXT PRIMARY KEY,
        position   INTEGER NOT NULL
      );
    `);
  }

  /** The global position of the last event this read model includes; 0 before the first. */
  checkpoint(): number {
    return this.readDb.get<{ position: number }>('SELECT position FROM checkpoints WHERE projection = ?', [NAME])?.position ?? 0;
  }

  countFor(customerId: string): CustomerOrders {
    const row = this.readDb.get<{ placed: number; cancelled: number }>('SELECT placed, cancelled FROM customer_orders WHERE customer_id = ?', [customerId]);
    return { customerId, placed: row?.placed ?? 0, cancelled: row?.cancelled ?? 0 };
  }

  /** Every customer with an order, by customer id. */
  all(): CustomerOrders[] {
    return this.readDb.all<CustomerOrders>(
      'SELECT customer_id AS customerId, placed, cancelled FROM customer_orders ORDER BY customer_id',
    );
  }

  /**
   * Applies the events stored since the checkpoint, `batchSize` at a time, and returns how
   * many it applied.
   *
   * Each batch and the checkpoint after it commit in ONE SQLite transaction, so the read
   * model never holds counts without the checkpoint that says they are counted. Were the
   * checkpoint saved separately, a crash between the two would replay the batch on restart
   * and count it twice; saved first, a crash would skip it. This works because the read
   * model and its checkpoint live in the same database; with a read model elsewhere you
   * would make each update idempotent (e.g. remember the last position per row) instead.
   */
  async catchUp(batchSize = 100): Promise<number> {
    let applied = 0;
    for (;;) {
      // The checkpoint is read from the database, not kept in memory, so a new instance
      // (after a crash or a deploy) carries on where the last commit left off.
      const events = await this.store.readAll(this.checkpoint(), batchSize);
      if (events.length === 0) return applied;
      this.readDb.transaction(() => {
        for (const event of events) this.apply(event);
        this.saveCheckpoint(events[events.length - 1]!.position);
      });
      applied += events.length;
    }
  }

  /**
   * Forgets everything and replays the whole store: how a read model is fixed after a bug or
   * given a new column. The clearing commits together with the checkpoint reset, so a crash
   * during the replay leaves a smaller, consistent read model that catchUp completes. While
   * it runs, readers see partial counts; a production rebuild would fill new tables and swap
   * them in when done.
   */
  async rebuild(): Promise<number> {
    this.readDb.transaction(() => {
      this.readDb.run('DELETE FROM customer_orders');
      this.readDb.run('DELETE FROM order_customers');
      this.readDb.run('DELETE FROM checkpoints WHERE projection = ?', [NAME]);
    });
    return this.catchUp();
  }

  private apply(event: StoredEvent): void {
    switch (event.type) {
      case 'OrderPlaced':
        this.readDb.run('INSERT INTO order_customers (stream_id, customer_id) VALUES (?, ?)', [event.streamId, event.data.customerId]);
        this.readDb.run(
          `INSERT INTO customer_orders (customer_id, placed) VALUES (?, 1)
           ON CONFLICT (customer_id) DO UPDATE SET placed = placed + 1`,
          [event.data.customerId],
        );
        break;
      case 'OrderCancelled':
        this.readDb.run(
          `UPDATE customer_orders SET cancelled = cancelled + 1
           WHERE customer_id = (SELECT customer_id FROM order_customers WHERE stream_id = ?)`,
          [event.streamId],
        );
        break;
      default:
      // The other events do not change these counts.
    }
  }

  private saveCheckpoint(position: number): void {
    this.readDb.run(
      `INSERT INTO checkpoints (projection, position) VALUES (?, ?)
       ON CONFLICT (projection) DO UPDATE SET position = excluded.position`,
      [NAME, position],
    );
  }
}
