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
  // counts[i]: observations that fell in bucket i alone; buckets() adds them up.
  readonly #counts: number[];

  constructor(bounds: readonly number[] = BUCKET_BOUNDS_MS) {
    this.bounds = bounds;
    this.#counts = bounds.map(() => 0);
  }

  /** Counts one observation, in milliseconds. */
  observe(ms: number): void {
    const index = this.bounds.findIndex((bound) => ms <= bound);
    this.#counts[index] = this.#counts[index]! + 1;
  }

  /** How many observations in all. */
  get count(): number {
    return this.#counts.reduce((total, n) => total + n, 0);
  }

  /** The cumulative buckets, one per bound in order: each counts every observation at or below its `le`. */
  buckets(): Bucket[] {
    let running = 0;
    return this.bounds.map((le, i) => ({ le, count: (running += this.#counts[i]!) }));
  }

  /** A new histogram holding this one's observations and `other`'s. Refuses histograms with other bounds. */
  merge(other: Histogram): Histogram {
    if (other.bounds.length !== this.bounds.length || other.bounds.some((bound, i) => bound !== this.bounds[i])) {
      throw new Error('cannot merge histograms with different bucket bounds');
    }
    const merged = new Histogram(this.bounds);
    for (let i = 0; i < this.bounds.length; i++) merged.#counts[i] = this.#counts[i]! + other.#counts[i]!;
    return merged;
  }

  /**
   * The q-quantile (0.99 for p99) estimated from the buckets as Prometheus's histogram_quantile
   * does: find the bucket the rank q × count falls in and interpolate linearly inside it, from
   * the previous bound (0 for the first) to its own. In the Infinity bucket it answers the
   * highest finite bound. NaN for an empty histogram.
   */
  percentile(q: number): number {
    const total = this.count;
    if (total === 0) return Number.NaN;
    const rank = q * total;
    const buckets = this.buckets();
    const index = buckets.findIndex((bucket) => bucket.count >= rank);
    const bucket = buckets[index]!;
    if (bucket.le === Infinity) return this.bounds[this.bounds.length - 2]!;
    const lower = index === 0 ? 0 : buckets[index - 1]!.le;
    const below = index === 0 ? 0 : buckets[index - 1]!.count;
    const inBucket = bucket.count - below;
    if (inBucket === 0) return lower;
    return lower + ((bucket.le - lower) * (rank - below)) / inBucket;
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
  readonly #routes = new Map<string, RouteStats>();

  /** Counts one answer of `route` (`GET /orders/:id`): its status and how long it took. */
  observe(route: string, status: number, durationMs: number): void {
    let stats = this.#routes.get(route);
    if (!stats) this.#routes.set(route, (stats = { requests: 0, errors: 0, durations: new Histogram(), errorDurations: new Histogram() }));
    stats.requests += 1;
    if (status >= 500) {
      stats.errors += 1;
      stats.errorDurations.observe(durationMs);
    } else {
      stats.durations.observe(durationMs);
    }
  }

  /** The routes seen so far. */
  routes(): string[] {
    return [...this.#routes.keys()];
  }

  /** One route's figures; a route never seen has zero requests and empty histograms. */
  route(route: string): RouteStats {
    return this.#routes.get(route) ?? { requests: 0, errors: 0, durations: new Histogram(), errorDurations: new Histogram() };
  }

  /** Several instances' metrics added up: see mergeInstances. */
  static merge(instances: readonly RedMetrics[]): RedMetrics {
    const merged = new RedMetrics();
    for (const instance of instances) {
      for (const [name, part] of instance.#routes) {
        const sum = merged.route(name);
        merged.#routes.set(name, {
          requests: sum.requests + part.requests,
          errors: sum.errors + part.errors,
          durations: sum.durations.merge(part.durations),
          errorDurations: sum.errorDurations.merge(part.errorDurations),
        });
      }
    }
    return merged;
  }

  /** Requests per second of `route` over a window of `windowMs`. */
  rate(route: string, windowMs: number): number {
    return this.route(route).requests / (windowMs / 1000);
  }
}

/**
 * The metrics of several instances of one service as one: counts added up and histograms
 * merged bucket by bucket, never percentiles averaged.
 */
export function mergeInstances(instances: readonly RedMetrics[]): RedMetrics {
  return RedMetrics.merge(instances);
}

/** Hono middleware: every answer counted under its route (`POST /payments`), timed on the service's clock. */
export function measure(metrics: RedMetrics, clock: Clock) {
  return async (c: Context, next: () => Promise<void>): Promise<void> => {
    const start = clock.now();
    await next();
    metrics.observe(`${c.req.method} ${c.req.routePath}`, c.res.status, clock.now() - start);
  };
}
