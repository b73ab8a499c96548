/**
 * Task 2: the trace through the outbox, the relay, the bus, retries and the dead-letter queue.
 */
import type { Bus, DeadLetter, DeliveryContext, Handler } from 'labkit/bus';
import type { Clock } from 'labkit/clock';
import type { Sqlite } from 'labkit/db';
import { continueTrace, formatTraceparent } from './trace-context.ts';
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
  db.run('INSERT INTO outbox (topic, message_key, payload, traceparent) VALUES (?, ?, ?, ?)', [
    event.topic,
    event.key,
    JSON.stringify(event.payload),
    formatTraceparent(span),
  ]);
}

interface OutboxRow {
  id: number;
  topic: string;
  message_key: string;
  payload: string;
  traceparent: string | null;
}

/**
 * Publishes every unpublished outbox row, oldest first, with the traceparent stored in the row
 * as a header (the relay's own context is not the cause of the message), and marks it published.
 * Returns how many rows it published.
 */
export function relayOnce(db: Sqlite, bus: Bus, now: number): number {
  const rows = db.all<OutboxRow>('SELECT id, topic, message_key, payload, traceparent FROM outbox WHERE published_at IS NULL ORDER BY id');
  for (const row of rows) {
    bus.publish(row.topic, {
      id: `outbox-${row.id}`,
      key: row.message_key,
      payload: JSON.parse(row.payload),
      headers: row.traceparent === null ? {} : { traceparent: row.traceparent },
    });
    db.run('UPDATE outbox SET published_at = ? WHERE id = ?', [now, row.id]);
  }
  return rows.length;
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
  return async (payload, context) => {
    const span = continueTrace(context.headers['traceparent']);
    const startMs = options.clock.now();
    let status: 'ok' | 'error' = 'error';
    try {
      await handle(payload, span, context);
      status = 'ok';
    } finally {
      options.recorder.record({ ...span, name: `consume ${context.topic}`, service: options.service, startMs, endMs: options.clock.now(), status });
    }
  };
}

/**
 * Publishes a dead-lettered message again, to its topic, as it was: the same id, key, payload
 * and headers, so the trace it belongs to goes on. Returns the id it was published with.
 */
export function redrive(bus: Bus, dead: DeadLetter): string {
  const { message } = dead;
  return bus.publish(message.topic, { id: message.id, key: message.key, payload: message.payload, headers: { ...message.headers } });
}
