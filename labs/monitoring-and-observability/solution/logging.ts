/**
 * Task 5: structured logs. One JSON object per line, with the trace id of the work it belongs
 * to, and no personal data anywhere in it.
 */
import type { Clock } from 'labkit/clock';
import { PERSONAL_KEYS, type LogSink, type SpanContext } from './telemetry.ts';

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  /** `error` may be anything thrown; an Error is written as { name, message, cause? }. */
  error(message: string, error: unknown, fields?: LogFields): void;
  /** A logger whose lines carry `span`'s traceId and spanId. */
  withSpan(span: SpanContext): Logger;
}

// Local part, @, domain with a dot: enough to catch an address inside free text.
const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+/gu;

/** A copy of `value` that is safe to log. */
function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(EMAIL, '[email]');
  // JSON.stringify writes an Error as {}: its name and message are not own enumerable keys.
  if (value instanceof Error) return { name: value.name, message: clean(value.message), cause: clean(value.cause) };
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = PERSONAL_KEYS.includes(key.toLowerCase()) ? '[redacted]' : clean(inner);
  }
  return out;
}

/** A logger for `service` that writes to `sink`, with times from `clock` in UTC. */
export function createLogger(service: string, sink: LogSink, clock: Clock, span?: SpanContext): Logger {
  const write = (level: 'info' | 'error', message: string, fields: LogFields | undefined, error?: unknown) => {
    // Keys whose value is undefined (no span, no fields, no error) are left out by JSON.stringify.
    const line = {
      time: new Date(clock.now()).toISOString(),
      level,
      service,
      message: clean(message),
      traceId: span?.traceId,
      spanId: span?.spanId,
      fields: clean(fields),
      error: clean(error),
    };
    sink(JSON.stringify(line));
  };
  return {
    info: (message, fields) => write('info', message, fields),
    error: (message, error, fields) => write('error', message, fields, error),
    withSpan: (next) => createLogger(service, sink, clock, next),
  };
}
