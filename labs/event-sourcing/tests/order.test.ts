import { pg } from 'labkit/db';
import { expect, test } from 'labkit/test';
import { DomainError } from '../src/errors.ts';
import { EventStore } from '../src/event-store.ts';
import { addLine, cancelOrder, evolve, initialState, payOrder, placeOrder, rehydrate, removeLine, shipOrder } from '../src/order.ts';
import { cancelled, describeOutcome, expectEqual, expectMatch, insertEvent, lineAdded, lineRemoved, MUG, paid, placed, shipped, TEA } from './helpers.ts';

test('readStream returns the events of one stream in order, or only those after a version', { task: 2, points: 4 }, async () => {
  const db = await pg();
  const store = new EventStore(db);
  await store.init();
  // Two streams, interleaved, written straight into the table.
  await insertEvent(db, 'order-1', 1, placed('1'));
  await insertEvent(db, 'order-2', 1, placed('2', 'bob'));
  await insertEvent(db, 'order-1', 2, lineAdded('TEA', 3, 400));
  await insertEvent(db, 'order-1', 3, paid('pay-1', 3700));
  await insertEvent(db, 'order-2', 2, cancelled());
  await insertEvent(db, 'order-1', 4, shipped('TRACK-1'));

  const events = await store.readStream('order-1');
  expectEqual(
    events.map((e) => `${e.version} ${e.type}`),
    ['1 OrderPlaced', '2 OrderLineAdded', '3 OrderPaid', '4 OrderShipped'],
    'the events of order-1, by version',
  );
  expectMatch(events[0], { streamId: 'order-1', version: 1, type: 'OrderPlaced', schemaVersion: 2, data: placed('1').data }, 'the first event, with its data and metadata');
  expect(events[0]!.recordedAt, 'recordedAt is a Date').toBeInstanceOf(Date);
  const positions = events.map((e) => e.position);
  expect(positions.every((p, i) => typeof p === 'number' && (i === 0 || p > positions[i - 1]!)), `positions are increasing numbers: ${positions.join(', ')}`).toBe(true);

  expectEqual((await store.readStream('order-1', 2)).map((e) => e.version), [3, 4], "readStream('order-1', 2): the versions of the events after version 2");
  expectEqual(await store.readStream('order-1', 4), [], "readStream('order-1', 4): nothing after the last version");
  expectEqual(await store.readStream('order-404'), [], 'readStream of a stream without events');
});

test('rehydrate folds the events of an order into its current state', { task: 2, points: 5 }, async () => {
  const initialCopy = structuredClone(initialState);
  expectEqual(rehydrate([]), initialState, 'rehydrate([]) should be the initial state');

  const history = [placed('1', 'alice', [MUG]), lineAdded('TEA', 3, 400), lineRemoved('MUG'), paid('pay-1', 1200), shipped('TRACK-1')];
  expectMatch(
    rehydrate(history),
    {
      status: 'shipped',
      orderId: '1',
      customerId: 'alice',
      lines: [{ sku: 'TEA', quantity: 3, priceCents: 400 }],
      totalCents: 1200,
      currency: 'EUR',
      paymentId: 'pay-1',
      trackingNumber: 'TRACK-1',
      cancelReason: null,
    },
    'the state after OrderPlaced (2 MUG at 1250), OrderLineAdded (3 TEA at 400), OrderLineRemoved (MUG), OrderPaid, OrderShipped',
  );
  expectMatch(
    rehydrate([placed('2', 'bob', [MUG, TEA]), cancelled('found it cheaper')]),
    { status: 'cancelled', customerId: 'bob', totalCents: 3700, cancelReason: 'found it cheaper', paymentId: null },
    'the state after OrderPlaced (2 MUG at 1250, 3 TEA at 400), OrderCancelled',
  );

  // evolve returns a new state: the states before it must stay as they were.
  let state = initialState;
  for (const event of [...history.slice(0, 3), placed('3', 'carol', [TEA]), lineAdded('CUP'), cancelled()]) {
    const before = structuredClone(state);
    const kept = state;
    state = evolve(state, event);
    expectEqual(kept, before, `evolve(state, ${event.type}) changed the state it was given; it should return a new one`);
  }
  expectEqual(initialState, initialCopy, 'initialState must not change');
});

