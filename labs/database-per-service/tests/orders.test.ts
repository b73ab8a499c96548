import { expect, expectEqual, expectInstanceOf, test } from 'labkit/test';
import { CustomersUnavailableError, STALENESS_BOUND_MS, UnknownCustomerError, type NewOrder } from '../src/shop.ts';
import { orderRows, outcome, putReplica, replicaRows, shop, START } from './helpers.ts';

const MINUTE = 60_000;
const mug = (orderId: number, customerId: number): NewOrder => ({ orderId, customerId, sku: 'MUG-陶器', quantity: 2 });

/** The order Orders stored under `orderId`, without placed_at, or undefined. */
async function stored(s: { ordersDb: Parameters<typeof orderRows>[0] }, orderId: number) {
  const row = (await orderRows(s.ordersDb)).find((r) => r.id === orderId);
  if (!row) return undefined;
  const { placed_at_ms: _, ...rest } = row;
  return rest;
}

test('a fresh replica entry places the order without calling Customers', { task: 3, points: 4 }, async () => {
  const s = await shop();
  // The replica says Warszawa-born Zoë lives in CZ now; Customers is down, and is not needed.
  await putReplica(s.ordersDb, { customer_id: 3, name: 'Zoë Kowalska-Nowak', country: 'CZ', version: 4, synced_at: START - 2 * MINUTE });
  await s.network.crash('customers');
  const result = await outcome(s.orders.placeOrder(mug(500, 3)));
  expectEqual(result, { value: { ...mug(500, 3), shipToName: 'Zoë Kowalska-Nowak', shipToCountry: 'CZ' } }, 'placeOrder for customer 3, whose replica entry is 2 minutes old, with Customers down');
  expectEqual(await stored(s, 500), { id: 500, customer_id: 3, sku: 'MUG-陶器', quantity: 2, ship_to_name: 'Zoë Kowalska-Nowak', ship_to_country: 'CZ' }, 'order 500 in orders.orders');
  expectEqual(s.calls, [], "Orders' calls to Customers' API (a fresh entry needs none)");
});

test('an entry exactly at the bound is fresh, one millisecond more is stale', { task: 3, points: 3 }, async () => {
  const s = await shop();
  await putReplica(s.ordersDb, { customer_id: 7, name: 'Jürgen Groß', country: 'DE', version: 1, synced_at: START - STALENESS_BOUND_MS });
  await putReplica(s.ordersDb, { customer_id: 8, name: '東京 太郎', country: 'JP', version: 1, synced_at: START - STALENESS_BOUND_MS - 1 });
  await s.orders.placeOrder(mug(501, 7));
  expectEqual(s.calls, [], `calls to Customers for an entry exactly ${STALENESS_BOUND_MS} ms old (still fresh)`);
  await s.orders.placeOrder(mug(502, 8));
  expectEqual(s.calls, ['/customers/8'], `calls to Customers for an entry ${STALENESS_BOUND_MS + 1} ms old (stale: ask Customers)`);
});

test("a stale entry is refreshed from Customers' API and the order uses the answer", { task: 3, points: 5 }, async () => {
  const s = await shop();
  await putReplica(s.ordersDb, { customer_id: 42, name: 'Amélie Poulain 🙂', country: 'FR', version: 1, synced_at: START - 10 * MINUTE });
  await s.customers.rename(42, 'Amélie Poulain-Dupont 🙂');
  await s.customers.move(42, 'BE');
  const result = await outcome(s.orders.placeOrder(mug(503, 42)));
  expectEqual(result, { value: { ...mug(503, 42), shipToName: 'Amélie Poulain-Dupont 🙂', shipToCountry: 'BE' } }, "placeOrder for customer 42 (entry 10 minutes old; Customers now says v3, Poulain-Dupont in BE)");
  expectEqual(await replicaRows(s.ordersDb), [{ customer_id: 42, name: 'Amélie Poulain-Dupont 🙂', country: 'BE', version: 3, synced_at: START }], "the replica after Customers' answer: its version, synced now");
  await s.network.crash('customers');
  await s.clock.advance(MINUTE);
  expectEqual((await outcome(s.orders.placeOrder(mug(504, 42)))).value?.shipToCountry, 'BE', 'a minute later, with Customers down, the refreshed entry is fresh: the country of order 504');
});

test('a stale entry with Customers down is refused and no order is written', { task: 3, points: 6 }, async () => {
  const s = await shop();
  await putReplica(s.ordersDb, { customer_id: 7, name: 'Jürgen Groß', country: 'DE', version: 1, synced_at: START - 10 * MINUTE });
  await s.network.crash('customers');
  const result = await outcome(s.orders.placeOrder(mug(505, 7)));
  expectInstanceOf(result.error, CustomersUnavailableError, 'placeOrder for customer 7 (entry 10 minutes old) with Customers down: the rule asks for a refusal, never the stale entry');
  expect((result.error as CustomersUnavailableError).ageMs, 'the ageMs of the CustomersUnavailableError (the entry is 10 minutes old)').toBe(10 * MINUTE);
  expectEqual(await stored(s, 505), undefined, 'order 505 in orders.orders after the refusal');

  // A Customers that answers 503 is no better than one that is down.
  s.replaceFetch(async () => new Response('busy', { status: 503 }));
  const busy = await outcome(s.orders.placeOrder(mug(506, 7)));
  expectInstanceOf(busy.error, CustomersUnavailableError, "placeOrder with a stale entry while Customers' API answers 503");
  expectEqual(await stored(s, 506), undefined, 'order 506 after the refusal');
});

test('an unknown customer is refused, never guessed', { task: 3, points: 4 }, async () => {
  const s = await shop();
  // Customer 4 falls in a gap of the ids: Customers answers 404.
  const unknown = await outcome(s.orders.placeOrder(mug(507, 4)));
  expectInstanceOf(unknown.error, UnknownCustomerError, 'placeOrder for customer 4, whom Customers does not know');
  expectEqual(await stored(s, 507), undefined, 'order 507 after the refusal');
  expectEqual(await replicaRows(s.ordersDb), [], 'the replica after asking for an unknown customer');
  await s.network.crash('customers');
  const noEntry = await outcome(s.orders.placeOrder(mug(508, 7)));
  expectInstanceOf(noEntry.error, CustomersUnavailableError, 'placeOrder for customer 7, with no replica entry and Customers down');
  expect((noEntry.error as CustomersUnavailableError).ageMs, 'ageMs of the error when the replica has no entry').toBe(undefined);
  expectEqual(await stored(s, 508), undefined, 'order 508 after the refusal');
});

test('an answer with the same version makes the entry fresh again', { task: 3, points: 4 }, async () => {
  const s = await shop();
  await putReplica(s.ordersDb, { customer_id: 1001, name: 'Madonna', country: 'US', version: 1, synced_at: START - 6 * MINUTE });
  await s.orders.placeOrder(mug(509, 1001));
  expectEqual(await replicaRows(s.ordersDb), [{ customer_id: 1001, name: 'Madonna', country: 'US', version: 1, synced_at: START }], "the replica after Customers confirmed version 1: synced now");
  await s.network.crash('customers');
  await s.clock.advance(STALENESS_BOUND_MS);
  const later = await outcome(s.orders.placeOrder(mug(510, 1001)));
  expectEqual(later.value?.shipToName, 'Madonna', `placing order 510 ${STALENESS_BOUND_MS} ms after the confirmation, with Customers down (the entry is still fresh)`);
});
