import type { Clock } from 'labkit/clock';
import type { Sqlite } from 'labkit/db';

export interface CartLine {
  sku: string;
  quantity: number;
}

export interface Cart {
  lines: CartLine[];
}

/** How long a cart lives after it was saved or renewed: 30 minutes. */
export const CART_TTL_MS = 30 * 60 * 1000;

/**
 * The storefront's carts, a key-value store on SQLite: read and written by session id, and
 * worthless once they expire. Times are the clock's milliseconds.
 */
export class CartStore {
  private readonly db: Sqlite;
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(db: Sqlite, clock: Clock, ttlMs = CART_TTL_MS) {
    this.db = db;
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  init(): void {
    this.db.exec(`CREATE TABLE IF NOT EXISTS carts (
      session_id TEXT PRIMARY KEY,
      cart       TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    ) STRICT`);
  }

  save(sessionId: string, cart: Cart): void {
    this.db.run(
      'INSERT INTO carts (session_id, cart, expires_at) VALUES (?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET cart = excluded.cart, expires_at = excluded.expires_at',
      [sessionId, JSON.stringify(cart), this.clock.now() + this.ttlMs],
    );
  }

  /** The cart, or undefined when there is none or it has expired (swept or not). */
  load(sessionId: string): Cart | undefined {
    // A cart whose time is up is gone for readers at once; the sweep only reclaims the space.
    const row = this.db.get<{ cart: string }>('SELECT cart FROM carts WHERE session_id = ? AND expires_at > ?', [sessionId, this.clock.now()]);
    return row ? (JSON.parse(row.cart) as Cart) : undefined;
  }

  /** Extends a live cart to now + ttl; false, changing nothing, when it is missing or expired. */
  renew(sessionId: string): boolean {
    const now = this.clock.now();
    return this.db.run('UPDATE carts SET expires_at = ? WHERE session_id = ? AND expires_at > ?', [now + this.ttlMs, sessionId, now]).changes === 1;
  }

  /** Deletes every expired cart; returns how many. */
  sweep(): number {
    return this.db.run('DELETE FROM carts WHERE expires_at <= ?', [this.clock.now()]).changes;
  }
}
