import { expect, expectEqual, test } from 'labkit/test';
import { changed, openShop, parisDay, placed, removed, restart, type Shop } from './helpers.ts';

async function factCount(shop: Shop): Promise<number> {
  const { rows } = await shop.db.query<{ n: number }>('SELECT count(*)::int AS n FROM order_events');
  return rows[0]!.n;
}

test('each event is stored once as a fact by its id, and a redelivery answers false', { task: 1, points: 4 }, async () => {
  const shop = await openShop();
  const first = placed('L-7', 10, { quantity: 3 }, 'ev-a');
  expect(await shop.send(first), 'ingest() of a new event (ev-a)').toBe(true);
  expect(await shop.send(placed('L-9', 12, { productId: 'MUG-陶器' }, 'ev-b')), 'ingest() of another new event (ev-b)').toBe(true);
  expect(await shop.send(first), 'ingest() of ev-a delivered a second time').toBe(false);
  expect(await shop.send(changed('L-7', 30, { quantity: 5 }, 'ev-c')), 'ingest() of a new event (ev-c) for line L-7').toBe(true);
  expect(await shop.send(changed('L-7', 30, { quantity: 5 }, 'ev-c')), 'ingest() of ev-c delivered again').toBe(false);
  expect(await factCount(shop), 'rows in order_events after 3 distinct events, 2 of them delivered twice').toBe(3);
  expectEqual(await shop.analytics.line('L-7'), shop.model.line('L-7'), "line('L-7') after its LinePlaced and its LineChanged");
  expectEqual(await shop.analytics.line('L-9'), shop.model.line('L-9'), "line('L-9')");
  expect(await shop.analytics.line('L-404'), "line('L-404'), a line no event named").toBeUndefined();
});

test('the event with the highest position decides a line; late events are stored but change nothing', { task: 1, points: 4 }, async () => {
  const shop = await openShop();
  // The LineChanged overtook its LinePlaced: the line exists from the change on.
  expect(await shop.send(changed('L-1', 30, { quantity: 4, unitPriceCents: 990 })), 'ingest() of a LineChanged whose LinePlaced is late').toBe(true);
  expectEqual(await shop.analytics.line('L-1'), shop.model.line('L-1'), "line('L-1') from a LineChanged at position 30 that arrived first");
  expect(await shop.send(placed('L-1', 10, { quantity: 1 })), 'ingest() of the late LinePlaced (position 10)').toBe(true);
  expectEqual(await shop.analytics.line('L-1'), shop.model.line('L-1'), "line('L-1') after the late LinePlaced at 10: the change at 30 still decides");

  // A removed line stays removed when an older change arrives late.
  await shop.send(placed('L-2', 41));
  await shop.send(removed('L-2', 55));
  expect(await shop.send(changed('L-2', 48, { quantity: 9 })), 'ingest() of a late LineChanged (48) after the LineRemoved (55)').toBe(true);
  expect(await shop.analytics.line('L-2'), "line('L-2') removed at 55, then a change at 48 arrived late").toBeUndefined();

  // Even when the removal arrives before the line was ever seen.
  await shop.send(removed('L-3', 77));
  expect(await shop.send(placed('L-3', 70)), 'ingest() of a LinePlaced (70) that arrived after its LineRemoved (77)').toBe(true);
  expect(await shop.analytics.line('L-3'), "line('L-3') removed at 77 before its LinePlaced at 70 arrived").toBeUndefined();

  // A later event does move the line on.
  await shop.send(changed('L-1', 31, { productId: 'THÉ-MATCHA', quantity: 2 }));
  expectEqual(await shop.analytics.line('L-1'), shop.model.line('L-1'), "line('L-1') after a change at 31");
  expect(await factCount(shop), 'rows in order_events: late events are facts too').toBe(8);
});

test("a line's day is the date it was placed in Paris, whatever the zone of its timestamp", { task: 1, points: 4 }, async () => {
  const shop = await openShop();
  const times = [
    '2026-03-31T22:30:00Z', // 00:30 on 1 April in Paris (summer time)
    '2026-01-31T23:30:00Z', // 00:30 on 1 February in Paris (winter time)
    '2026-03-01T22:59:59Z', // 23:59:59 on 1 March in Paris
    '2026-01-15T23:45:00-05:00', // New York's evening, Paris's morning of the 16th
    '2026-07-01T07:30:00+09:00', // Tokyo's morning, Paris's night of 30 June
    '2026-10-24T22:30:00Z', // 00:30 on 25 October, the night Paris leaves summer time
    '2026-03-29T00:30:00Z', // 01:30 on 29 March, half an hour before Paris moves its clocks
  ];
  for (const [i, placedAt] of times.entries()) await shop.send(placed(`L-${i * 7}`, 100 + i * 3, { placedAt }));
  for (const [i, placedAt] of times.entries()) {
    const line = await shop.analytics.line(`L-${i * 7}`);
    expect(line?.day, `line(L-${i * 7}).day for a line placed at ${placedAt} (Paris: ${parisDay(placedAt)})`).toBe(parisDay(placedAt));
  }
  const days = (await shop.analytics.productDays()).map((r) => r.day);
  expectEqual(days, [...new Set(times.map(parisDay))].sort(), 'the days of productDays() for one product placed at those seven times');
});

test('init runs on every start and keeps the facts: a restarted Analytics still refuses duplicates', { task: 1, points: 3 }, async () => {
  const shop = await openShop();
  const event = placed('L-5', 5, { customerId: 'c-łukasz' });
  await shop.send(event);
  await shop.send(changed('L-5', 9, { quantity: 6 }));
  const again = await restart(shop);
  expect(await again.analytics.ingest(event), 'ingest() after a restart of an event stored before it').toBe(false);
  expectEqual(await again.analytics.line('L-5'), shop.model.line('L-5'), "line('L-5') after a restart");
  expect(await again.send(changed('L-5', 12, { quantity: 1 })), 'ingest() of a new event after a restart').toBe(true);
  expectEqual(await again.analytics.line('L-5'), again.model.line('L-5'), "line('L-5') after a new change following the restart");
  expect(await factCount(again), 'rows in order_events after init() ran a second time').toBe(3);
});
