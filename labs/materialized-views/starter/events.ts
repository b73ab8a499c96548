/**
 * What Orders publishes about order lines, and the shapes Analytics answers with. Given: read
 * it, do not change it.
 */

/** The business decides, once, in which zone a day starts: an order at 00:30 in Paris is that day's. */
export const BUSINESS_TIME_ZONE = 'Europe/Paris';

/** A line as Orders holds it after the event: every LinePlaced and LineChanged carries all of it. */
export interface LineState {
  orderId: string;
  customerId: string;
  productId: string;
  /** Units, a whole number from 1 to 10 000. */
  quantity: number;
  /** Price of one unit in cents, a whole number from 0 to 10 000 000. */
  unitPriceCents: number;
  /** The coupon's percentage off (1 to 100), or null when the line had no coupon. */
  couponPercent: number | null;
  /** When the order was placed: ISO 8601 with an offset, in whatever zone the checkout ran ("2026-03-31T22:30:00Z", "2026-01-15T23:45:00-05:00"). */
  placedAt: string;
}

interface EventBase {
  /** Unique per event: a redelivery carries the same id. */
  eventId: string;
  /** The event's place in Orders' stream: unique, increasing in the order Orders wrote them, with gaps. */
  position: number;
  lineId: string;
}

/** A line was placed, or changed (product, quantity, price, coupon, even its time after a correction). */
export interface LineWritten extends EventBase {
  type: 'LinePlaced' | 'LineChanged';
  line: LineState;
}

/** A line was removed from its order. */
export interface LineRemoved extends EventBase {
  type: 'LineRemoved';
}

export type OrderEvent = LineWritten | LineRemoved;

/** A line as Analytics knows it: from the event with the highest position for that line. */
export interface Line {
  lineId: string;
  customerId: string;
  productId: string;
  quantity: number;
  unitPriceCents: number;
  couponPercent: number | null;
  /** The day the order was placed, in BUSINESS_TIME_ZONE: "YYYY-MM-DD". */
  day: string;
  /** The position of the event this state comes from. */
  position: number;
}

/** One row of revenue per product per day, over the live lines of that product placed that day. */
export interface ProductDay {
  productId: string;
  /** "YYYY-MM-DD" in BUSINESS_TIME_ZONE. */
  day: string;
  /** Sum of quantity × unitPriceCents. */
  revenueCents: number;
  /** Sum of quantity. */
  units: number;
  /** How many lines. */
  lines: number;
  minUnitPriceCents: number;
  maxUnitPriceCents: number;
  /** Average couponPercent over the lines that had a coupon; null when none had one. */
  avgCouponPercent: number | null;
}

/** Which side of the check a differing row is on, as the lesson's EXCEPT query names them. */
export type DriftSide = 'only in incremental' | 'only in recomputed';

/** A row of product_day_revenue that differs from a recomputation from the facts. */
export interface Drift {
  side: DriftSide;
  productId: string;
  day: string;
}

/** One row of the report: a customer's revenue in one month (BUSINESS_TIME_ZONE). */
export interface CustomerMonth {
  customerId: string;
  /** "YYYY-MM". */
  month: string;
  revenueCents: number;
  lines: number;
}

/** How far the materialized view is behind the facts Analytics holds. */
export interface Lag {
  /** The highest position among the stored facts; 0 when there are none. */
  sourcePosition: number;
  /** The highest position among the facts the view includes (as of its last refresh); 0 when none. */
  viewPosition: number;
  /** sourcePosition − viewPosition: positions have gaps, so this is not a count of events. */
  positionsBehind: number;
  /** How many stored facts the view does not include yet, late ones included. */
  eventsBehind: number;
}
