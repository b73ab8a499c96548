import { pgSchema } from 'labkit/db';
import { expectEqual, test } from 'labkit/test';
import { Analytics } from '../src/analytics.ts';
import { RevenueView } from '../src/revenue-view.ts';
import { changed, Model, openShop, placed, removed, restart } from './helpers.ts';

function lag(sourcePosition: number, viewPosition: number, eventsBehind: number) {
  return { sourcePosition, viewPosition, positionsBehind: sourcePosition - viewPosition, eventsBehind };
}

test('lag is the source position minus the view position, with gaps, and the events the view lacks', { task: 5, points: 5 }, async () => {
  const shop = await openShop();
  expectEqual(await shop.view.lag(), lag(0, 0, 0), 'lag() with no facts at all');
  await shop.send(placed('L-1', 10));
  await shop.send(placed('L-2', 20, { customerId: 'c-ana' }));
  await shop.send(placed('L-3', 45, { productId: 'MUG-陶器' }));
  expectEqual(await shop.view.lag(), lag(45, 0, 3), 'lag() after events at positions 10, 20 and 45, before any refresh');
  await shop.view.refresh();
  expectEqual(await shop.view.lag(), lag(45, 45, 0), 'lag() right after refresh()');
  await shop.send(changed('L-1', 50, { quantity: 3 }));
  const last = placed('L-4', 61);
  await shop.send(last);
  await shop.send(last);
  expectEqual(await shop.view.lag(), lag(61, 45, 2), 'lag() after events at 50 and 61 (61 delivered twice): 16 positions but 2 events behind');
  await shop.view.refresh();
  expectEqual(await shop.view.lag(), lag(61, 61, 0), 'lag() after the second refresh()');
});

test('a late event and a removal count as behind until the next refresh', { task: 5, points: 5 }, async () => {
  const shop = await openShop();
  await shop.send(placed('L-1', 10));
  await shop.send(placed('L-2', 60, { customerId: 'c-ana' }));
  await shop.view.refresh();
  await shop.send(placed('L-3', 33, { customerId: 'c-łukasz' })); // late: lower than what the view has seen
  expectEqual(await shop.view.lag(), lag(60, 60, 1), 'lag() after a late event at 33 arrived following a refresh at 60: no position behind, one event');
  await shop.view.refresh();
  expectEqual(await shop.view.lag(), lag(60, 60, 0), 'lag() after refreshing the late event in');
  await shop.send(removed('L-2', 70));
  expectEqual(await shop.view.lag(), lag(70, 60, 1), 'lag() after L-2 was removed at 70');
  await shop.view.refresh();
  // The removal is in no row of the view, yet the view includes it.
  expectEqual(await shop.view.lag(), lag(70, 70, 0), 'lag() after refreshing in the removal at 70, the newest event');
  await shop.send(changed('L-9', 71, { quantity: 3 }));
  await shop.send(removed('L-9', 72));
  expectEqual(await shop.view.lag(), lag(72, 70, 2), 'lag() after a line placed and removed again (71, 72)');
});

test("the view's position is kept across restarts, and a view created over existing facts starts with them", { task: 5, points: 5 }, async () => {
  const shop = await openShop();
  await shop.send(placed('L-1', 10));
  await shop.send(placed('L-2', 14));
  await shop.view.refresh();
  await shop.send(placed('L-3', 19));
  const again = await restart(shop);
  expectEqual(await again.view.lag(), lag(19, 14, 1), 'lag() after a restart (init() again) with one event since the last refresh');

  // Analytics collected facts before its report view was first created.
  const db = await pgSchema('analytics_archive');
  const analytics = new Analytics(db);
  await analytics.init();
  const model = new Model();
  for (const event of [placed('A-1', 3, { customerId: 'c-ana' }), placed('A-2', 8), removed('A-1', 12)]) {
    model.add(event);
    await analytics.ingest(event);
  }
  const view = new RevenueView(db);
  await view.init();
  expectEqual(await view.lag(), lag(12, 12, 0), 'lag() of a view created by init() over 3 facts already stored (positions 3, 8, 12)');
  expectEqual(await view.topCustomers('2026-03'), model.topCustomers('2026-03'), "topCustomers('2026-03') of that view, before any refresh");
});
