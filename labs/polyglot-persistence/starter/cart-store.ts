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

/** The storefront's carts, a key-value store on SQLite, by session id. Times are the clock's milliseconds. */
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
    // TODO (task 5): the carts table of the README, if it is missing.
    void [this.db, this.clock, this.ttlMs];
  }

  save(_sessionId: string, _cart: Cart): void {
    // TODO (task 5): store the cart and when it expires. (Nothing is stored yet.)
  }

  /** The cart, or undefined when there is none or it has expired. */
  load(_sessionId: string): Cart | undefined {
    // TODO (task 5): the stored cart while it is live.
    return undefined;
  }

  /** Extends a live cart; false, changing nothing, when it is missing or expired. */
  renew(_sessionId: string): boolean {
    // TODO (task 5)
    return false;
  }

  /** Deletes every expired cart; returns how many. */
  sweep(): number {
    // TODO (task 5)
    return 0;
  }
}
