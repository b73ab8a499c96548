/**
 * An idempotent consumer: an inbox absorbs duplicates, failing messages are retried with
 * exponential backoff and full jitter, a message that keeps failing goes to the dead-letter
 * queue and parks its key, and a redrive sends it, and the messages parked behind it, through
 * again with their original ids.
 */
import type { Clock } from 'labkit/clock';
import type { Pg } from 'labkit/db';
import { MAX_ATTEMPTS, RETRY_BASE_MS, RETRY_CAP_MS, type DeadLetter, type DeliveredEvent, type Handlers, type Json } from './messages.ts';

/**
 * The wait after failed attempt `attempt` (1 for the first): anywhere from 0 up to
 * min(RETRY_CAP_MS, RETRY_BASE_MS × 2^(attempt − 1)), drawn from `random`.
 */
export function retryDelayMs(attempt: number, random: () => number): number {
  // TODO (task 4): full jitter under a doubling ceiling with a cap.
  void [attempt, random, RETRY_BASE_MS, RETRY_CAP_MS];
  return 0;
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
    // TODO (task 3): in one transaction, insert (this.name, event.messageId) into the inbox; only if
    // that inserted a row, run this.handlers[event.type] with the transaction and the event.
    // TODO (task 4): retry a failing handler with retryDelayMs and this.clock.sleep, up to
    // MAX_ATTEMPTS; then store a dead letter. Park the messages of a key that has one.
    // TODO (task 5): a type without a handler goes to the dead letters at once.
    void [event, this.db, this.clock, this.random, this.handlers, MAX_ATTEMPTS];
  }

  /** The messages this consumer gave up on, oldest failure first. */
  async deadLetters(): Promise<DeadLetter[]> {
    // TODO (task 4): read this consumer's rows of dead_letters.
    return [];
  }

  /**
   * Sends a dead letter through again with its id, then the messages parked behind it in
   * arrival order. Resolves to false for an id that is not a dead letter.
   */
  async redrive(messageId: string): Promise<boolean> {
    // TODO (task 4): see the README's rules for redrive.
    void messageId;
    return false;
  }
}
