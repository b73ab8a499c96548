/**
 * Task 1: W3C Trace Context. Read a `traceparent` header, continue the trace it names, and
 * carry it on every call a service makes.
 */
import type { Clock } from 'labkit/clock';
import type { Context } from 'labkit/service';
import { type ActiveSpan, type SpanContext, type SpanRecorder } from './telemetry.ts';

/**
 * The span context a `traceparent` header names, or undefined when the header is missing or
 * invalid. Version 00 has exactly four fields; a later version may add fields after the fourth,
 * which are ignored; version ff is invalid.
 */
export function parseTraceparent(header: string | null | undefined): SpanContext | undefined {
  // TODO: split the header into version, trace id, parent id and flags, and check each (README, task 1).
  throw new Error(`parseTraceparent(${JSON.stringify(header)}): not implemented yet (task 1)`);
}

/** The `traceparent` header (version 00) that hands `span` on as the parent of the next one. */
export function formatTraceparent(span: SpanContext): string {
  // TODO: version 00, the trace id, this span's id, the flags.
  throw new Error(`formatTraceparent(${JSON.stringify(span)}): not implemented yet (task 1)`);
}

/**
 * Starts a span for work caused by `header`: the same trace, a new span id, the caller's span
 * as parent. An invalid or missing header starts a new trace instead of failing the work.
 */
export function continueTrace(header: string | null | undefined): ActiveSpan {
  // TODO: the same trace and a new span when the header is valid; a new trace otherwise.
  throw new Error(`continueTrace(${JSON.stringify(header)}): not implemented yet (task 1)`);
}

/** The headers an outgoing HTTP call or message carries so that the callee continues `span`. */
export function traceHeaders(span: SpanContext): Record<string, string> {
  // TODO: the traceparent header that hands `span` on.
  throw new Error(`traceHeaders(${JSON.stringify(span)}): not implemented yet (task 1)`);
}

/** What `tracing` needs: the service's name, where finished spans go, and the clock for their times. */
export interface TracingOptions {
  service: string;
  recorder: SpanRecorder;
  clock: Clock;
}

/**
 * Hono middleware: every request handled in a span of its own, available to handlers as
 * `c.get('span')`, recorded when the answer is ready, named after its route (`POST /orders`).
 */
export function tracing(options: TracingOptions) {
  return async (c: Context, next: () => Promise<void>): Promise<void> => {
    // TODO: start the request's span from its traceparent header, c.set('span', span), and record
    // the finished span, named after the route, once next() has produced the answer.
    void options;
    await next();
  };
}
