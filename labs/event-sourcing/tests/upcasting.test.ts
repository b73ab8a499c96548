import { pg } from 'labkit/db';
import { expect, test } from 'labkit/test';
import { EventStore } from '../src/event-store.ts';
import { orderStream } from '../src/events.ts';
import { payOrder, rehydrate } from '../src/order.ts';
import { upcast } from '../src/upcasters.ts';
import { expectEqual, expectMatch, insertEvent, MUG, placed, rowsOf } from './helpers.ts';

/** An OrderPlaced as the first version of the service wrote it. */
const legacyPlaced = (orderId: string, amount: number) => ({ type: 'OrderPlaced', data: { orderId, customerId: 'erin', amount } });

async function storeWithLegacyOrder(orderId = 'legacy-1', amount = 42.5) {
  const db = await pg();
  const store = new EventStore(db);
  await store.init();
  await insertEvent(db, orderStream(orderId), 1, legacyPlaced(orderId, amount), 1);
  return { db, store };
}

test('upcast leaves events already at the current schema version unchanged', { task: 5, points: 3 }, async () => {
  const current = { type: 'OrderPlaced', schemaVersion: 2, data: placed('1', 'alice', [MUG]).data as Record<string, unknown> };
  expectEqual(upcast(structuredClone(current)), current, 'upcast of an OrderPlaced at schema version 2');
  const payment = { type: 'OrderPaid', schemaVersion: 1, data: { paymentId: 'pay-1', amountCents: 2500 } };
  expectEqual(upcast(structuredClone(payment)), payment, 'upcast of an OrderPaid at schema version 1');
});

test('readStream turns a stored v1 OrderPlaced into the current v2 shape', { task: 5, points: 3 }, async () => {
  const { store } = await storeWithLegacyOrder('legacy-1', 42.5);
  const [event] = await store.readStream(orderStream('legacy-1'));
  expectMatch(event, { type: 'OrderPlaced', version: 1, schemaVersion: 2 }, 'the legacy event, as readStream returns it');
  expectEqual(
    event!.data,
    { orderId: 'legacy-1', customerId: 'erin', lines: [], totalCents: 4250, currency: 'EUR' },
    'its data: the v2 shape, and nothing else, for { orderId: "legacy-1", customerId: "erin", amount: 42.5 }',
  );
});

test('converts euro amounts to whole cents without floating-point drift', { task: 5, points: 2 }, async () => {
  const wrong: string[] = [];
  for (const [amount, cents] of [[19.99, 1999], [0.29, 29], [4.35, 435], [100, 10000], [0, 0]] as const) {
    const result = upcast({ type: 'OrderPlaced', schemaVersion: 1, data: legacyPlaced('x', amount).data });
    const totalCents = result.data.totalCents;
    if (totalCents !== cents) wrong.push(`${amount} euros gave ${String(totalCents)}, not ${cents}`);
  }
  expect(wrong.length, `amount in euros -> totalCents:\n    ${wrong.join('\n    ')}\n  `).toBe(0);
});

test('an order placed under schema v1 rehydrates and accepts a payment of its total', { task: 5, points: 3 }, async () => {
  const { store } = await storeWithLegacyOrder('legacy-2', 19.99);
  const stream = orderStream('legacy-2');
  const state = rehydrate(await store.readStream(stream));
  expectMatch(state, { status: 'placed', orderId: 'legacy-2', customerId: 'erin', totalCents: 1999, currency: 'EUR', lines: [] }, 'the state of an order placed under v1 for 19.99 euros');
  await store.append(stream, 1, payOrder(state, { paymentId: 'pay-legacy', amountCents: 1999 }));
  expect(rehydrate(await store.readStream(stream)).status, 'the legacy order after the payment').toBe('paid');
  const [first] = await store.readAll(0, 10);
  expectMatch(first?.data, { totalCents: 1999, currency: 'EUR' }, 'the legacy OrderPlaced as readAll returns it: upcast too');
});

test('upcasting happens on read and never rewrites the stored event', { task: 5, points: 2 }, async () => {
  const { db, store } = await storeWithLegacyOrder('legacy-3', 42.5);
  const stream = orderStream('legacy-3');
  const once = await store.readStream(stream);
  await store.readAll(0, 10);
  const twice = await store.readStream(stream);
  expectEqual(twice, once, 'reading the stream twice gives the same events');
  expectEqual(
    await rowsOf(db, stream),
    [{ version: 1, type: 'OrderPlaced', schemaVersion: 1, data: { orderId: 'legacy-3', customerId: 'erin', amount: 42.5 } }],
    'the row in the events table: still the v1 event',
  );

  const raw = { type: 'OrderPlaced', schemaVersion: 1, data: { orderId: 'legacy-4', customerId: 'erin', amount: 10 } };
  const upcasted = upcast(raw);
  expectEqual(raw, { type: 'OrderPlaced', schemaVersion: 1, data: { orderId: 'legacy-4', customerId: 'erin', amount: 10 } }, 'upcast must not change the event it is given');
  expect(upcasted.schemaVersion, 'the event upcast returns').toBe(2);
});
