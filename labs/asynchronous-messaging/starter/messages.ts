/**
 * What the services of this lab say to each other: the topic, the event types and their
 * payloads, the shape of a message on the wire, and the numbers the rules use. Read-only.
 */
import type { PgQueries } from 'labkit/db';

/** The topic Orders publishes on; Notifications and Analytics each read it as a consumer group. */
export const TOPIC = 'order-events';

/** How long a relay's claim on outbox rows lasts: 30 s on the clock. */
export const LEASE_MS = 30_000;

/** How many rows one relay round claims at most, unless the relay is given another batch size. */
export const BATCH_SIZE = 10;

/** Published outbox rows are deleted once they were published at least this long ago: 7 days. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** Attempts a consumer makes on one message before it goes to the dead-letter queue. */
export const MAX_ATTEMPTS = 5;

/** The ceiling of the first retry's delay; it doubles with each further attempt. */
export const RETRY_BASE_MS = 200;

/** No retry ever waits longer than this. */
export const RETRY_CAP_MS = 10_000;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface OrderPlaced {
  orderId: number;
  customerId: string;
  totalCents: number;
  /** When the order was placed, ISO 8601 in UTC: "2026-03-02T23:30:00.000Z". */
  placedAt: string;
}

export interface OrderCancelled {
  orderId: number;
  reason: string;
  /** ISO 8601 in UTC. */
  cancelledAt: string;
}

export type OrderEventType = 'OrderPlaced' | 'OrderCancelled';

/** The message key of an order's events: all of them go in order, one key per order. */
export function orderKey(orderId: number): string {
  return `order-${orderId}`;
}

/**
 * One message as the relay hands it to the broker: the outbox row's `message_id` as `id`,
 * its `message_key` as `key`, its `type` in the `type` header, and its `payload` as it is.
 */
export interface OutgoingEvent {
  id: string;
  key: string;
  headers: { type: string };
  payload: Json;
}

/**
 * Hands one message to the broker. It resolves once the broker has it; it rejects when the
 * broker did not confirm (it may or may not have it then).
 */
export type Publisher = (topic: string, message: OutgoingEvent) => Promise<void>;

/** A message as a consumer's handler sees it. */
export interface DeliveredEvent {
  messageId: string;
  key: string;
  type: string;
  payload: Json;
}

/**
 * Applies one event to a service's tables through `tx`, the transaction the consumer opened.
 * It may throw: a handler that fails is retried, and its writes are rolled back with `tx`.
 */
export type EventHandler = (tx: PgQueries, event: DeliveredEvent) => Promise<void>;

/** A consumer's handlers, by event type. A type without a handler is unknown to the consumer. */
export type Handlers = Readonly<Record<string, EventHandler>>;

/** A message a consumer gave up on, as `deadLetters()` returns it. Times are clock milliseconds. */
export interface DeadLetter {
  messageId: string;
  key: string;
  type: string;
  payload: Json;
  /** The last attempt's error message. */
  error: string;
  /** Attempts made on it, all failed. */
  attempts: number;
  firstFailedAt: number;
  lastFailedAt: number;
}

/** The shop's calendar day of an instant, in Berlin: Analytics counts sales by it. */
export function shopDay(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}
