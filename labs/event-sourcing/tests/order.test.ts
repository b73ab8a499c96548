import { pg } from 'labkit/db';
import { describeOutcome, expect, expectEqual, expectMatch, isEqual, test } from 'labkit/test';
import { DomainError } from '../src/errors.ts';
import { EventStore } from '../src/event-store.ts';
import type { OrderEvent, OrderLine } from '../src/events.ts';
import { addLine, cancelOrder, evolve, initialState, payOrder, placeOrder, rehydrate, removeLine, shipOrder, type OrderState } from '../src/order.ts';
import { cancelled, insertEvent, lineAdded, lineRemoved, MUG, paid, placed, shipped, skipPositions, TEA } from './helpers.ts';

test('readStream returns the events of one stream in order, or only those after a version', { task: 2, points: 3 }, async () => {
  const db = await pg();
  const store = new EventStore(db);
  await store.init();
  // Three streams, interleaved, written straight into the table; order-10's id starts like
  // order-1's, and order-Zoë was imported from the old system with its rows out of order.
  await insertEvent(db, 'order-1', 1, placed('1'));
  await insertEvent(db, 'order-10', 1, placed('10', 'bob'));
  await insertEvent(db, 'order-1', 2, lineAdded('TEA', 3, 400));
  await skipPositions(db, 30);
  await insertEvent(db, 'order-Zoë', 3, shipped('TRACK-Z'));
  await insertEvent(db, 'order-Zoë', 1, placed('Zoë', 'Zoë'));
  await insertEvent(db, 'order-1', 3, paid('pay-1', 3700));
  await insertEvent(db, 'order-10', 2, cancelled());
  await insertEvent(db, 'order-Zoë', 2, paid('pay-Z', 2500));
  await insertEvent(db, 'order-1', 4, shipped('TRACK-1'));
  // Fresh statistics, as a server's autovacuum keeps them: the planner knows the table is small
  // and may read it in the order its rows were stored.
  await db.exec('ANALYZE events');

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
  expectEqual(
    (await store.readStream('order-Zoë')).map((e) => `${e.version} ${e.type}`),
    ['1 OrderPlaced', '2 OrderPaid', '3 OrderShipped'],
    'the events of order-Zoë, whose rows were stored as versions 3, 1, 2: by version all the same',
  );
  expectEqual((await store.readStream('order-Zoë', 1)).map((e) => e.version), [2, 3], "readStream('order-Zoë', 1): the versions after version 1, by version");
  expectEqual((await store.readStream('order-10')).map((e) => e.version), [1, 2], 'the events of order-10, and none of order-1');
  expectEqual(await store.readStream('order-404'), [], 'readStream of a stream without events');
});

test('rehydrate folds the events of an order into its current state', { task: 2, points: 4 }, async () => {
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
  const inKronor: OrderEvent = { type: 'OrderPlaced', data: { orderId: 'Zoë-2', customerId: 'Zoë', lines: [MUG, TEA], totalCents: 3700, currency: 'SEK' } };
  expectMatch(
    rehydrate([inKronor, lineRemoved('TEA'), cancelled('hittade det billigare')]),
    { status: 'cancelled', orderId: 'Zoë-2', customerId: 'Zoë', lines: [MUG], totalCents: 2500, currency: 'SEK', cancelReason: 'hittade det billigare', paymentId: null },
    'the state after OrderPlaced (2 MUG at 1250, 3 TEA at 400, in SEK), OrderLineRemoved (TEA), OrderCancelled',
  );

  // evolve returns a new state: the states before it must stay as they were, whatever the event.
  let state = initialState;
  for (const event of [...history, placed('3', 'carol', [TEA]), lineAdded('CUP'), lineRemoved('CUP'), cancelled()]) {
    const before = structuredClone(state);
    const kept = state;
    state = evolve(state, event);
    expectEqual(kept, before, `evolve(state, ${event.type}) changed the state it was given; it should return a new one`);
  }
  expectEqual(initialState, initialCopy, 'initialState must not change');
});

