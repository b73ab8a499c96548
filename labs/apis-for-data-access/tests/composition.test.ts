import { expect, expectEqual, test } from 'labkit/test';
import { orderFromRow } from '../src/shop.ts';
import { expectProblem, insertRows, LODZ, OMAR, settledSoon, shop, showAnswer, waitUntil, type Answer, type Shop } from './helpers.ts';

const PARCELS = [
  { id: 'sh-1', orderId: 900_001, carrier: 'DHL', status: 'delivered' as const },
  { id: 'sh-2', orderId: 900_001, carrier: 'La Poste', status: 'in-transit' as const },
  { id: 'sh-3', orderId: 900_017, carrier: 'UPS', status: 'label-printed' as const },
];

async function seeded(): Promise<Shop> {
  const s = await shop();
  await insertRows(s.db, [
    { id: 900_001, at: '2026-03-29 03:30:00.250001+02', customerId: LODZ.id, lines: [{ sku: 'THÉ-東京', qty: 2 }] },
    { id: 900_009, at: '2026-03-29 01:31:00+00', customerId: OMAR.id },
    { id: 900_017, at: '2026-03-28 22:45:00.5-03:00' },
  ]);
  for (const parcel of PARCELS) s.book.add(parcel);
  return s;
}

async function order(s: Shop, id: number) {
  const { rows } = await s.db.query('SELECT * FROM orders WHERE id = $1', [id]);
  return orderFromRow(rows[0]!);
}

/** Starts GET /orders/:id/details and waits (in real time, the clock standing still) until Orders has called both services or `ms` passed. */
async function startDetails(s: Shop, id: number): Promise<{ answer: Promise<Answer>; bothCalled: boolean }> {
  const answer = s.request('GET', `/orders/${id}/details`);
  const bothCalled = await waitUntil(() => s.directory.requests.length > 0 && s.book.requests.length > 0, 5_000, answer);
  return { answer, bothCalled };
}

test('details join the order, its customer and its shipments', { task: 5, points: 4 }, async () => {
  const s = await seeded();
  const full = await s.request('GET', '/orders/900001/details');
  expect(full.status, `GET /orders/900001/details; got ${showAnswer(full).slice(0, 300)}`).toBe(200);
  expectEqual(full.json, { order: await order(s, 900_001), customer: LODZ, shipments: PARCELS.slice(0, 2), missing: [] }, 'the details of order 900001');
  const none = await s.request('GET', '/orders/900009/details');
  expectEqual(none.json, { order: await order(s, 900_009), customer: OMAR, shipments: [], missing: [] }, 'the details of order 900009, which has no shipment yet (an empty list from Shipping is an answer, not a gap)');
  s.directory.requests.length = 0;
  s.book.requests.length = 0;
  expectProblem(await s.request('GET', '/orders/900002/details'), 'not-found', 'GET /orders/900002/details (no such order)');
  expectProblem(await s.request('GET', '/orders/x/details'), 'not-found', 'GET /orders/x/details');
  expect(s.directory.requests.length + s.book.requests.length, 'calls to Customers and Shipping for orders that do not exist').toBe(0);
});

test('a slow service is left out after 200 ms on the clock and named in missing', { task: 5, points: 5, timeoutMs: 20_000 }, async () => {
  const s = await seeded();
  const expectComplete = async (what: string) => {
    const { answer } = await startDetails(s, 900_001);
    await s.clock.advance(150);
    await settledSoon(answer); // the answer of the service that took 150 ms arrives
    await s.clock.advance(50);
    const got = await settledSoon(answer);
    expect(got.done, `${what}: GET /orders/900001/details had not answered 200 ms after it called both services`).toBe(true);
    expectEqual(got.value!.json, { order: await order(s, 900_001), customer: LODZ, shipments: PARCELS.slice(0, 2), missing: [] }, `${what}: the details (it answered within the 200 ms limit, so nothing is missing)`);
    s.directory.requests.length = 0;
    s.book.requests.length = 0;
  };
  s.directory.delayMs = 150;
  await expectComplete('Customers answering after 150 ms');
  s.directory.delayMs = 0;
  s.book.delayMs = 150;
  await expectComplete('Shipping answering after 150 ms');

  for (const slow of ['customers', 'shipping'] as const) {
    s.directory.delayMs = slow === 'customers' ? 10_000 : 0;
    s.book.delayMs = slow === 'shipping' ? 10_000 : 0;
    const { answer } = await startDetails(s, 900_001);
    await s.clock.advance(199);
    const early = await settledSoon(answer, 50);
    expect(early.done, `${slow} taking 10 s: GET /orders/900001/details answered before 200 ms had passed on the clock (it gave up on ${slow} too early; the limit is CALL_TIME_LIMIT_MS)`).toBe(false);
    await s.clock.advance(1);
    const late = await settledSoon(answer);
    expect(late.done, `${slow} taking 10 s: GET /orders/900001/details had not answered at 200 ms on the clock (use clock.setTimeout for the limit, not setTimeout)`).toBe(true);
    expectEqual(
      late.value!.json,
      {
        order: await order(s, 900_001),
        customer: slow === 'customers' ? null : LODZ,
        shipments: slow === 'shipping' ? null : PARCELS.slice(0, 2),
        missing: [slow],
      },
      `the details while ${slow} is too slow`,
    );
    s.directory.requests.length = 0;
    s.book.requests.length = 0;
  }
});

