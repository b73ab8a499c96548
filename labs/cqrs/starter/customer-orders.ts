/**
 * Tasks 2 and 3: the projector that keeps "My orders" (customer_orders, in SQLite) up to date
 * from the write model's change feed, with its checkpoint in the same SQLite transaction.
 */
import type { Pg, Sqlite } from 'labkit/db';
import { CUSTOMER_ORDERS, CUSTOMER_ORDERS_DDL, DEFAULT_BATCH_SIZE } from './orders-types.ts';

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

  /** One batch of at most batchSize changes after the checkpoint; answers how many it held (0 when caught up). */
  async step(): Promise<number> {
    // TODO (task 2): read the changes after the checkpoint from orders.order_changes (through this.reader),
    // load the current state of the orders they mention, and write the rows and the new checkpoint
    // in one transaction of this.store, never putting an older version of an order back.
    void this.reader;
    void this.batchSize;
    return 0;
  }

  /** Runs batches until none is left; answers how many changes they held. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (let n = await this.step(); n > 0; n = await this.step()) total += n;
    return total;
  }

  /** Empties the view and builds it again from position 0. */
  async rebuild(): Promise<void> {
    // TODO (task 3): start the view over from position 0, so that it equals the write model again.
  }
}
