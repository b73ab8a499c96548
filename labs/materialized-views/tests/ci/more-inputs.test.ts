/**
 * CI-only checks: the graded tests' behaviours again, on prices, coupons, instants, positions
 * and customers drawn from the run's seed, so an answer fitted to the visible examples fails in CI.
 * Each check has ids (or a schema) of its own, since it runs on the database its test left.
 */
import { pgSchema } from 'labkit/db';
import { ciCheck, expect, expectEqual } from 'labkit/test';
import { Analytics } from '../../src/analytics.ts';
import { RevenueView } from '../../src/revenue-view.ts';
import { changed, expectProductDays, Model, openShop, parisDay, placed, removed, type Shop } from '../helpers.ts';

/** An instant within a few hours of midnight in Paris, written in a random zone. */
function instant(random: () => number): string {
  const base = Date.UTC(2026, Math.floor(random() * 12), 1 + Math.floor(random() * 28), 22, 0, 0);
  const at = new Date(base + Math.floor((random() - 0.5) * 6 * 3_600_000));
  const offset = [-5, 0, 1, 2, 9][Math.floor(random() * 5)]!;
  const local = new Date(at.getTime() + offset * 3_600_000).toISOString().slice(0, 19);
  return offset === 0 ? `${local}Z` : `${local}${offset < 0 ? '-' : '+'}${String(Math.abs(offset)).padStart(2, '0')}:00`;
}

async function freshShop(name: string): Promise<Shop> {
  const db = await pgSchema(name);
  const analytics = new Analytics(db);
  await analytics.init();
  const view = new RevenueView(db);
  await view.init();
  const model = new Model();
  return { db, analytics, view, model, send: async (e) => (model.add(e), analytics.ingest(e)) };
}

ciCheck("a line's day is the date it was placed in Paris, whatever the zone of its timestamp", async ({ random }) => {
  const shop = await openShop();
  for (let i = 0; i < 12; i++) {
    const placedAt = instant(random);
    await shop.send(placed(`ci-day-${i}`, 10_000 + i * 7, { placedAt }));
    expect((await shop.analytics.line(`ci-day-${i}`))?.day, `line().day for a line placed at ${placedAt}`).toBe(parisDay(placedAt));
  }
});

ciCheck('revenue, units and lines per product per day add up, exactly beyond 2^31, in product and day order', async ({ random }) => {
  const shop = await openShop();
  const only = (p: string) => p.startsWith('ci-');
  for (let i = 0; i < 15; i++) {
    const big = random() < 0.2;
    await shop.send(placed(`ci-sum-${i}`, 20_000 + i * 3, {
      productId: `ci-${['CAFÉ', 'MUG-陶器', 'THÉ'][Math.floor(random() * 3)]}`,
      quantity: big ? 5_000 + Math.floor(random() * 5_000) : 1 + Math.floor(random() * 9),
      unitPriceCents: big ? 9_000_000 + Math.floor(random() * 1_000_000) : Math.floor(random() * 5_000),
      placedAt: instant(random),
    }));
  }
  await expectProductDays(shop, 'after 15 random lines', only);
});

ciCheck("removing or moving the line that holds a group's MIN or MAX recomputes it", async ({ random }) => {
  const shop = await openShop();
  const only = (p: string) => p.startsWith('ci-');
  const live: number[] = [];
  let position = 30_000;
  for (let i = 0; i < 8; i++) {
    await shop.send(placed(`ci-mm-${i}`, (position += 2), { productId: 'ci-MIN-MAX', unitPriceCents: Math.floor(random() * 20) * 50 }));
    live.push(i);
  }
  while (live.length > 0) {
    const i = live.splice(Math.floor(random() * live.length), 1)[0]!;
    const r = random();
    if (r < 0.4) await shop.send(removed(`ci-mm-${i}`, (position += 3)));
    else if (r < 0.7) await shop.send(changed(`ci-mm-${i}`, (position += 3), { productId: 'ci-OTHER', unitPriceCents: Math.floor(random() * 1_000) }));
    else await shop.send(changed(`ci-mm-${i}`, (position += 3), { productId: 'ci-MIN-MAX', unitPriceCents: Math.floor(random() * 1_000) }));
    await expectProductDays(shop, `after line ci-mm-${i} ${r < 0.4 ? 'was removed' : r < 0.7 ? 'moved to ci-OTHER' : 'changed its price'}`, only);
  }
});

ciCheck('AVG of the coupons ignores lines without one, and is null when no line has one', async ({ random }) => {
  const shop = await openShop();
  const only = (p: string) => p.startsWith('ci-');
  const coupon = () => (random() < 0.4 ? null : 1 + Math.floor(random() * 100));
  let position = 40_000;
  for (let i = 0; i < 10; i++) await shop.send(placed(`ci-avg-${i}`, (position += 5), { productId: 'ci-AVG', couponPercent: coupon() }));
  await expectProductDays(shop, 'after 10 lines with random coupons', only);
  for (let i = 0; i < 10; i++) {
    if (random() < 0.3) await shop.send(removed(`ci-avg-${i}`, (position += 5)));
    else await shop.send(changed(`ci-avg-${i}`, (position += 5), { productId: 'ci-AVG', couponPercent: coupon() }));
  }
  await expectProductDays(shop, 'after changing the coupons of the lines and removing some', only);
});

ciCheck('lag is the source position minus the view position, with gaps, and the events the view lacks', async ({ random }) => {
  const shop = await freshShop('analytics_ci_lag');
  let position = Math.floor(random() * 1_000);
  let viewPosition = 0;
  let behind = 0;
  for (let round = 0; round < 4; round++) {
    const n = 1 + Math.floor(random() * 4);
    for (let i = 0; i < n; i++) {
      position += 1 + Math.floor(random() * 50);
      await shop.send(placed(`ci-lag-${round}-${i}`, position));
      behind++;
    }
    expectEqual(await shop.view.lag(), { sourcePosition: position, viewPosition, positionsBehind: position - viewPosition, eventsBehind: behind }, `lag() in round ${round}, before refresh`);
    await shop.view.refresh();
    viewPosition = position;
    behind = 0;
  }
});

ciCheck('top customers are by revenue, highest first, ties by customer id, at most the limit', async ({ random }) => {
  const shop = await freshShop('analytics_ci_top');
  let position = 0;
  for (let i = 0; i < 14; i++) {
    const customerId = `c-${['ana', 'Émile', 'zoë', 'ben', '10', '9', 'łukasz'][i % 7]}-${Math.floor(i / 7)}`;
    await shop.send(placed(`ci-top-${i}`, (position += 4), { customerId, quantity: 1, unitPriceCents: 1_000 * Math.floor(random() * 4), placedAt: instant(random) }));
  }
  await shop.view.refresh();
  for (const month of new Set(shop.model.customerMonths().map((r) => r.month))) {
    const limit = 1 + Math.floor(random() * 5);
    expectEqual(await shop.view.topCustomers(month, limit), shop.model.topCustomers(month, limit), `topCustomers('${month}', ${limit})`);
  }
});
