/**
 * The message relay: moves outbox rows to the broker, at least once, in position order per key.
 *
 * PGlite runs one transaction at a time, so a row lock held while the relay talks to the
 * broker could never be seen by a second relay: the relay claims rows with a lease instead
 * (README, task 2).
 */
import type { Clock } from 'labkit/clock';
import type { Pg } from 'labkit/db';
import { BATCH_SIZE, LEASE_MS, OUTBOX_RETENTION_MS, type Publisher } from './messages.ts';

export interface RelayOptions {
  /** The relay instance's name, unique per process: it is written into the rows it claims. */
  name: string;
  /** Orders' schema, where the outbox is. */
  db: Pg;
  clock: Clock;
  publish: Publisher;
  batchSize?: number;
}

export class Relay {
  readonly name: string;
  private readonly db: Pg;
  private readonly clock: Clock;
  private readonly publish: Publisher;
  private readonly batchSize: number;

  constructor(options: RelayOptions) {
    this.name = options.name;
    this.db = options.db;
    this.clock = options.clock;
    this.publish = options.publish;
    this.batchSize = options.batchSize ?? BATCH_SIZE;
  }

  /** One round: claim, publish in position order, mark. Resolves to the number of rows published. */
  async relayOnce(): Promise<number> {
    // TODO (task 2): claim up to batchSize unpublished rows with a lease (lease_owner = this.name,
    // lease_until = now + LEASE_MS) in a transaction of its own, skipping keys another relay holds;
    // publish them in position order through this.publish; then set their published_at.
    void [this.db, this.clock, this.publish, this.batchSize, LEASE_MS];
    return 0;
  }
}

/** Deletes the rows published at least `retentionMs` before `now`; unpublished rows stay, however old. Returns how many it deleted. */
export async function cleanupOutbox(db: Pg, now: number, retentionMs: number = OUTBOX_RETENTION_MS): Promise<number> {
  // TODO (task 5): delete the published rows whose published_at is at least retentionMs before now.
  void [db, now, retentionMs];
  return 0;
}
