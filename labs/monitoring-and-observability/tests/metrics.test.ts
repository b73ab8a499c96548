import { expect, expectEqual, test } from 'labkit/test';
import { Histogram, mergeInstances, RedMetrics } from '../src/metrics.ts';
import { BUCKET_BOUNDS_MS } from '../src/telemetry.ts';
import { openShop } from './helpers.ts';

function filled(values: Array<[ms: number, times: number]>): Histogram {
  const histogram = new Histogram();
  for (const [ms, times] of values) for (let i = 0; i < times; i++) histogram.observe(ms);
  return histogram;
}

function close(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected) < 1e-6, `${what}: expected ${expected}, got ${actual}`).toBe(true);
}

test('buckets are cumulative, each counting what is at or below its le', { task: 3, points: 4 }, () => {
  const histogram = filled([[3, 1], [5, 1], [7, 1], [10, 1], [99, 1], [100, 1], [101, 1], [20_000, 1]]);
  expect(histogram.count, 'count after 8 observations').toBe(8);
  expectEqual(
    histogram.buckets(),
    [2, 4, 4, 4, 6, 7, 7, 7, 7, 7, 7, 8].map((count, i) => ({ le: BUCKET_BOUNDS_MS[i]!, count })),
    'buckets() after observing 3, 5, 7, 10, 99, 100, 101 and 20000 ms (5 counts in le 5, 100 in le 100; the Infinity bucket counts everything)',
  );
  expectEqual(new Histogram().buckets().map((b) => b.count), BUCKET_BOUNDS_MS.map(() => 0), 'an empty histogram\'s buckets');
});

test('percentiles interpolate inside the bucket the rank falls in', { task: 3, points: 5 }, () => {
  const histogram = filled([[40, 90], [3_000, 10]]);
  close(histogram.percentile(0.5), 25 + (25 * 50) / 90, 'p50 of 90 × 40 ms and 10 × 3000 ms (rank 50 of 100 lies in the le 50 bucket, from 25 to 50)');
  close(histogram.percentile(0.9), 50, 'p90 of the same (rank 90 is the last observation of the le 50 bucket)');
  close(histogram.percentile(0.95), 3_750, 'p95 of the same (rank 95 is halfway through the le 5000 bucket, from 2500 to 5000)');
  close(histogram.percentile(0.99), 4_750, 'p99 of the same');
  close(histogram.percentile(0), 0, 'p0 of the same: rank 0 is where the first bucket starts');
  close(filled([[1, 4]]).percentile(0.5), 2.5, 'p50 of 4 × 1 ms (the first bucket starts at 0)');
  close(filled([[20_000, 5]]).percentile(0.99), 10_000, 'p99 when every observation is in the Infinity bucket: the highest finite bound');
  expect(Number.isNaN(new Histogram().percentile(0.99)), 'p99 of an empty histogram is NaN').toBe(true);
});

test('RED per route from the time handlers really took on the clock', { task: 3, points: 6 }, async () => {
  const shop = await openShop();
  try {
    shop.delays.push(40, 40, 40, 40, 40, 40, 40, 40, 300, -2_000);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await shop.pay({ orderId: `ord-${1001 + i * 3}`, amountCents: 990, email: 'a@b.io' })).status);
    statuses.push((await shop.pay({ orderId: 'ord-1099', amountCents: 0, email: 'a@b.io' })).status);
    expectEqual(statuses, [201, 201, 201, 201, 201, 201, 201, 201, 201, 503, 400], 'the answers of the 11 payments (the test\'s provider)');
    const stats = shop.paymentsTelemetry.metrics.route('POST /payments');
    expectEqual({ requests: stats.requests, errors: stats.errors }, { requests: 11, errors: 1 }, 'RED for "POST /payments": 11 requests, the 503 is an error, the 400 is not');
    expect(shop.paymentsTelemetry.metrics.routes(), 'routes() of Payments').toEqual(['POST /payments']);
    expectEqual(stats.durations.buckets().map((b) => b.count), [1, 1, 1, 9, 9, 9, 10, 10, 10, 10, 10, 10], 'the success histogram\'s buckets: the 400 took 0 ms, eight payments 40 ms, one 300 ms, timed on the test clock');
    expectEqual(stats.errorDurations.buckets().map((b) => b.count), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1], 'the error histogram: the one 503, after 2000 ms, kept apart from the successes');
    close(stats.durations.percentile(0.5), 37.5, 'p50 of POST /payments successes');
    const served = await shop.network.call('orders', '/orders/ord-404%E2%9C%93');
    expect(served.status, 'GET /orders/:id for an order that does not exist').toBe(404);
    const orders = shop.ordersTelemetry.metrics.route('GET /orders/:id');
    expectEqual({ requests: orders.requests, errors: orders.errors }, { requests: 1, errors: 0 }, 'Orders\' RED for "GET /orders/:id", counted under the route, not the path');
    close(shop.paymentsTelemetry.metrics.rate('POST /payments', 60_000), 11 / 60, 'rate("POST /payments", 60000): requests per second over a minute');
  } finally {
    await shop.close();
  }
});

