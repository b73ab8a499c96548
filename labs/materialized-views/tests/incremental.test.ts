import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, test } from 'labkit/test';
import { changed, expectProductDays, openShop, placed, productDaysByKey, removed } from './helpers.ts';

const MARCH_10 = '2026-03-10T18:00:00+01:00';
const MARCH_11 = '2026-03-11T09:15:00+01:00';

test('revenue, units and lines per product per day add up, exactly beyond 2^31, in product and day order', { task: 2, points: 4 }, async () => {
  const shop = await openShop();
  await shop.send(placed('L-1', 3, { quantity: 2, unitPriceCents: 1_250 }));
  await shop.send(placed('L-2', 8, { quantity: 1, unitPriceCents: 1_399, customerId: 'c-ana' }));
  await shop.send(placed('L-4', 9, { productId: 'MUG-陶器', quantity: 3, unitPriceCents: 899, placedAt: MARCH_11 }));
  await shop.send(placed('L-9', 15, { productId: 'MUG-陶器', quantity: 1, unitPriceCents: 0 }));
  // 5 000 × 999 999 cents: beyond 2^31 in one line, and again in the group's sum.
  await shop.send(placed('L-12', 21, { productId: 'ESPRESSO-MASCHINE', quantity: 5_000, unitPriceCents: 999_999 }));
  await shop.send(placed('L-13', 22, { productId: 'ESPRESSO-MASCHINE', quantity: 3_000, unitPriceCents: 999_999 }));
  expectEqual(await shop.analytics.productDays(), shop.model.productDays(), 'productDays() after six lines of three products on two days');
});

test('a change moves a line out of its old group and into its new one', { task: 2, points: 4 }, async () => {
  const shop = await openShop();
  await shop.send(placed('L-1', 10, { quantity: 2 }));
  await shop.send(placed('L-2', 12, { quantity: 5 }));
  await shop.send(placed('L-3', 14, { productId: 'MUG-陶器', unitPriceCents: 899 }));
  await expectProductDays(shop, 'before any change');
  await shop.send(changed('L-1', 20, { quantity: 7 }));
  await expectProductDays(shop, 'after L-1 changed its quantity from 2 to 7 (same group)');
  await shop.send(changed('L-2', 25, { productId: 'MUG-陶器', quantity: 5, unitPriceCents: 899 }));
  await expectProductDays(shop, 'after L-2 moved from CAFÉ-ÉTHIOPIE-250G to MUG-陶器');
  await shop.send(changed('L-3', 31, { productId: 'MUG-陶器', unitPriceCents: 899, placedAt: '2026-03-10T23:30:00Z' }));
  await expectProductDays(shop, 'after L-3 was corrected to 23:30 UTC, which is 11 March in Paris');
});

test("a group whose last line leaves disappears, and comes back with a new line", { task: 2, points: 3 }, async () => {
  const shop = await openShop();
  await shop.send(placed('L-1', 10));
  await shop.send(placed('L-2', 11, { productId: 'MUG-陶器' }));
  await shop.send(removed('L-1', 17));
  await expectProductDays(shop, 'after the only line of CAFÉ-ÉTHIOPIE-250G on 10 March was removed');
  await shop.send(changed('L-2', 19, { productId: 'MUG-陶器', placedAt: MARCH_11 }));
  await expectProductDays(shop, 'after the only line of MUG-陶器 on 10 March moved to 11 March');
  expect((await shop.analytics.productDays()).length, 'rows of productDays() when one line is left').toBe(1);
  await shop.send(placed('L-3', 40));
  await expectProductDays(shop, 'after a new line for CAFÉ-ÉTHIOPIE-250G on 10 March');
});

