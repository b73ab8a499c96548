/**
 * Task 4: idempotency keys, after the IETF httpapi Idempotency-Key draft. A key names one
 * logical operation of one client. Its row is claimed under a unique constraint before the
 * work starts, and the response is stored in the same transaction as the work's side effect,
 * so a crash leaves either both (and a retry replays the response) or neither (and a retry
 * does the work once).
 */
import type { Clock } from 'labkit/clock';
import type { Pg, PgQueries } from 'labkit/db';
import type { Context } from 'labkit/service';
import { KEY_TTL_MS } from './shop.ts';

/** A response as stored for a key, and replayed for its retries. */
export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

export type Claim =
  /** Nobody answered this key yet: do the work, then `store` its answer (or store none, and a retry does it again). */
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  /** The key was first used with another request. */
  | { kind: 'reused' }
  /** The first request with this key is still running. */
  | { kind: 'running' };

export const IDEMPOTENCY_KEYS_SQL = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  client_id     text    NOT NULL,
  key           text    NOT NULL,
  fingerprint   text    NOT NULL,
  first_used_ms bigint  NOT NULL,
  status_code   integer,
  content_type  text,
  body          text,
  PRIMARY KEY (client_id, key)
);`;

/** SHA-256 of a canonical text of the request, so `{"a":1,"b":2}` and `{ "b": 2, "a": 1 }` are the same request. */
export async function fingerprint(canonical: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)));
  return btoa(String.fromCharCode(...digest));
}

export class IdempotencyKeys {
  /**
   * The keys whose first request runs in this instance now. Memory, on purpose: a crash ends
   * those requests and forgets them, so a claim left without a response afterwards is known to
   * be abandoned and its retry takes it over. (With several instances this would be a lease
   * with an expiry in the row.)
   */
  private readonly running = new Set<string>();

  private readonly db: Pg;
  private readonly clock: Clock;

  constructor(db: Pg, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  static async prepare(db: Pg): Promise<void> {
    await db.exec(IDEMPOTENCY_KEYS_SQL);
  }

  async claim(clientId: string, key: string, print: string): Promise<Claim> {
    const id = JSON.stringify([clientId, key]);
    // Checked and set with no await between: two retries arriving together cannot both pass.
    if (this.running.has(id)) return { kind: 'running' };
    this.running.add(id);
    let claim: Claim;
    try {
      const now = this.clock.now();
      claim = await this.db.transaction(async (tx) => {
        await tx.query('DELETE FROM idempotency_keys WHERE client_id = $1 AND key = $2 AND first_used_ms <= $3', [clientId, key, now - KEY_TTL_MS]);
        // The unique key decides who is first; a row that was there already is read back.
        await tx.query(
          `INSERT INTO idempotency_keys (client_id, key, fingerprint, first_used_ms) VALUES ($1, $2, $3, $4)
           ON CONFLICT (client_id, key) DO NOTHING`,
          [clientId, key, print, now],
        );
        const { rows } = await tx.query<{ fingerprint: string; status_code: number | null; content_type: string; body: string }>(
          'SELECT fingerprint, status_code, content_type, body FROM idempotency_keys WHERE client_id = $1 AND key = $2',
          [clientId, key],
        );
        const row = rows[0]!;
        if (row.fingerprint !== print) return { kind: 'reused' } as const;
        if (row.status_code !== null) return { kind: 'replay', response: { status: row.status_code, contentType: row.content_type, body: row.body } } as const;
        // Ours just now, or claimed and never answered by a request that is not running here any
        // more (it failed, or died in a crash): this request does the work.
        return { kind: 'new' } as const;
      });
    } catch (error) {
      this.running.delete(id);
      throw error;
    }
    if (claim.kind !== 'new') this.running.delete(id);
    return claim;
  }

  /** Stores the final response for a claimed key, in the caller's transaction (the one that made the side effect). */
  async store(tx: PgQueries, clientId: string, key: string, response: StoredResponse): Promise<void> {
    await tx.query('UPDATE idempotency_keys SET status_code = $3, content_type = $4, body = $5 WHERE client_id = $1 AND key = $2', [
      clientId,
      key,
      response.status,
      response.contentType,
      response.body,
    ]);
  }

  /** The claiming request has ended, however it ended. */
  finished(clientId: string, key: string): void {
    this.running.delete(JSON.stringify([clientId, key]));
  }
}

/** Answers a stored response as it was first answered: status, media type and body. */
export function replay(c: Context, response: StoredResponse): Response {
  return c.body(response.body, response.status as 201, { 'Content-Type': response.contentType });
}
