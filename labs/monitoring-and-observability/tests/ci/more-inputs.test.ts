/**
 * CI-only checks: the same behaviours as the graded tests on headers, latencies, logs and
 * exports drawn from the run's seed, so an answer fitted to the visible examples fails in CI.
 */
import { ciCheck, expect, expectEqual } from 'labkit/test';
import { checkConsistency, consumerLag } from '../../src/checks.ts';
import { Histogram } from '../../src/metrics.ts';
import { parseTraceparent } from '../../src/trace-context.ts';

const HEX = '0123456789abcdef';

ciCheck('refuses uppercase, non-hex and wrong lengths', ({ random }) => {
  const hex = (n: number) => Array.from({ length: n }, () => HEX[Math.floor(random() * 16)]).join('').replace(/^0/, 'a');
  for (let i = 0; i < 40; i++) {
    const t = hex(32);
    const p = hex(16);
    expectEqual(parseTraceparent(`00-${t}-${p}-01`), { traceId: t, spanId: p, flags: '01' }, `parseTraceparent("00-${t}-${p}-01")`);
    const cut = 1 + Math.floor(random() * 15);
    expect(parseTraceparent(`00-${t}-${p.slice(cut)}-01`), `a parent id of ${16 - cut} digits`).toBeUndefined();
    expect(parseTraceparent(`00-${t.slice(0, 31 - (cut % 5))}-${p}-01`), 'a short trace id').toBeUndefined();
    const at = Math.floor(random() * 32);
    expect(parseTraceparent(`00-${t.slice(0, at)}x${t.slice(at + 1)}-${p}-01`), 'a trace id with an x in it').toBeUndefined();
  }
});

ciCheck('percentiles interpolate inside the bucket the rank falls in', ({ random }) => {
  for (let round = 0; round < 20; round++) {
    const values = Array.from({ length: 20 + Math.floor(random() * 200) }, () => Math.floor(random() * 6_000));
    const histogram = new Histogram();
    for (const value of values) histogram.observe(value);
    const q = [0.5, 0.9, 0.95, 0.99][round % 4]!;
    const rank = q * values.length;
    const bounds = histogram.bounds;
    let below = 0;
    let expected = Number.NaN;
    for (let i = 0; i < bounds.length; i++) {
      const inBucket = values.filter((v) => v <= bounds[i]! && (i === 0 || v > bounds[i - 1]!)).length;
      if (below + inBucket >= rank) {
        const lower = i === 0 ? 0 : bounds[i - 1]!;
        expected = bounds[i] === Infinity ? bounds[bounds.length - 2]! : inBucket === 0 ? lower : lower + ((bounds[i]! - lower) * (rank - below)) / inBucket;
        break;
      }
      below += inBucket;
    }
    const got = histogram.percentile(q);
    expect(Math.abs(got - expected) < 1e-6, `p${q * 100} of ${values.length} latencies (${values.slice(0, 8).join(', ')}, ...): expected ${expected}, got ${got}`).toBe(true);
  }
});

ciCheck('lag counts the events after the checkpoint, across gaps', ({ random }) => {
  let position = 0;
  const now = Date.parse('2026-10-25T01:00:00Z');
  const log = Array.from({ length: 30 }, () => {
    position += 1 + Math.floor(random() * 4);
    return { position, recordedAt: new Date(now - Math.floor(random() * 3_600_000)).toISOString() };
  });
  for (let i = 0; i < 10; i++) {
    const checkpoint = Math.floor(random() * (position + 2));
    const waiting = log.filter((e) => e.position > checkpoint);
    const age = waiting.length === 0 ? 0 : now - Math.min(...waiting.map((e) => Date.parse(e.recordedAt)));
    expectEqual(consumerLag(log, checkpoint, now), { events: waiting.length, ageMs: age }, `consumerLag at checkpoint ${checkpoint} over positions ${log.map((e) => e.position).join(', ')}`);
  }
});

ciCheck('the checker names each divergent order and the invariant it breaks', ({ random }) => {
  const watermark = '2026-03-29T04:00:00+03:00';
  const orders = [];
  const payments = [];
  const expected: string[] = [];
  for (let i = 0; i < 30; i++) {
    const orderId = `ord-${2000 + i * 7}`;
    const total = 100 + Math.floor(random() * 9_000);
    const paidAmount = random() < 0.3 ? total - 1 : total;
    const newer = random() < 0.3;
    orders.push({ orderId, status: 'paid' as const, totalCents: total, updatedAt: '2026-03-29T00:10:00Z' });
    payments.push({ paymentId: `pay-${i}`, orderId, status: 'captured' as const, amountCents: paidAmount, updatedAt: newer ? '2026-03-29T04:00:01+03:00' : '2026-03-29T03:59:59+03:00' });
    if (paidAmount !== total && !newer) expected.push(orderId);
  }
  const found = checkConsistency({ orders, payments, reservations: [] }, watermark).map((d) => d.orderId).sort();
  expectEqual(found, expected.sort(), 'orders whose capture differs from their total, settled before the watermark');
});
