/**
 * Given: the shapes the shop's telemetry shares, and where finished spans and log lines go.
 * You read this file; you do not change it.
 */

/** A position in a trace, as the W3C `traceparent` header carries it. */
export interface SpanContext {
  /** 32 lowercase hex digits, not all zeros: the same in every span of one trace. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zeros: this span's own id. */
  readonly spanId: string;
  /** 2 lowercase hex digits; `01` means sampled. */
  readonly flags: string;
}

/** A span that has started: its context plus the span it continues, if any. */
export interface ActiveSpan extends SpanContext {
  /** The caller's or producer's span id; undefined when this span starts a new trace. */
  readonly parentId: string | undefined;
}

/** A finished span, as the recorder keeps it. */
export interface FinishedSpan extends ActiveSpan {
  /** What the span did: `POST /orders`, `consume order-events`. */
  readonly name: string;
  readonly service: string;
  /** Times on the clock the service was given. */
  readonly startMs: number;
  readonly endMs: number;
  readonly status: 'ok' | 'error';
}

/** Collects finished spans: the shop's stand-in for a tracing back end. */
export class SpanRecorder {
  readonly spans: FinishedSpan[] = [];

  record(span: FinishedSpan): void {
    this.spans.push(span);
  }
}

/** Random lowercase hex digits from the platform's random source: `randomHex(16)` is a trace id. */
export function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (value) => value.toString(16).padStart(2, '0')).join('');
}

/**
 * The upper bounds, in milliseconds, of the latency histogram's buckets. A bucket counts every
 * observation at or below its bound (`le`, "less than or equal"), Prometheus-style; the last
 * bucket, `Infinity`, counts them all.
 */
export const BUCKET_BOUNDS_MS: readonly number[] = Object.freeze([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, Infinity]);

/**
 * Keys that hold personal data wherever they appear in a log line's fields, compared without
 * regard to case: their values never reach a log.
 */
export const PERSONAL_KEYS: readonly string[] = Object.freeze(['email', 'name', 'customername', 'fullname', 'phone', 'address']);

/** What a logger writes to: one JSON object per line, as a string. */
export type LogSink = (line: string) => void;
