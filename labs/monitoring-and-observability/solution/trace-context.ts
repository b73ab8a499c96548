/**
 * Task 1: W3C Trace Context. Read a `traceparent` header, continue the trace it names, and
 * carry it on every call a service makes.
 */
import type { Clock } from 'labkit/clock';
import type { Context } from 'labkit/service';
import { randomHex, type ActiveSpan, type SpanContext, type SpanRecorder } from './telemetry.ts';

const HEX = /^[0-9a-f]+$/;

function isHex(value: string, length: number): boolean {
  return value.length === length && HEX.test(value);
}

function isZeros(value: string): boolean {
  return /^0+$/.test(value);
}

/**
 * The span context a `traceparent` header names, or undefined when the header is missing or
 * invalid. Version 00 has exactly four fields; a later version may add fields after the fourth,
 * which are ignored; version ff is invalid.
 */
export function parseTraceparent(header: string | null | undefined): SpanContext | undefined {
  if (typeof header !== 'string') return undefined;
  const parts = header.split('-');
  if (parts.length < 4) return undefined;
  const [version, traceId, spanId, flags] = parts as [string, string, string, string];
  if (!isHex(version, 2) || version === 'ff' || (version === '00' && parts.length !== 4)) return undefined;
  if (!isHex(traceId, 32) || isZeros(traceId) || !isHex(spanId, 16) || isZeros(spanId)) return undefined;
  // Flags may be all zeros ("not sampled"), so they are checked for form only.
  if (!isHex(flags, 2)) return undefined;
  return { traceId, spanId, flags };
}

/** The `traceparent` header (version 00) that hands `span` on as the parent of the next one. */
export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${span.flags}`;
}

/**
 * Starts a span for work caused by `header`: the same trace, a new span id, the caller's span
 * as parent. An invalid or missing header starts a new trace instead of failing the work.
 */
export function continueTrace(header: string | null | undefined): ActiveSpan {
  const parent = parseTraceparent(header);
  if (!parent) return { traceId: randomHex(16), spanId: randomHex(8), parentId: undefined, flags: '01' };
  return { traceId: parent.traceId, spanId: randomHex(8), parentId: parent.spanId, flags: parent.flags };
}

/** The headers an outgoing HTTP call or message carries so that the callee continues `span`. */
export function traceHeaders(span: SpanContext): Record<string, string> {
  return { traceparent: formatTraceparent(span) };
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
    const span = continueTrace(c.req.header('traceparent'));
    c.set('span', span);
    const startMs = options.clock.now();
    await next();
    options.recorder.record({
      ...span,
      name: `${c.req.method} ${c.req.routePath}`,
      service: options.service,
      startMs,
      endMs: options.clock.now(),
      status: c.res.status >= 500 ? 'error' : 'ok',
    });
  };
}
