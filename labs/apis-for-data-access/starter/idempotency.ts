/**
 * Task 4: idempotency keys, after the IETF httpapi Idempotency-Key draft. A key names one
 * logical operation of one client; its retries get the first answer back instead of a second
 * order. Shape this file as you like: orders-api.ts is its only user.
 */
import type { Clock } from 'labkit/clock';
import type { Pg } from 'labkit/db';

export class IdempotencyKeys {
  private readonly db: Pg;
  private readonly clock: Clock;

  constructor(db: Pg, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Creates the tables this store needs, if they are not there yet (Orders may restart on a database that has them). */
  static async prepare(db: Pg): Promise<void> {
    // TODO (task 4): CREATE TABLE IF NOT EXISTS ... for the keys.
    void db;
  }

  // TODO (task 4): claim a key, store its answer in the transaction of the order, replay it, release it.
  describe(): string {
    return `idempotency keys on ${typeof this.db} with a clock at ${this.clock.now()}: not written yet (task 4, idempotency.ts)`;
  }
}
