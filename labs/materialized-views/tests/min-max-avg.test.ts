import { scheduleSeeds, seededRandom, withSeed } from 'labkit/faults';
import { expectEqual, test } from 'labkit/test';
import type { OrderEvent } from '../src/events.ts';
import { changed, expectProductDays, Model, openShop, placed, removed } from './helpers.ts';

test("removing or moving the line that holds a group's MIN or MAX recomputes it", { task: 3, points: 5 }, async () => {
  const shop = await openShop();
  await shop.send(placed('L-1', 10, { unitPriceCents: 500 }));
  await shop.send(placed('L-2', 13, { unitPriceCents: 700 }));
  await shop.send(placed('L-3', 14, { unitPriceCents: 900 }));
  await shop.send(placed('L-4', 19, { unitPriceCents: 900 }));
  await shop.send(removed('L-3', 30));
  await expectProductDays(shop, 'after one of the two lines at the MAX price (900) was removed');
  await shop.send(removed('L-4', 31));
  await expectProductDays(shop, 'after the other line at 900 was removed: the MAX is the next price, 700');
  await shop.send(changed('L-1', 32, { unitPriceCents: 800 }));
  await expectProductDays(shop, 'after the MIN line (500) changed its price to 800');
  await shop.send(changed('L-2', 40, { productId: 'MUG-陶器', unitPriceCents: 700 }));
  await expectProductDays(shop, 'after the MIN line (700) moved to another product');
  await shop.send(changed('L-1', 41, { unitPriceCents: 1_200 }));
  await shop.send(placed('L-5', 42, { unitPriceCents: 100 }));
  await expectProductDays(shop, 'after a price above the MAX and a new line below the MIN');
  await shop.send(changed('L-5', 43, { unitPriceCents: 300, placedAt: '2026-03-09T23:59:59+01:00' }));
  await expectProductDays(shop, 'after the MIN line moved to the day before');
});

test('AVG of the coupons ignores lines without one, and is null when no line has one', { task: 3, points: 5 }, async () => {
  const shop = await openShop();
  await shop.send(placed('L-1', 10, { couponPercent: 10 }));
  await shop.send(placed('L-2', 11, { couponPercent: null }));
  await shop.send(placed('L-3', 12, { couponPercent: 25 }));
  await shop.send(placed('L-4', 15, { productId: 'MUG-陶器', couponPercent: null }));
  await expectProductDays(shop, 'coupons 10, none and 25 (average 17.5, not 11.67), and a product without coupons (null, not 0)');
  await shop.send(changed('L-2', 20, { couponPercent: 50 }));
  await shop.send(changed('L-4', 21, { productId: 'MUG-陶器', couponPercent: 5 }));
  await expectProductDays(shop, 'after two lines got a coupon (50 and 5)');
  await shop.send(removed('L-1', 22));
  await shop.send(changed('L-3', 23, { couponPercent: null }));
  await shop.send(changed('L-4', 24, { productId: 'MUG-陶器', couponPercent: null }));
  await expectProductDays(shop, 'after a coupon line was removed and two lost their coupon');
  await shop.send(changed('L-2', 25, { couponPercent: null }));
  await shop.send(placed('L-6', 26, { couponPercent: 33 }));
  await shop.send(placed('L-7', 27, { couponPercent: 34 }));
  await shop.send(placed('L-8', 28, { couponPercent: 34 }));
  await expectProductDays(shop, 'after the last coupon went and three new lines came with 33, 34 and 34');
});

const PRODUCTS = ['CAFÉ', 'MUG-陶器', 'THÉ'];
const CUSTOMERS = ['c-zoë', 'c-ana', 'c-łukasz'];
/** Instants around midnight in Paris, in zones other than Paris's. */
const TIMES = ['2026-03-31T21:59:00Z', '2026-03-31T22:30:00Z', '2026-04-01T10:00:00-04:00', '2026-04-01T06:59:00+09:00', '2026-04-01T22:10:00Z'];

/** One seed's series: the events Orders wrote (positions with gaps), then the order Analytics receives them in, with redeliveries and late ones. */
function schedule(seed: number, prefix: string): { sent: OrderEvent[]; steps: string[] } {
  const random = seededRandom(seed);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const written: OrderEvent[] = [];
  const live = new Set<string>();
  let position = Math.floor(random() * 50);
  for (let i = 0; i < 9; i++) {
    position += 1 + Math.floor(random() * 4);
    const lineId = `${prefix}L${Math.floor(random() * 4)}`;
    const values = {
      productId: `${prefix}${pick(PRODUCTS)}`,
      customerId: pick(CUSTOMERS),
      quantity: 1 + Math.floor(random() * 5),
      unitPriceCents: pick([0, 250, 999, 1_250, 4_990, 1_000_000]),
      couponPercent: random() < 0.5 ? null : pick([5, 10, 33]),
      placedAt: pick(TIMES),
    };
    if (live.has(lineId) && random() < 0.3) {
      written.push(removed(lineId, position, `${prefix}e${i}`));
      live.delete(lineId);
    } else {
      written.push((live.has(lineId) ? changed : placed)(lineId, position, values, `${prefix}e${i}`));
      live.add(lineId);
    }
  }
  // Delivery: neighbours swap (late events), and some events come twice.
  const sent = [...written];
  for (let i = 0; i + 1 < sent.length; i++) if (random() < 0.3) [sent[i], sent[i + 1]] = [sent[i + 1]!, sent[i]!];
  for (let i = 0; i < 3; i++) if (random() < 0.5) sent.splice(Math.floor(random() * sent.length), 0, pick(written));
  const steps = sent.map((e) => `${e.eventId}@${e.position} ${e.type} ${e.lineId}${e.type === 'LineRemoved' ? '' : ` ${e.line.productId.slice(prefix.length)} ${e.line.quantity}×${e.line.unitPriceCents} coupon ${e.line.couponPercent} ${e.line.placedAt}`}`);
  return { sent, steps };
}

test('100 seeded series of inserts, moves, deletes, redeliveries and late events: the incremental table equals a full recomputation', { task: 3, points: 10, timeoutMs: 60_000 }, async () => {
  const shop = await openShop();
  for (const [i, seed] of scheduleSeeds(100).entries()) {
    // Each series has ids of its own, so the series share one database and one reset.
    const prefix = `s${i}-`;
    const { sent, steps } = schedule(seed, prefix);
    const model = new Model();
    await withSeed(seed, async () => {
      for (const event of sent) {
        model.add(event);
        await shop.analytics.ingest(event);
      }
      const actual = (await shop.analytics.productDays()).filter((r) => r.productId.startsWith(prefix));
      const round = (rows: typeof actual) => rows.map((r) => ({ ...r, avgCouponPercent: r.avgCouponPercent === null ? null : Math.round(r.avgCouponPercent * 1e6) / 1e6 }));
      expectEqual(round(actual), round(model.productDays()), `productDays() after the series (${steps.join('; ')})`);
    });
  }
});
