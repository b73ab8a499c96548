import { pg } from 'labkit/db';
import { describeOutcome, expect, expectEqual, expectMatch, test } from 'labkit/test';
import { EventStore } from '../src/event-store.ts';
import { orderStream, type RawEvent, type Upcaster } from '../src/events.ts';
import { payOrder, rehydrate } from '../src/order.ts';
import { upcast } from '../src/upcasters.ts';
import { insertEvent, MUG, placed, rowsOf } from './helpers.ts';

/** An OrderPlaced as the first version of the service wrote it. */
const legacyPlaced = (orderId: string, amount: number) => ({ type: 'OrderPlaced', data: { orderId, customerId: 'erin', amount } });

async function storeWithLegacyOrder(orderId = 'legacy-1', amount = 42.5) {
  const db = await pg();
  const store = new EventStore(db);
  await store.init();
  await insertEvent(db, orderStream(orderId), 1, legacyPlaced(orderId, amount), 1);
  return { db, store };
}

test('upcast leaves events already at the current schema version unchanged', { task: 5, points: 1 }, async () => {
  const current = { type: 'OrderPlaced', schemaVersion: 2, data: placed('1', 'alice', [MUG]).data as Record<string, unknown> };
  expectEqual(upcast(structuredClone(current)), current, 'upcast of an OrderPlaced at schema version 2');
  const payment = { type: 'OrderPaid', schemaVersion: 1, data: { paymentId: 'pay-1', amountCents: 2500 } };
  expectEqual(upcast(structuredClone(payment)), payment, 'upcast of an OrderPaid at schema version 1');
});

test('readStream turns a stored v1 OrderPlaced into the current v2 shape', { task: 5, points: 2 }, async () => {
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

/** What `run` threw, or a note that it returned instead. */
function thrown(run: () => unknown): unknown {
  try {
    return `it returned ${JSON.stringify(run())}`;
  } catch (error) {
    return error;
  }
}

test('upcast applies the upcasters one schema version at a time, and throws an Error when none covers a step', { task: 5, points: 3 }, async () => {
  const v1: RawEvent = { type: 'OrderPlaced', schemaVersion: 1, data: { orderId: 'Zoë-1', customerId: 'Zoë', amount: 10 } };
  const wrong: string[] = [];
  // The Error says what it could not upcast: the type, and the schema version it got stuck at.
  const mustThrow = (what: string, run: () => unknown, stuckAt: number) => {
    const outcome = thrown(run);
    if (!(outcome instanceof Error)) wrong.push(`${what}: ${String(outcome)}, instead of throwing an Error`);
    else if (!outcome.message.includes('OrderPlaced') || !outcome.message.includes(String(stuckAt))) {
      wrong.push(`${what}: it threw "${outcome.name}: ${outcome.message}", which does not name the type (OrderPlaced) and the schema version (${stuckAt}) no upcaster covers`);
    }
  };
  mustThrow('upcast of a v1 OrderPlaced with no upcasters', () => upcast(structuredClone(v1), []), 1);
  mustThrow('upcast of a v1 OrderPlaced with only an upcaster for OrderPaid from version 1', () => upcast(structuredClone(v1), [{ type: 'OrderPaid', fromVersion: 1, upcast: (d) => d }]), 1);
  expect(wrong.length, `no upcaster covers the step from schema version 1 to 2:\n    ${wrong.join('\n    ')}\n  `).toBe(0);

  // A store made with upcasters of its own reads with those: with none, a v1 event cannot be read.
  const db = await pg();
  const bare = new EventStore(db, { upcasters: [] });
  await bare.init();
  await insertEvent(db, orderStream('legacy-9'), 1, legacyPlaced('legacy-9', 42.5), 1);
  const read = await bare.readStream(orderStream('legacy-9')).then(
    (events) => `it returned ${events.length} event(s)`,
    (error: unknown) => error,
  );
  expect(read instanceof Error ? 'rejected with an Error' : String(read), 'readStream of a v1 OrderPlaced, on a store made with { upcasters: [] }').toBe('rejected with an Error');

  // A longer history, from schema version 0: the steps are listed out of order, beside
  // upcasters of another type at the same versions.
  const ran: string[] = [];
  const step = (type: string, fromVersion: number, mark: string): Upcaster => ({
    type,
    fromVersion,
    upcast: (data) => {
      ran.push(`${type} ${fromVersion}->${fromVersion + 1}`);
      return { ...data, [mark]: true };
    },
  });
  const chain = [step('OrderPaid', 1, 'paid1'), step('OrderPlaced', 1, 'second'), step('OrderPaid', 0, 'paid0'), step('OrderPlaced', 0, 'first')];
  const v0: RawEvent = { type: 'OrderPlaced', schemaVersion: 0, data: { note: 'ø' } };
  const result = (() => {
    try {
      return upcast(v0, chain);
    } catch (error) {
      return describeOutcome(error);
    }
  })();
  expectEqual(
    result,
    { type: 'OrderPlaced', schemaVersion: 2, data: { note: 'ø', first: true, second: true } },
    'upcast of an OrderPlaced at schema version 0 with the OrderPlaced steps 0->1 and 1->2 (and OrderPaid ones) given in another order',
  );
  expectEqual(ran, ['OrderPlaced 0->1', 'OrderPlaced 1->2'], 'the upcasters that ran, in the order they ran: the OrderPlaced ones, one version at a time');
  expectEqual(v0, { type: 'OrderPlaced', schemaVersion: 0, data: { note: 'ø' } }, 'upcast must not change the event it is given');
  mustThrow('upcast of an OrderPlaced at schema version 0 with only the step 0->1 (nothing covers 1->2)', () => upcast(structuredClone(v0), [chain[3]!]), 1);
  expect(wrong.length, `a step is missing:\n    ${wrong.join('\n    ')}\n  `).toBe(0);
});
