/**
 * Task 4: consumer lag over an event log whose positions have gaps, and a consistency checker
 * that compares Orders, Payments and Inventory behind a watermark.
 */

/** One event of Orders' event log: positions grow but skip numbers. */
export interface LoggedEvent {
  position: number;
  /** When it was recorded: an ISO 8601 time with its offset, such as 2026-03-29T03:15:00+02:00. */
  recordedAt: string;
}

export interface Lag {
  /** Events after the checkpoint, counted. */
  events: number;
  /** The age in milliseconds of the oldest event after the checkpoint, at `now`; 0 when there is none. */
  ageMs: number;
}

/**
 * How far a consumer whose checkpoint is `checkpoint` (the position of the last event it
 * handled; null before its first) is behind `log` at time `now` (epoch milliseconds).
 */
export function consumerLag(log: readonly LoggedEvent[], checkpoint: number | null, now: number): Lag {
  // TODO: count the events after the checkpoint and find the oldest of them (README, task 4).
  void log;
  void checkpoint;
  void now;
  return { events: 0, ageMs: 0 };
}

/** Orders' export: one row per order. */
export interface OrderRecord {
  orderId: string;
  status: 'placed' | 'paid' | 'shipped' | 'cancelled';
  totalCents: number;
  updatedAt: string;
}

/** Payments' export: an order can have several payments (a failed try, then a capture). */
export interface PaymentRecord {
  paymentId: string;
  orderId: string;
  status: 'authorized' | 'captured' | 'refunded' | 'failed';
  amountCents: number;
  updatedAt: string;
}

/** Inventory's export: one reservation per order and SKU. */
export interface ReservationRecord {
  orderId: string;
  sku: string;
  status: 'reserved' | 'released' | 'consumed';
  updatedAt: string;
}

export type Invariant =
  /** A paid order has a captured payment for its total. */
  | 'paid-order-captured'
  /** A cancelled order has no captured payment and no reservation still reserved. */
  | 'cancelled-order-released'
  /** A shipped order has a consumed reservation. */
  | 'shipped-order-consumed';

export interface Divergence {
  invariant: Invariant;
  orderId: string;
}

export interface ShopExports {
  orders: readonly OrderRecord[];
  payments: readonly PaymentRecord[];
  reservations: readonly ReservationRecord[];
}

/**
 * The settled orders whose services disagree. An order is settled when it and every payment and
 * reservation of it were last updated at or before `watermark` (an ISO time): anything newer may
 * still be in flight and is not compared.
 */
export function checkConsistency(exports: ShopExports, watermark: string): Divergence[] {
  // TODO: compare the settled orders with their payments and reservations.
  void exports;
  void watermark;
  return [];
}

/** How many divergences per invariant: the numbers to export as metrics and alert on. */
export function countByInvariant(divergences: readonly Divergence[]): Record<Invariant, number> {
  // TODO: one count per invariant, 0 where none diverged.
  throw new Error(`countByInvariant(${divergences.length} divergences): not implemented yet (task 4)`);
}
