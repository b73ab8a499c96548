import { expect, expectEqual, test } from 'labkit/test';
import { changed, openShop, placed, removed, restart, type Shop } from './helpers.ts';

async function relkind(shop: Shop): Promise<string | undefined> {
  const { rows } = await shop.db.query<{ relkind: string }>(
    "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'analytics' AND c.relname = 'customer_month_revenue'",
  );
  return rows[0]?.relkind;
}

async function filenode(shop: Shop): Promise<number> {
  const { rows } = await shop.db.query<{ node: number }>("SELECT pg_relation_filenode('customer_month_revenue')::int AS node");
  return rows[0]!.node;
}

/** Where each row of the view sits: a row rewritten by a refresh gets a new ctid. */
async function places(shop: Shop): Promise<Record<string, string>> {
  const { rows } = await shop.db.query<{ at: string; customer_id: string; month: string }>('SELECT ctid::text AS at, customer_id, month FROM customer_month_revenue');
  return Object.fromEntries(rows.map((r) => [`${r.customer_id} ${r.month}`, r.at]));
}

test('the report is a materialized view, readable right after init, and stale until refresh', { task: 6, points: 5 }, async () => {
  const shop = await openShop();
  expect(await relkind(shop), "the kind of customer_month_revenue in pg_class ('m' is a materialized view)").toBe('m');
  expectEqual(await shop.view.topCustomers('2026-03'), [], "topCustomers('2026-03') right after init(), before any refresh");
  await shop.send(placed('L-1', 10, { customerId: 'c-zoë', quantity: 3 }));
  await shop.send(placed('L-2', 11, { customerId: 'c-ana', unitPriceCents: 9_900, placedAt: '2026-03-31T22:30:00Z' }));
  await shop.send(placed('L-3', 12, { customerId: 'c-ana', unitPriceCents: 4_990, placedAt: '2026-03-31T21:30:00Z' }));
  expectEqual(await shop.view.topCustomers('2026-03'), [], "topCustomers('2026-03') after three events but no refresh: the view is a stored result");
  await shop.view.refresh();
  expectEqual(await shop.view.topCustomers('2026-03'), shop.model.topCustomers('2026-03'), "topCustomers('2026-03') after refresh() (22:30 UTC on 31 March is April in Paris)");
  expectEqual(await shop.view.topCustomers('2026-04'), shop.model.topCustomers('2026-04'), "topCustomers('2026-04') after refresh()");

  const stale = shop.model.topCustomers('2026-03');
  await shop.send(removed('L-3', 20));
  await shop.send(changed('L-1', 21, { customerId: 'c-zoë', quantity: 1 }));
  await shop.send(changed('L-2', 22, { customerId: 'c-ana', unitPriceCents: 9_900, placedAt: '2026-03-31T21:30:00Z' }));
  expectEqual(await shop.view.topCustomers('2026-03'), stale, "topCustomers('2026-03') after a removal and two changes, before the next refresh: the old rows");
  await shop.view.refresh();
  expectEqual(await shop.view.topCustomers('2026-03'), shop.model.topCustomers('2026-03'), "topCustomers('2026-03') after the second refresh()");
  expectEqual(await shop.view.topCustomers('2026-04'), [], "topCustomers('2026-04') after its only line moved back to March");
});