test('evolve applies each event as the table says, even one a command would refuse', { task: 2, points: 3 }, async () => {
  const open = rehydrate([placed('1', 'alice', [MUG])]); // total 2500
  const paidOrder = rehydrate([placed('1', 'alice', [MUG]), paid('pay-1', 2500)]);
  const shippedOrder = rehydrate([placed('1', 'alice', [MUG]), paid('pay-1', 2500), shipped('TRACK-1')]);
  const cancelledOrder = rehydrate([placed('1', 'alice', [MUG]), cancelled()]);
  const cup: OrderLine = { sku: 'CUP', quantity: 2, priceCents: 300 };
  // An order placed under schema v1, as upcast: a total, and no lines.
  const legacy = rehydrate([{ type: 'OrderPlaced', data: { orderId: 'A-17', customerId: 'erin', lines: [], totalCents: 4250, currency: 'EUR' } }]);
  const legacyWithTea = rehydrate([{ type: 'OrderPlaced', data: { orderId: 'A-17', customerId: 'erin', lines: [], totalCents: 4250, currency: 'EUR' } }, lineAdded('TEA', 3, 400)]);
  const cases: [string, OrderState, OrderEvent, Partial<OrderState>][] = [
    ['OrderShipped on an order that was never paid', open, shipped('TRACK-2'), { status: 'shipped', trackingNumber: 'TRACK-2', paymentId: null }],
    ['OrderPaid on a cancelled order', cancelledOrder, paid('pay-2', 2500), { status: 'paid', paymentId: 'pay-2' }],
    ['OrderPaid of an amount other than the total', open, paid('pay-3', 1), { status: 'paid', paymentId: 'pay-3', totalCents: 2500 }],
    ['OrderLineAdded to a paid order', paidOrder, { type: 'OrderLineAdded', data: cup }, { status: 'paid', lines: [MUG, cup], totalCents: 3100 }],
    ['OrderCancelled of a shipped order', shippedOrder, cancelled('lost in the post'), { status: 'cancelled', cancelReason: 'lost in the post' }],
    ['OrderLineRemoved of a SKU that is not on the order', open, lineRemoved('NOPE'), { status: 'placed', lines: [MUG], totalCents: 2500 }],
    ['OrderLineAdded (3 TEA at 400) to an order placed under schema v1 (a total of 4250, no lines)', legacy, lineAdded('TEA', 3, 400), { lines: [TEA], totalCents: 5450 }],
    ['OrderLineRemoved (TEA) of that line again', legacyWithTea, lineRemoved('TEA'), { lines: [], totalCents: 4250 }],
  ];
  const wrong: string[] = [];
  for (const [what, state, event, expected] of cases) {
    let after: OrderState;
    try {
      after = evolve(state, event);
    } catch (error) {
      wrong.push(`${what}: ${describeOutcome(error)}`);
      continue;
    }
    for (const [key, value] of Object.entries(expected)) {
      const got = after[key as keyof OrderState];
      if (!isEqual(got, value)) wrong.push(`${what}: ${key} should be ${JSON.stringify(value)}, got ${JSON.stringify(got)}`);
    }
  }
  expect(
    wrong.length,
    `evolve applies each event as the README's table says (totalCents grows or shrinks by the line's quantity x priceCents), and never throws: events are facts that already happened:\n    ${wrong.join('\n    ')}\n  `,
  ).toBe(0);
});

test('valid commands return the events that record them', { task: 2, points: 3 }, async () => {
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
  const gift: OrderLine = { sku: '東京-GIFT', quantity: 1, priceCents: 0 };
  const mugs: OrderLine = { sku: 'Łódź-MUG', quantity: 12, priceCents: 1250 };
  expectEqual(
    placeOrder(initialState, { orderId: 'Zoë-3', customerId: 'Zoë', lines: [gift, mugs] }),
    [{ type: 'OrderPlaced', data: { orderId: 'Zoë-3', customerId: 'Zoë', lines: [gift, mugs], totalCents: 15000, currency: 'EUR' } }],
    'placeOrder with a free line (a price of 0 cents is allowed) and 12 MUG at 1250',
  );
  const open = rehydrate([placed('1', 'alice', [MUG, TEA])]);
  expectEqual(addLine(open, { sku: 'CUP', quantity: 1, priceCents: 900 }), [lineAdded('CUP', 1, 900)], 'addLine on a placed order');
  expectEqual(addLine(open, { sku: 'FREE', quantity: 3, priceCents: 0 }), [lineAdded('FREE', 3, 0)], 'addLine of a free line');
  expectEqual(removeLine(open, 'TEA'), [lineRemoved('TEA')], 'removeLine of a SKU on the order');
  const teaRemoved = rehydrate([placed('1', 'alice', [MUG, TEA]), lineRemoved('TEA')]);
  expectEqual(addLine(teaRemoved, TEA), [lineAdded('TEA', 3, 400)], 'addLine of a SKU that was on the order and was removed');
  expectEqual(payOrder(open, { paymentId: 'pay-1', amountCents: 3700 }), [paid('pay-1', 3700)], 'payOrder for the total');
  expectEqual(cancelOrder(open, { reason: 'oops' }), [cancelled('oops')], 'cancelOrder on a placed order');

  const paidOrder = rehydrate([placed('1', 'alice', [MUG, TEA]), paid('pay-1', 3700)]);
  expectEqual(shipOrder(paidOrder, { trackingNumber: 'TRACK-7' }), [shipped('TRACK-7')], 'shipOrder on a paid order');
  expectEqual(cancelOrder(paidOrder, { reason: 'too slow' }), [cancelled('too slow')], 'cancelOrder on a paid order');
});

/** The cases that did not throw a DomainError, each with what happened instead. */
function notRejected(cases: [string, () => unknown][]): string[] {
  const wrong: string[] = [];
  for (const [what, run] of cases) {
    try {
      wrong.push(`${what}: ${describeOutcome(run())}`);
    } catch (error) {
      if (!(error instanceof DomainError)) wrong.push(`${what}: ${describeOutcome(error)}, not a DomainError`);
    }
  }
  return wrong;
}

