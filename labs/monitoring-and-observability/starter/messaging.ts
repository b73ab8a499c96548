/**
 * Task 2: the trace through the outbox, the relay, the bus, retries and the dead-letter queue.
 */
import type { Bus, DeadLetter, DeliveryContext, Handler } from 'labkit/bus';
import type { Clock } from 'labkit/clock';
import type { Sqlite } from 'labkit/db';
import type { ActiveSpan, SpanContext, SpanRecorder } from './telemetry.ts';

/** An event to publish: its topic, its key (per-key order on the bus) and its payload. */
export interface OutgoingEvent {
  topic: string;
  key: string;
  payload: unknown;
}

/**
 * Adds `event` to the outbox (the table OUTBOX_SCHEMA in shop.ts creates) with the trace context
 * of `span`, the span that caused it. Called inside the caller's transaction.
 */
export function writeOutbox(db: Sqlite, span: SpanContext, event: OutgoingEvent): void {
  // TODO: insert the event into the outbox with the trace context of `span`.
  void db;
  throw new Error(`writeOutbox(${JSON.stringify(event.topic)}): not implemented yet (task 2); span ${JSON.stringify(span)}`);
}

/**
 * Publishes every unpublished outbox row, oldest first, with the traceparent stored in the row
 * as a header (the relay's own context is not the cause of the message), and marks it published.
 * Returns how many rows it published.
 */
export function relayOnce(db: Sqlite, bus: Bus, now: number): number {
  // TODO: publish the unpublished rows, oldest first, with their stored traceparent, and mark them published.
  void db;
  void bus;
  throw new Error(`relayOnce(db, bus, ${now}): not implemented yet (task 2)`);
}

/** What a traced consumer needs: its service's name, where spans go, and its clock. */
export interface ConsumerOptions {
  service: string;
  recorder: SpanRecorder;
  clock: Clock;
}

/**
 * Wraps a message handler so that every delivery runs in a span that continues the message's
 * trace (a child of the producer's span), named `consume <topic>`, recorded with status error
 * when the handler throws. The error is thrown on, so the bus retries or dead-letters.
 */
export function tracedConsumer<P>(options: ConsumerOptions, handle: (payload: P, span: ActiveSpan, context: DeliveryContext) => unknown): Handler<P> {
  // TODO: run each delivery in a span that continues the message's trace, and record it.
  void options;
  void handle;
  return (_payload, context) => {
    throw new Error(`tracedConsumer: not implemented yet (task 2); message ${context.messageId}`);
  };
}

/**
 * Publishes a dead-lettered message again, to its topic, as it was: the same id, key, payload
 * and headers, so the trace it belongs to goes on. Returns the id it was published with.
 */
export function redrive(bus: Bus, dead: DeadLetter): string {
  // TODO: publish the dead letter again, to its topic, as it was.
  void bus;
  throw new Error(`redrive(${dead.message.id}): not implemented yet (task 2)`);
}