test('top customers are by revenue, highest first, ties by customer id, at most the limit', { task: 6, points: 5 }, async () => {
  const shop = await openShop();
  const customers = ['c-ana', 'c-Émile', 'c-ben', 'c-zoë', 'c-10', 'c-9', 'c-łukasz', 'c-chen', 'c-dana', 'c-eli', 'c-fay', 'c-gus'];
  let position = 100;
  for (const [i, customerId] of customers.entries()) {
    // Two customers tie with each of their neighbours; revenue is spread over several lines.
    const cents = 10_000 + Math.floor(i / 3) * 1_000;
    position += 3;
    await shop.send(placed(`L-${i}a`, position, { customerId, quantity: 1, unitPriceCents: cents - 1_000 }));
    position += 2;
    await shop.send(placed(`L-${i}b`, position, { customerId, quantity: 1, unitPriceCents: 1_000, productId: 'MUG-陶器' }));
  }
  await shop.send(placed('L-feb', 400, { customerId: 'c-zoë', unitPriceCents: 90_000, placedAt: '2026-02-28T23:30:00Z' }));
  await shop.send(placed('L-jan', 401, { customerId: 'c-ben', unitPriceCents: 90_000, placedAt: '2026-01-31T22:59:00Z' }));
  await shop.view.refresh();
  expectEqual(await shop.view.topCustomers('2026-03'), shop.model.topCustomers('2026-03', 10), "topCustomers('2026-03'): the default limit is 10");
  expectEqual(await shop.view.topCustomers('2026-03', 4), shop.model.topCustomers('2026-03', 4), "topCustomers('2026-03', 4)");
  expectEqual(await shop.view.topCustomers('2026-01', 4), shop.model.topCustomers('2026-01', 4), "topCustomers('2026-01', 4): 22:59 UTC on 31 January is 23:59 in Paris");
  expectEqual(await shop.view.topCustomers('2026-05'), [], "topCustomers('2026-05'), a month without orders");
});

test('refresh is concurrent: the view keeps its relation, and rows that did not change keep their place', { task: 6, points: 5 }, async () => {
  const shop = await openShop();
  const customers = ['c-ana', 'c-ben', 'c-chen', 'c-dana', 'c-zoë'];
  for (const [i, customerId] of customers.entries()) await shop.send(placed(`L-${i}`, 10 + i * 4, { customerId, unitPriceCents: 1_000 + i }));
  await shop.view.refresh();
  const node = await filenode(shop);
  const before = await places(shop);
  await shop.send(changed('L-2', 40, { customerId: 'c-chen', unitPriceCents: 5_000 }));
  await shop.send(placed('L-9', 41, { customerId: 'c-eli' }));
  await shop.send(removed('L-4', 42));
  await shop.view.refresh();
  expect(await filenode(shop), "pg_relation_filenode('customer_month_revenue') after refresh(): a plain REFRESH writes a new file that readers wait for; CONCURRENTLY keeps the relation").toBe(node);
  const after = await places(shop);
  for (const key of ['c-ana 2026-03', 'c-ben 2026-03', 'c-dana 2026-03']) {
    expect(after[key], `the ctid of the unchanged row "${key}" after refresh(): CONCURRENTLY leaves rows that did not change where they are`).toBe(before[key]);
  }
  expectEqual(await shop.view.topCustomers('2026-03'), shop.model.topCustomers('2026-03'), "topCustomers('2026-03') after the concurrent refresh");
});

test('refresh works right after init and after a restart, and a second init keeps the view and its rows', { task: 6, points: 5 }, async () => {
  const shop = await openShop();
  await shop.view.refresh();
  expectEqual(await shop.view.topCustomers('2026-03'), [], "topCustomers('2026-03') after refresh() of an empty view");
  await shop.send(placed('L-1', 10, { customerId: 'c-ana' }));
  await shop.send(placed('L-2', 17, { customerId: 'c-Émile', quantity: 4 }));
  await shop.view.refresh();
  const again = await restart(shop);
  const node = await filenode(again);
  expectEqual(await again.view.topCustomers('2026-03'), shop.model.topCustomers('2026-03'), "topCustomers('2026-03') after a restart, before any refresh: the view kept its rows");
  await again.send(changed('L-1', 30, { customerId: 'c-ana', quantity: 9 }));
  await again.view.refresh();
  expect(await filenode(again), "pg_relation_filenode('customer_month_revenue') after a refresh following the restart").toBe(node);
  expectEqual(await again.view.topCustomers('2026-03'), again.model.topCustomers('2026-03'), "topCustomers('2026-03') after the refresh following the restart");
});