test('commands reject what the current state does not allow with a DomainError', { task: 2, points: 4 }, async () => {
  const none = initialState;
  const open = rehydrate([placed('1', 'alice', [MUG])]); // total 2500
  const paidOrder = rehydrate([placed('1', 'alice', [MUG]), paid('pay-1', 2500)]);
  const shippedOrder = rehydrate([placed('1', 'alice', [MUG]), paid('pay-1', 2500), shipped('TRACK-1')]);
  const cancelledOrder = rehydrate([placed('1', 'alice', [MUG]), cancelled()]);
  const paidThenCancelled = rehydrate([placed('1', 'alice', [MUG]), paid('pay-1', 2500), cancelled()]);
  const place = { orderId: '1', customerId: 'alice', lines: [MUG] };

  const wrong = notRejected([
    ['placing an order that already exists', () => placeOrder(open, place)],
    ['placing an order that was paid', () => placeOrder(paidOrder, place)],
    ['placing an order that was cancelled', () => placeOrder(cancelledOrder, place)],
    ['adding a line to an order that does not exist', () => addLine(none, TEA)],
    ['adding a SKU that is already on the order', () => addLine(open, MUG)],
    ['adding a SKU that is already on an order of two lines', () => addLine(rehydrate([placed('2', 'bob', [MUG, TEA])]), { sku: 'TEA', quantity: 1, priceCents: 400 })],
    ['adding a line to a paid order', () => addLine(paidOrder, TEA)],
    ['adding a line to a cancelled order', () => addLine(cancelledOrder, TEA)],
    ['adding a line to a shipped order', () => addLine(shippedOrder, TEA)],
    ['removing a SKU that is not on the order', () => removeLine(open, 'TEA')],
    ['removing a line from an order that does not exist', () => removeLine(none, 'MUG')],
    ['removing a line from a paid order', () => removeLine(paidOrder, 'MUG')],
    ['removing a line from a cancelled order', () => removeLine(cancelledOrder, 'MUG')],
    ['paying an order that does not exist', () => payOrder(none, { paymentId: 'p', amountCents: 0 })],
    ['paying less than the total', () => payOrder(open, { paymentId: 'p', amountCents: 2499 })],
    ['paying more than the total', () => payOrder(open, { paymentId: 'p', amountCents: 2501 })],
    ['paying an order twice', () => payOrder(paidOrder, { paymentId: 'p', amountCents: 2500 })],
    ['paying a cancelled order', () => payOrder(cancelledOrder, { paymentId: 'p', amountCents: 2500 })],
    ['paying a shipped order', () => payOrder(shippedOrder, { paymentId: 'p', amountCents: 2500 })],
    ['shipping an order that does not exist', () => shipOrder(none, { trackingNumber: 'T' })],
    ['shipping an unpaid order', () => shipOrder(open, { trackingNumber: 'T' })],
    ['shipping an order twice', () => shipOrder(shippedOrder, { trackingNumber: 'T' })],
    ['shipping an order that was paid, then cancelled', () => shipOrder(paidThenCancelled, { trackingNumber: 'T' })],
    ['cancelling a shipped order', () => cancelOrder(shippedOrder, { reason: 'r' })],
    ['cancelling an order twice', () => cancelOrder(cancelledOrder, { reason: 'r' })],
    ['cancelling an order that does not exist', () => cancelOrder(none, { reason: 'r' })],
  ]);
  expect(wrong.length, `each of these commands should throw a DomainError:\n    ${wrong.join('\n    ')}\n  `).toBe(0);
});

test('placeOrder and addLine reject lines that are not whole quantities of at least 1 at whole prices of at least 0 cents', { task: 2, points: 3 }, async () => {
  const open = rehydrate([placed('1', 'alice', [MUG])]);
  const place = (lines: OrderLine[]) => () => placeOrder(initialState, { orderId: '1', customerId: 'alice', lines });
  const line = (quantity: number, priceCents: number): OrderLine => ({ sku: 'BAD', quantity, priceCents });
  const wrong = notRejected([
    ['placing an order with no lines', place([])],
    ['placing an order with a quantity of 0', place([line(0, 1250)])],
    ['placing an order with a quantity of -1', place([line(-1, 1250)])],
    ['placing an order with a quantity of 1.5', place([line(1.5, 1250)])],
    ['placing an order with a price of -1 cents', place([line(1, -1)])],
    ['placing an order with a price of 12.5 cents', place([line(1, 12.5)])],
    ['placing an order whose second line has a quantity of 0', place([MUG, line(0, 400)])],
    ['placing an order whose third line has a price of -400 cents', place([MUG, TEA, line(2, -400)])],
    ['adding a line with a quantity of 0', () => addLine(open, line(0, 400))],
    ['adding a line with a quantity of 2.5', () => addLine(open, line(2.5, 400))],
    ['adding a line with a price of -100 cents', () => addLine(open, line(1, -100))],
    ['adding a line with a price of 0.5 cents', () => addLine(open, line(1, 0.5))],
  ]);
  expect(wrong.length, `each of these commands should throw a DomainError:\n    ${wrong.join('\n    ')}\n  `).toBe(0);
});