test('redelivered and late events are counted once', { task: 2, points: 3 }, async () => {
  const shop = await openShop();
  const a = placed('L-1', 10, { quantity: 2 });
  const b = placed('L-2', 12, { quantity: 3, couponPercent: 15 });
  const c = changed('L-1', 20, { quantity: 4 });
  const d = removed('L-2', 26);
  const e = changed('L-2', 24, { quantity: 8 }); // older than d, arrives after it
  for (const event of [a, b, a, c, b, c, d, e, e, a]) await shop.send(event);
  await expectProductDays(shop, 'after events delivered twice and a change that arrived after the removal that followed it');
  await shop.send(placed('L-3', 9, { quantity: 1 })); // a new line, its event late in the stream
  await expectProductDays(shop, 'after a new line whose event has a lower position than all the others');
});

test('ingest changes only the groups its event moves a line out of or into', { task: 2, points: 3 }, async () => {
  const shop = await openShop();
  await shop.send(placed('L-1', 10));
  await shop.send(placed('L-2', 11, { productId: 'MUG-陶器' }));
  await shop.send(placed('L-3', 12, { productId: 'THÉ-MATCHA' }));
  // Someone's script changed one group by hand: an incremental handler leaves it until a rebuild.
  await shop.db.query("UPDATE product_day_revenue SET revenue_cents = revenue_cents + 7 WHERE product_id = 'MUG-陶器'");
  const before = await productDaysByKey(shop);
  expect(before['MUG-陶器 2026-03-10']?.revenueCents, "productDays() right after the UPDATE of product_day_revenue: it reads the table").toBe(2_507);
  await shop.send(placed('L-4', 20, { quantity: 9 }));
  await shop.send(changed('L-3', 21, { productId: 'THÉ-MATCHA', quantity: 1 }));
  const after = await productDaysByKey(shop);
  expectEqual(after['MUG-陶器 2026-03-10'], before['MUG-陶器 2026-03-10'], 'the MUG-陶器 group, which no later event touched');
  expectEqual(after['CAFÉ-ÉTHIOPIE-250G 2026-03-10'], shop.model.productDays().find((r) => r.productId === 'CAFÉ-ÉTHIOPIE-250G'), 'the group that got L-4');
});

test('a crash at any write of ingest leaves the fact and the totals together, and the redelivery is applied once', { task: 2, points: 3 }, async () => {
  const shop = await openShop();
  await shop.send(placed('L-1', 10, { unitPriceCents: 500 }));
  await shop.send(placed('L-2', 11, { unitPriceCents: 700 }));
  let crashes = 0;
  for (let n = 1; n <= 12; n++) {
    const position = 20 + n * 2;
    // A change that moves L-1 between products, with a new price, so its old group's MIN is recomputed.
    const event = changed('L-1', position, { productId: n % 2 ? 'MUG-陶器' : 'CAFÉ-ÉTHIOPIE-250G', unitPriceCents: 400 + n });
    const before = await productDaysByKey(shop);
    const lineBefore = await shop.analytics.line('L-1');
    crashOnWrite(shop.db, n);
    const outcome = await shop.analytics.ingest(event).then((v) => v, (e: unknown) => e);
    clearFaults(shop.db);
    if (!(outcome instanceof SimulatedCrash)) {
      expect(outcome, `ingest() with a crash set at write ${n}, which it never reached: ${describeOutcome(outcome)}`).toBe(true);
      shop.model.add(event);
      await expectProductDays(shop, `after an ingest whose ${n - 1} writes all went through`);
      break;
    }
    crashes++;
    expectEqual(await productDaysByKey(shop), before, `productDays() after a crash at write ${n} of ingest(): nothing of the event, as if it never came`);
    expectEqual(await shop.analytics.line('L-1'), lineBefore, `line('L-1') after a crash at write ${n} of ingest()`);
    expect(await shop.send(event), `ingest() of the same event delivered again after the crash at write ${n}`).toBe(true);
    await expectProductDays(shop, `after the redelivery that followed a crash at write ${n}`);
  }
  expect(crashes > 0, 'ingest() of a change should write at least once').toBe(true);
});
