/**
 * The events of an Order: the facts the Orders service records, in the order they happened.
 * This file is read-only: your code and the tests share these types.
 *
 * An event is `{ type, data }`. `type` tells the events apart, so a `switch (event.type)`
 * narrows `event.data` to the right shape.
 */

export interface OrderLine {
  sku: string;
  /** A whole number, at least 1. */
  quantity: number;
  /** The price of one item, in cents. */
  priceCents: number;
}

export interface OrderPlaced {
  type: 'OrderPlaced';
  data: { orderId: string; customerId: string; lines: OrderLine[]; totalCents: number; currency: string };
}

export interface OrderLineAdded {
  type: 'OrderLineAdded';
  data: OrderLine;
}

export interface OrderLineRemoved {
  type: 'OrderLineRemoved';
  data: { sku: string };
}

export interface OrderPaid {
  type: 'OrderPaid';
  data: { paymentId: string; amountCents: number };
}

export interface OrderShipped {
  type: 'OrderShipped';
  data: { trackingNumber: string };
}

export interface OrderCancelled {
  type: 'OrderCancelled';
  data: { reason: string };
}

export type OrderEvent = OrderPlaced | OrderLineAdded | OrderLineRemoved | OrderPaid | OrderShipped | OrderCancelled;
export type OrderEventType = OrderEvent['type'];

/**
 * The schema version each event type is written with today. OrderPlaced is at 2: the first
 * version of the service wrote it as OrderPlacedV1 below, and those events are still stored.
 */
export const CURRENT_SCHEMA_VERSION: Record<OrderEventType, number> = {
  OrderPlaced: 2,
  OrderLineAdded: 1,
  OrderLineRemoved: 1,
  OrderPaid: 1,
  OrderShipped: 1,
  OrderCancelled: 1,
};

/** The data of an OrderPlaced event at schema version 1: one decimal amount in euros, no lines. */
export interface OrderPlacedV1Data {
  orderId: string;
  customerId: string;
  /** Euros, as a decimal number, e.g. 42.5. */
  amount: number;
}

/** What the store knows about an event besides its type and data. */
export interface EventMetadata {
  streamId: string;
  /** The event's number in its stream: 1 for the first event of a stream, then 2, 3, ... */
  version: number;
  /** The event's place in the whole store, across all streams; it only ever grows. */
  position: number;
  /** The schema version of `data`, after upcasting: always the current one. */
  schemaVersion: number;
  recordedAt: Date;
}

/** An event read back from the store, at the current schema version. */
export type StoredEvent = OrderEvent & EventMetadata;

/** An event as it lies in the events table, before upcasting: any type, any schema version. */
export interface RawEvent {
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
}

/** Turns the data of a `type` event at schema version `fromVersion` into its data at `fromVersion + 1`. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast: (data: Record<string, unknown>) => Record<string, unknown>;
}

/** The stream that holds the events of one order. */
export function orderStream(orderId: string): string {
  return `order-${orderId}`;
}
