/**
 * An idempotent consumer: an inbox absorbs duplicates, failing messages are retried with
 * exponential backoff and full jitter, a message that keeps failing goes to the dead-letter
 * queue and parks its key, and a redrive sends it, and the messages parked behind it, through
 * again with their original ids.
 */
import type { Clock } from 'labkit/clock';
import type { Pg, PgQueries } from 'labkit/db';
import { SimulatedCrash } from 'labkit/faults';
import { MAX_ATTEMPTS, RETRY_BASE_MS, RETRY_CAP_MS, type DeadLetter, type DeliveredEvent, type EventHandler, type Handlers, type Json } from './messages.ts';

/**
 * The wait after failed attempt `attempt` (1 for the first): anywhere from 0 up to
 * min(RETRY_CAP_MS, RETRY_BASE_MS × 2^(attempt − 1)), drawn from `random`.
 */
export function retryDelayMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
  return random() * ceiling;
}

export interface ConsumerOptions {
  /** The consumer's name: its consumer group on the bus, and its rows in the tables. */
  name: string;
  /** The service's schema, with the tables of createConsumerTables. */
  db: Pg;
  clock: Clock;
  /** Where the jitter comes from: a seeded generator in the tests. */
  random: () => number;
  handlers: Handlers;
}

interface StoredRow {
  message_id: string;
  message_key: string;
  type: string;
  payload: Json;
}

/** What one try of a message came to. */
type Outcome = 'processed' | 'parked';

export class Consumer {
  readonly name: string;
  private readonly db: Pg;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly handlers: Handlers;

  constructor(options: ConsumerOptions) {
    this.name = options.name;
    this.db = options.db;
    this.clock = options.clock;
    this.random = options.random;
    this.handlers = options.handlers;
  }

  /** The bus's handler. Resolves when the message is processed, dead-lettered or parked, so the bus can forget it. */
  async receive(payload: unknown, context: { messageId: string; key: string | undefined; headers: Readonly<Record<string, string>> }): Promise<void> {
    const event: DeliveredEvent = { messageId: context.messageId, key: context.key ?? '', type: context.headers.type ?? '', payload: payload as Json };
    await this.deliver(event, { checkParked: true });
  }

  /** The messages this consumer gave up on, oldest failure first. */
  async deadLetters(): Promise<DeadLetter[]> {
    const { rows } = await this.db.query<StoredRow & { error: string; attempts: number; first_failed_at: Date; last_failed_at: Date }>(
      'SELECT * FROM dead_letters WHERE consumer = $1 ORDER BY first_failed_at, message_id',
      [this.name],
    );
    return rows.map((r) => ({
      messageId: r.message_id,
      key: r.message_key,
      type: r.type,
      payload: r.payload,
      error: r.error,
      attempts: r.attempts,
      firstFailedAt: new Date(r.first_failed_at).getTime(),
      lastFailedAt: new Date(r.last_failed_at).getTime(),
    }));
  }

  /**
   * Sends a dead letter through again with its id, then the messages parked behind it in
   * arrival order. Each gets the usual attempts; one that fails to the end becomes its key's
   * dead letter and the rest stay parked. Resolves to false for an id that is not a dead letter.
   */
  async redrive(messageId: string): Promise<boolean> {
    const { rows } = await this.db.query<StoredRow>('SELECT message_id, message_key, type, payload FROM dead_letters WHERE consumer = $1 AND message_id = $2', [this.name, messageId]);
    const dead = rows[0];
    if (!dead) return false;
    const done = await this.deliver(eventOf(dead), {
      checkParked: false,
      also: (tx) => tx.query('DELETE FROM dead_letters WHERE consumer = $1 AND message_id = $2', [this.name, messageId]),
    });
    if (!done) return true;
    for (;;) {
      const { rows: next } = await this.db.query<StoredRow & { seq: string }>(
        'SELECT seq, message_id, message_key, type, payload FROM parked WHERE consumer = $1 AND message_key = $2 ORDER BY seq LIMIT 1',
        [this.name, dead.message_key],
      );
      const row = next[0];
      if (!row) return true;
      const ok = await this.deliver(eventOf(row), {
        checkParked: false,
        also: (tx) => tx.query('DELETE FROM parked WHERE seq = $1', [row.seq]),
      });
      if (!ok) return true;
    }
  }

