/**
 * The message relay: moves outbox rows to the broker, at least once, in position order per key.
 *
 * PGlite runs one transaction at a time, so a row lock held while the relay talks to the
 * broker (FOR UPDATE SKIP LOCKED across the publish) could never be seen by a second relay.
 * The relay claims rows with a lease instead: a short transaction writes its name and an
 * expiry on the clock into the rows, and commits before anything is published. Another relay
 * skips rows, and whole keys, under a live lease; once the lease has expired, anyone may take
 * the rows over.
 */
import type { Clock } from 'labkit/clock';
import type { Pg } from 'labkit/db';
import { BATCH_SIZE, LEASE_MS, OUTBOX_RETENTION_MS, type Json, type Publisher } from './messages.ts';

export interface RelayOptions {
  /** The relay instance's name, unique per process: it is written into the rows it claims. */
  name: string;
  /** Orders' schema, where the outbox is. */
  db: Pg;
  clock: Clock;
  publish: Publisher;
  batchSize?: number;
}

interface ClaimedRow {
  position: string | number | bigint;
  message_id: string;
  topic: string;
  message_key: string;
  type: string;
  payload: Json;
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
    const rows = await this.claim();
    const sent: ClaimedRow[] = [];
    let failure: unknown;
    for (const row of rows) {
      try {
        await this.publish(row.topic, { id: row.message_id, key: row.message_key, headers: { type: row.type }, payload: row.payload });
      } catch (error) {
        // Stop at the first failure: publishing the rows after it could overtake it within its key.
        failure = error;
        break;
      }
      sent.push(row);
    }
    // Marked only after the broker has them: a crash before this line means they go out again.
    if (sent.length > 0) {
      await this.db.query('UPDATE outbox SET published_at = $2 WHERE position = ANY($1::bigint[])', [sent.map((r) => String(r.position)), new Date(this.clock.now())]);
    }
    if (failure !== undefined) throw failure;
    return sent.length;
  }

  /**
   * Leases the oldest unpublished rows that no other relay holds, skipping every key that has a
   * row under another relay's live lease: that relay may still be publishing it, and a newer
   * row of the same key must not overtake it. Unpublished rows are found by published_at, not
   * by "after the last position": a slow transaction can commit a lower position later.
   */
  private async claim(): Promise<ClaimedRow[]> {
    const now = new Date(this.clock.now());
    const until = new Date(this.clock.now() + LEASE_MS);
    const { rows } = await this.db.query<ClaimedRow>(
      `UPDATE outbox SET lease_owner = $1, lease_until = $3
        WHERE position IN (
          SELECT o.position FROM outbox o
           WHERE o.published_at IS NULL
             AND NOT EXISTS (
               SELECT 1 FROM outbox held
                WHERE held.message_key = o.message_key
                  AND held.published_at IS NULL
                  AND held.lease_owner <> $1
                  AND held.lease_until > $2)
           ORDER BY o.position
           LIMIT $4
           FOR UPDATE SKIP LOCKED)
        RETURNING position, message_id, topic, message_key, type, payload`,
      [this.name, now, until, this.batchSize],
    );
    return rows.sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1));
  }
}

/** Deletes the rows published at least `retentionMs` before `now`; unpublished rows stay, however old. Returns how many it deleted. */
export async function cleanupOutbox(db: Pg, now: number, retentionMs: number = OUTBOX_RETENTION_MS): Promise<number> {
  const { affectedRows } = await db.query('DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at <= $1', [new Date(now - retentionMs)]);
  return affectedRows;
}
