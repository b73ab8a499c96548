import type { Pg } from 'labkit/db';
import type { Drift, Line, OrderEvent, ProductDay } from './events.ts';

/**
 * Analytics' facts and its incrementally maintained revenue per product per day, on
 * PostgreSQL (the schema "analytics"). README.md, tasks 1 to 4, has the rules.
 */
export class Analytics {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  /** Creates what is missing (order_events, product_day_revenue and any table you need); runs on every start and keeps the rows. */
  async init(): Promise<void> {
    // TODO (task 1): create order_events (event_id text PRIMARY KEY, ...) and the tables you need, IF NOT EXISTS.
    // TODO (task 2): create product_day_revenue, an ordinary table with one row per (product_id, day).
    void this.db;
  }

  /** Stores the event as a fact and applies it; true when the event was new, false for an event id already stored. */
  async ingest(event: OrderEvent): Promise<boolean> {
    // TODO (task 1): store the fact (its id is the duplicate check) and the line's new state, unless the event is late.
    // TODO (task 2): in the same transaction, move the line's contribution out of its old group and into its new one.
    void event;
    return false;
  }

  /** The line as the event with its highest position left it; undefined when removed or unknown. */
  async line(lineId: string): Promise<Line | undefined> {
    // TODO (task 1): read the line's current state.
    void lineId;
    return undefined;
  }

  /** Every row of product_day_revenue, by productId, then day. */
  async productDays(): Promise<ProductDay[]> {
    // TODO (task 2): read product_day_revenue (task 3: with MIN, MAX and the AVG of the coupons).
    return [];
  }

  /** The rows of product_day_revenue that differ from a full recomputation from the facts, on either side. */
  async drift(): Promise<Drift[]> {
    // TODO (task 4): compare the table with a recomputation, with EXCEPT in both directions.
    return [];
  }

  /** Replaces product_day_revenue with a full recomputation from the facts, in one transaction. */
  async rebuild(): Promise<void> {
    // TODO (task 4): delete every row and insert the recomputation, in one transaction.
  }
}