  /**
   * Tries a message until it is processed (true) or dead-lettered (false). `also` runs in the
   * transaction that processes it (taking it out of the dead letters or the parked messages).
   */
  private async deliver(event: DeliveredEvent, options: { checkParked: boolean; also?: (tx: PgQueries) => Promise<unknown> }): Promise<boolean> {
    const handler = this.handlers[event.type];
    if (!handler) {
      // A permanent failure: no retry will teach this consumer the type. Kept, never dropped.
      if (options.checkParked && (await this.parkIfHeld(event))) return false;
      await this.deadLetter(event, `unknown event type "${event.type}": this consumer has no handler for it`, 1, this.clock.now(), options.also);
      return false;
    }
    let firstFailedAt = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.tryOnce(event, handler, options.checkParked, options.also);
        return outcome === 'processed';
      } catch (error) {
        // A crash is the process dying, not the message failing: the bus delivers it again.
        if (error instanceof SimulatedCrash) throw error;
        if (attempt === 1) firstFailedAt = this.clock.now();
        if (attempt >= MAX_ATTEMPTS) {
          await this.deadLetter(event, messageOf(error), attempt, firstFailedAt, options.also);
          return false;
        }
        await this.clock.sleep(retryDelayMs(attempt, this.random));
      }
    }
  }

  /** One transaction: park behind a dead letter, or record the id in the inbox and apply the event once. */
  private async tryOnce(event: DeliveredEvent, handler: EventHandler, checkParked: boolean, also?: (tx: PgQueries) => Promise<unknown>): Promise<Outcome> {
    return this.db.transaction(async (tx) => {
      if (checkParked && (await this.park(tx, event))) return 'parked';
      const { affectedRows } = await tx.query(
        'INSERT INTO inbox (consumer, message_id, processed_at) VALUES ($1, $2, $3) ON CONFLICT (consumer, message_id) DO NOTHING',
        [this.name, event.messageId, new Date(this.clock.now())],
      );
      // Seen before: a duplicate is acknowledged and has no effect.
      if (affectedRows === 1) await handler(tx, event);
      await also?.(tx);
      return 'processed';
    });
  }

  private parkIfHeld(event: DeliveredEvent): Promise<boolean> {
    return this.db.transaction((tx) => this.park(tx, event));
  }

  /** A key with a dead letter, or with messages already parked, is parked: the message waits behind them. */
  private async park(tx: PgQueries, event: DeliveredEvent): Promise<boolean> {
    const { rows } = await tx.query(
      `SELECT 1 FROM dead_letters WHERE consumer = $1 AND message_key = $2
       UNION ALL SELECT 1 FROM parked WHERE consumer = $1 AND message_key = $2 LIMIT 1`,
      [this.name, event.key],
    );
    if (rows.length === 0) return false;
    await tx.query(
      `INSERT INTO parked (consumer, message_id, message_key, type, payload, parked_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (consumer, message_id) DO NOTHING`,
      [this.name, event.messageId, event.key, event.type, event.payload as object, new Date(this.clock.now())],
    );
    return true;
  }

  private async deadLetter(event: DeliveredEvent, error: string, attempts: number, firstFailedAt: number, also?: (tx: PgQueries) => Promise<unknown>): Promise<void> {
    await this.db.transaction(async (tx) => {
      await also?.(tx);
      await tx.query(
        `INSERT INTO dead_letters (consumer, message_id, message_key, type, payload, error, attempts, first_failed_at, last_failed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [this.name, event.messageId, event.key, event.type, event.payload as object, error, attempts, new Date(firstFailedAt), new Date(this.clock.now())],
      );
    });
  }
}

function eventOf(row: StoredRow): DeliveredEvent {
  return { messageId: row.message_id, key: row.message_key, type: row.type, payload: row.payload };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