test('a service that is down or failing is named in missing at once, and nothing is made up', { task: 5, points: 4, timeoutMs: 10_000 }, async () => {
  const s = await seeded();
  const details = async (what: string) => {
    const got = await settledSoon(s.request('GET', '/orders/900001/details'));
    if (!got.done) {
      await s.clock.advance(1_000);
      throw new Error(`${what}: GET /orders/900001/details did not answer without the clock moving; a call that fails is missing at once, only a silent service costs the time limit`);
    }
    expect(got.value!.status, `${what}: the status of the details; got ${showAnswer(got.value!).slice(0, 300)}`).toBe(200);
    return got.value!.json;
  };
  const theOrder = await order(s, 900_001);
  await s.network.crash('customers');
  expectEqual(await details('Customers crashed'), { order: theOrder, customer: null, shipments: PARCELS.slice(0, 2), missing: ['customers'] }, 'the details while Customers is down');
  s.book.failWith = 503;
  expectEqual(await details('Customers down and Shipping answering 503'), { order: theOrder, customer: null, shipments: null, missing: ['customers', 'shipping'] }, 'the details while both are unavailable (shipments: null, not an empty list)');
  await s.network.restart('customers');
  s.directory.failWith = 500;
  s.book.failWith = undefined;
  expectEqual(await details('Customers answering 500'), { order: theOrder, customer: null, shipments: PARCELS.slice(0, 2), missing: ['customers'] }, 'the details while Customers answers 500');
  s.directory.failWith = undefined;
  await s.network.crash('shipping');
  expectEqual(await details('Shipping crashed'), { order: theOrder, customer: LODZ, shipments: null, missing: ['shipping'] }, 'the details while Shipping is down');
  await s.db.query("UPDATE orders SET customer_id = 'c-gone' WHERE id = 900001");
  expectEqual(await details('a customer Customers does not know (404)'), { order: { ...theOrder, customerId: 'c-gone' }, customer: null, shipments: null, missing: ['customers', 'shipping'] }, 'the details of an order whose customer Customers answers 404 for');
});

test('the two calls run in parallel: the whole answer takes at most 200 ms', { task: 5, points: 5, timeoutMs: 10_000 }, async () => {
  const s = await seeded();
  s.directory.delayMs = 10_000;
  s.book.delayMs = 10_000;
  const { answer, bothCalled } = await startDetails(s, 900_017);
  if (!bothCalled) {
    const early = await settledSoon(answer, 20);
    if (early.done) throw new Error(`GET /orders/900017/details answered without calling both Customers and Shipping: ${early.value ? showAnswer(early.value).slice(0, 200) : 'it threw'}.`);
    await s.clock.advance(1_000);
    throw new Error(`GET /orders/900017/details called ${s.directory.requests.length ? 'Customers' : 'nobody'} and waited before calling ${s.directory.requests.length ? 'Shipping' : 'anyone'}: start both calls before awaiting either (Promise.all).`);
  }
  await s.clock.advance(200);
  const got = await settledSoon(answer);
  expect(got.done, 'both services taking 10 s: GET /orders/900017/details had not answered 200 ms after it called them (each call has its own 200 ms limit, running side by side)').toBe(true);
  expectEqual(got.value!.json, { order: await order(s, 900_017), customer: null, shipments: null, missing: ['customers', 'shipping'] }, 'the details while both are too slow');

  s.directory.requests.length = 0;
  s.book.requests.length = 0;
  s.directory.delayMs = 120;
  s.book.delayMs = 120;
  const second = await startDetails(s, 900_017);
  await s.clock.advance(120);
  await settledSoon(second.answer, 500); // both answers arrive
  await s.clock.advance(80);
  const both = await settledSoon(second.answer);
  expect(both.done, 'both services answering after 120 ms: the details 200 ms after the calls').toBe(true);
  expectEqual(both.value!.json, { order: await order(s, 900_017), customer: { id: 'c-07', name: 'Zoë Ça', email: 'zoe@example.com' }, shipments: [PARCELS[2]], missing: [] }, 'the details when both answer in 120 ms (in parallel they fit in 200 ms; one after the other they would not)');
});
