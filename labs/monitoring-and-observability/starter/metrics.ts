/**
 * Task 3: RED metrics. Rate, errors and durations per route, durations kept in cumulative
 * histogram buckets so that instances can be added up and percentiles read from the sum.
 */
import type { Clock } from 'labkit/clock';
import type { Context } from 'labkit/service';
import { BUCKET_BOUNDS_MS } from './telemetry.ts';

/** One bucket as Prometheus shows it: how many observations were at or below `le`. */
export interface Bucket {
  le: number;
  count: number;
}

/** A latency histogram over fixed bucket bounds; the last bound is Infinity. */
export class Histogram {
  readonly bounds: readonly number[];
  // TODO: keep what you need to answer count, buckets() and percentile() (README, task 3).

  constructor(bounds: readonly number[] = BUCKET_BOUNDS_MS) {
    this.bounds = bounds;
  }

  /** Counts one observation, in milliseconds. */
  observe(ms: number): void {
    // TODO: count the observation in its bucket.
    void ms;
  }

  /** How many observations in all. */
  get count(): number {
    return 0;
  }

  /** The cumulative buckets, one per bound in order: each counts every observation at or below its `le`. */
  buckets(): Bucket[] {
    throw new Error('Histogram.buckets: not implemented yet (task 3)');
  }

  /** A new histogram holding this one's observations and `other`'s. Refuses histograms with other bounds. */
  merge(other: Histogram): Histogram {
    void other;
    throw new Error('Histogram.merge: not implemented yet (task 3)');
  }

  /** The q-quantile (0.99 for p99) estimated from the buckets, as the README describes. NaN for an empty histogram. */
  percentile(q: number): number {
    throw new Error(`Histogram.percentile(${q}): not implemented yet (task 3)`);
  }
}

/** RED for one route: requests, errors, and latency split by outcome. */
export interface RouteStats {
  requests: number;
  /** Answers with a 5xx status. */
  errors: number;
  /** Latency of the answers that were not errors. */
  durations: Histogram;
  /** Latency of the 5xx answers, kept apart. */
  errorDurations: Histogram;
}

/** RED metrics of one service instance, per route. */
export class RedMetrics {
  /** Counts one answer of `route` (`GET /orders/:id`): its status and how long it took. */
  observe(route: string, status: number, durationMs: number): void {
    // TODO: count the request, the error if it is one, and its duration in the right histogram.
    void route;
    void status;
    void durationMs;
  }

  /** The routes seen so far. */
  routes(): string[] {
    return [];
  }

  /** One route's figures; a route never seen has zero requests and empty histograms. */
  route(route: string): RouteStats {
    void route;
    return { requests: 0, errors: 0, durations: new Histogram(), errorDurations: new Histogram() };
  }

  /** Requests per second of `route` over a window of `windowMs`. */
  rate(route: string, windowMs: number): number {
    void windowMs;
    return this.route(route).requests;
  }
}

/**
 * The metrics of several instances of one service as one: counts added up and histograms
 * merged bucket by bucket, never percentiles averaged.
 */
export function mergeInstances(instances: readonly RedMetrics[]): RedMetrics {
  throw new Error(`mergeInstances(${instances.length} instances): not implemented yet (task 3)`);
}

/** Hono middleware: every answer counted under its route (`POST /payments`), timed on the service's clock. */
export function measure(metrics: RedMetrics, clock: Clock) {
  return async (c: Context, next: () => Promise<void>): Promise<void> => {
    // TODO: time the request on `clock` and count its answer in `metrics` under its route.
    void metrics;
    void clock;
    void c;
    await next();
  };
}
