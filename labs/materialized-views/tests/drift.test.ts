import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, test } from 'labkit/test';
import type { Drift } from '../src/events.ts';
import { changed, expectProductDays, openShop, placed, productDaysByKey, removed, type Shop } from './helpers.ts';

function sortDrift(rows: Drift[]): Drift[] {
  const key = (r: Drift) => `${r.productId}\u0000${r.day}\u0000${r.side}`;
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function shopWithGroups(): Promise<Shop> {
  const shop = await openShop();
  await shop.send(placed('L-1', 10, { couponPercent: 10 }));
  await shop.send(placed('L-2', 12, { productId: 'MUG-陶器', unitPriceCents: 899 }));
  await shop.send(placed('L-3', 15, { productId: 'THÉ-MATCHA', placedAt: '2026-03-31T22:30:00Z' }));
  await shop.send(placed('L-4', 17, { productId: 'THÉ-MATCHA', quantity: 5 }));
  await shop.send(changed('L-4', 21, { productId: 'THÉ-MATCHA', quantity: 6, couponPercent: 20 }));
  await shop.send(removed('L-1', 23));
  await shop.send(placed('L-5', 26, { couponPercent: 30 }));
  return shop;
}

test('drift lists every group that differs from a recomputation, on both sides', { task: 4, points: 5 }, async () => {
  const shop = await shopWithGroups();
  expectEqual(await shop.analytics.drift(), [], 'drift() while the incremental table is right');
  await shop.db.query("UPDATE product_day_revenue SET revenue_cents = revenue_cents - 100 WHERE product_id = 'MUG-陶器'");
  await shop.db.query("DELETE FROM product_day_revenue WHERE product_id = 'THÉ-MATCHA' AND day = '2026-04-01'");
  await shop.db.query("UPDATE product_day_revenue SET product_id = 'GHOST' WHERE product_id = 'CAFÉ-ÉTHIOPIE-250G'");
  expectEqual(
    sortDrift(await shop.analytics.drift()),
    [
      { side: 'only in recomputed', productId: 'CAFÉ-ÉTHIOPIE-250G', day: '2026-03-10' },
      { side: 'only in incremental', productId: 'GHOST', day: '2026-03-10' },
      { side: 'only in incremental', productId: 'MUG-陶器', day: '2026-03-10' },
      { side: 'only in recomputed', productId: 'MUG-陶器', day: '2026-03-10' },
      { side: 'only in recomputed', productId: 'THÉ-MATCHA', day: '2026-04-01' },
    ],
    'drift() after a group lost 100 cents, a group was deleted and a group was renamed GHOST (sorted by product, day, side)',
  );
});

test('rebuild replaces the table with the recomputation in one transaction, and ingest carries on', { task: 4, points: 5 }, async () => {
  const shop = await shopWithGroups();
  await shop.db.query("UPDATE product_day_revenue SET revenue_cents = revenue_cents * 2 WHERE product_id = 'MUG-陶器'");
  await shop.db.query("DELETE FROM product_day_revenue WHERE product_id = 'THÉ-MATCHA' AND day = '2026-04-01'");
  await shop.db.query("UPDATE product_day_revenue SET product_id = 'GHOST' WHERE product_id = 'CAFÉ-ÉTHIOPIE-250G'");
  const drifted = await productDaysByKey(shop);

  for (let n = 1; ; n++) {
    crashOnWrite(shop.db, n);
    const outcome = await shop.analytics.rebuild().then((v) => v, (e: unknown) => e);
    clearFaults(shop.db);
    if (!(outcome instanceof SimulatedCrash)) {
      expect(n > 1, `rebuild() with a crash set at its first write did not crash: ${describeOutcome(outcome)}; it should write`).toBe(true);
      break;
    }
    expectEqual(await productDaysByKey(shop), drifted, `productDays() after a crash at write ${n} of rebuild(): as it was before`);
  }
  await expectProductDays(shop, 'after rebuild() of a table that had drifted');
  expectEqual(await shop.analytics.drift(), [], 'drift() after rebuild()');
  await shop.send(changed('L-2', 30, { productId: 'MUG-陶器', unitPriceCents: 100 }));
  await shop.send(removed('L-3', 31));
  await shop.send(placed('L-6', 33, { couponPercent: null, unitPriceCents: 5 }));
  await expectProductDays(shop, 'after three more events following rebuild()');
});