test('5xx answers are errors and 4xx answers are not', { task: 3, points: 3 }, () => {
  const metrics = new RedMetrics();
  for (const status of [200, 201, 399, 400, 404, 409, 499, 500, 502, 503, 599]) metrics.observe('POST /orders', status, 12);
  const stats = metrics.route('POST /orders');
  expectEqual({ requests: stats.requests, errors: stats.errors, ok: stats.durations.count, failed: stats.errorDurations.count }, { requests: 11, errors: 4, ok: 7, failed: 4 }, 'after answers 200, 201, 399, 400, 404, 409, 499, 500, 502, 503, 599');
  expectEqual(metrics.route('GET /never').requests, 0, 'a route never seen');
});

test('merging instances adds up buckets instead of averaging percentiles', { task: 3, points: 4 }, () => {
  const one = new RedMetrics();
  const two = new RedMetrics();
  for (let i = 0; i < 100; i++) one.observe('POST /payments', 201, 150);
  for (let i = 0; i < 96; i++) two.observe('POST /payments', 201, 150);
  for (let i = 0; i < 4; i++) two.observe('POST /payments', 201, 4_000);
  two.observe('POST /payments', 503, 14);
  two.observe('GET /payments/:id', 200, 3);
  const merged = mergeInstances([one, two]);
  const stats = merged.route('POST /payments');
  expectEqual({ requests: stats.requests, errors: stats.errors }, { requests: 201, errors: 1 }, 'the merged counts of payments-1 and payments-2');
  close(stats.durations.percentile(0.99), 3_750, 'p99 across both instances, from the merged buckets (the average of the two p99s, 2311.75, is a latency no request had)');
  expect(merged.route('GET /payments/:id').requests, 'a route only one instance saw').toBe(1);
  expect([...merged.routes()].sort(), 'routes of the merged metrics').toEqual(['GET /payments/:id', 'POST /payments']);
  expect(one.route('POST /payments').durations.count, 'merging leaves the instances as they were').toBe(100);
  expect(two.route('POST /payments').durations.count, 'merging leaves the instances as they were').toBe(100);
  const sum = one.route('POST /payments').durations.merge(two.route('POST /payments').durations);
  expect(sum.count, 'Histogram.merge: a new histogram with both counts').toBe(200);
  expect(one.route('POST /payments').durations.count, 'Histogram.merge leaves this histogram as it was').toBe(100);
});

test('merge refuses histograms with other bucket bounds', { task: 3, points: 3 }, () => {
  const coarse = new Histogram([100, 1_000, Infinity]);
  coarse.observe(50);
  let outcome = 'it returned a histogram';
  try {
    new Histogram().merge(coarse);
  } catch {
    outcome = 'it threw';
  }
  expect(outcome, 'Histogram.merge of a histogram with bounds 100, 1000, Infinity into one with the default bounds: buckets that do not line up cannot be added, so it throws').toBe('it threw');
  let shifted = 'it returned a histogram';
  try {
    new Histogram([100, 2_000, Infinity]).merge(coarse);
  } catch {
    shifted = 'it threw';
  }
  expect(shifted, 'Histogram.merge of bounds 100, 1000, Infinity into bounds 100, 2000, Infinity: as many buckets, but they do not line up').toBe('it threw');
  const same = new Histogram([100, 1_000, Infinity]);
  same.observe(500);
  expect(same.merge(coarse).buckets(), 'merging two histograms with the same custom bounds').toEqual([{ le: 100, count: 1 }, { le: 1_000, count: 2 }, { le: Infinity, count: 2 }]);
});