test('valid commands return the events that record them', { task: 2, points: 4 }, async () => {
  expectEqual(
    placeOrder(initialState, { orderId: '1', customerId: 'alice', lines: [MUG, TEA] }),
    [{ type: 'OrderPlaced', data: { orderId: '1', customerId: 'alice', lines: [MUG, TEA], totalCents: 3700, currency: 'EUR' } }],
    'placeOrder of 2 MUG at 1250 and 3 TEA at 400 on a new order',
  );
  expectEqual(
    placeOrder(initialState, { orderId: '2', customerId: 'bob', lines: [TEA], currency: 'SEK' }),
    [{ type: 'OrderPlaced', data: { orderId: '2', customerId: 'bob', lines: [TEA], totalCents: 1200, currency: 'SEK' } }],
    'placeOrder with a currency',
  );
  const open = rehydrate([placed('1', 'alice', [MUG, TEA])]);
  expectEqual(addLine(open, { sku: 'CUP', quantity: 1, priceCents: 900 }), [lineAdded('CUP', 1, 900)], 'addLine on a placed order');
  expectEqual(removeLine(open, 'TEA'), [lineRemoved('TEA')], 'removeLine of a SKU on the order');
  expectEqual(payOrder(open, { paymentId: 'pay-1', amountCents: 3700 }), [paid('pay-1', 3700)], 'payOrder for the total');
  expectEqual(cancelOrder(open, { reason: 'oops' }), [cancelled('oops')], 'cancelOrder on a placed order');

  const paidOrder = rehydrate([placed('1', 'alice', [MUG, TEA]), paid('pay-1', 3700)]);
  expectEqual(shipOrder(paidOrder, { trackingNumber: 'TRACK-7' }), [shipped('TRACK-7')], 'shipOrder on a paid order');
  expectEqual(cancelOrder(paidOrder, { reason: 'too slow' }), [cancelled('too slow')], 'cancelOrder on a paid order');
});

test('commands reject what the current state does not allow with a DomainError', { task: 2, points: 5 }, async () => {
  const none = initialState;
  const open = rehydrate([placed('1', 'alice', [MUG])]); // total 2500
  const paidOrder = rehydrate([placed('1', 'alice', [MUG]), paid('pay-1', 2500)]);
  const shippedOrder = rehydrate([placed('1', 'alice', [MUG]), paid('pay-1', 2500), shipped('TRACK-1')]);
  const cancelledOrder = rehydrate([placed('1', 'alice', [MUG]), cancelled()]);
  const place = { orderId: '1', customerId: 'alice', lines: [MUG] };

  const cases: [string, () => unknown][] = [
    ['placing an order that already exists', () => placeOrder(open, place)],
    ['placing an order with no lines', () => placeOrder(none, { ...place, lines: [] })],
    ['placing an order with a quantity of 0', () => placeOrder(none, { ...place, lines: [{ sku: 'MUG', quantity: 0, priceCents: 1250 }] })],
    ['adding a line to an order that does not exist', () => addLine(none, TEA)],
    ['adding a SKU that is already on the order', () => addLine(open, MUG)],
    ['adding a line to a paid order', () => addLine(paidOrder, TEA)],
    ['removing a SKU that is not on the order', () => removeLine(open, 'TEA')],
    ['paying an order that does not exist', () => payOrder(none, { paymentId: 'p', amountCents: 0 })],
    ['paying less than the total', () => payOrder(open, { paymentId: 'p', amountCents: 2499 })],
    ['paying an order twice', () => payOrder(paidOrder, { paymentId: 'p', amountCents: 2500 })],
    ['paying a cancelled order', () => payOrder(cancelledOrder, { paymentId: 'p', amountCents: 2500 })],
    ['shipping an unpaid order', () => shipOrder(open, { trackingNumber: 'T' })],
    ['shipping an order twice', () => shipOrder(shippedOrder, { trackingNumber: 'T' })],
    ['cancelling a shipped order', () => cancelOrder(shippedOrder, { reason: 'r' })],
    ['cancelling an order twice', () => cancelOrder(cancelledOrder, { reason: 'r' })],
    ['cancelling an order that does not exist', () => cancelOrder(none, { reason: 'r' })],
  ];
  const wrong: string[] = [];
  for (const [what, run] of cases) {
    try {
      wrong.push(`${what}: ${describeOutcome(run())}`);
    } catch (error) {
      if (!(error instanceof DomainError)) wrong.push(`${what}: ${describeOutcome(error)}, not a DomainError`);
    }
  }
  expect(wrong.length, `each of these commands should throw a DomainError:\n    ${wrong.join('\n    ')}\n  `).toBe(0);
});
