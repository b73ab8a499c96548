/**
 * Task 5: structured logs. One JSON object per line, with the trace id of the work it belongs
 * to, and no personal data anywhere in it.
 */
import type { Clock } from 'labkit/clock';
import { type LogSink, type SpanContext } from './telemetry.ts';

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  /** `error` may be anything thrown; an Error is written as { name, message, cause? }. */
  error(message: string, error: unknown, fields?: LogFields): void;
  /** A logger whose lines carry `span`'s traceId and spanId. */
  withSpan(span: SpanContext): Logger;
}

/** A logger for `service` that writes to `sink`, with times from `clock` in UTC. */
export function createLogger(service: string, sink: LogSink, clock: Clock, span?: SpanContext): Logger {
  // TODO: write one JSON line per call to `sink`, with the span's ids and no personal data (README, task 5).
  void service;
  void sink;
  void clock;
  void span;
  const logger: Logger = {
    info: () => {},
    error: () => {},
    withSpan: () => logger,
  };
  return logger;
}
