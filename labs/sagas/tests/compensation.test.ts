import { expect, test } from 'labkit/test';
import { STEP_TIMEOUT_MS, sagaIdFor, type SagaState } from '../src/messages.ts';
import { begin, commandFor, onReply } from '../src/saga.ts';
import { ALL_PENDING, checkout, DECLINED_JOURNAL, effectsOf, expectEqual, expectMatch, newShop, reply, runDirect } from './helpers.ts';

test('out of stock: only the order is rejected', { task: 2, points: 5 }, async () => {
  const shop = await newShop({ MUG: 1 }, { orchestrator: false });
  const { state, journal } = await runDirect(shop, checkout('A-1', { quantity: 2 }));
  expectEqual(journal, ['orders: CreateOrder -> ok', 'inventory: ReserveStock -> failed', 'orders: RejectOrder -> ok'], 'the commands the participants handled, in order');
  expectMatch(
    state,
    { status: 'compensated', deadline: null, outcomes: { ...ALL_PENDING, createOrder: 'compensated', reserveStock: 'failed' } },
    'the final state: the failed step is "failed" (it did nothing, so it is not compensated), the steps after it never ran',
  );
  expectEqual(
    await effectsOf(shop, sagaIdFor('A-1'), 'A-1'),
    { order: 'REJECTED', reservation: 'refused', payment: 'none', shipment: 'none' },
    'what the four services hold about the saga',
  );
  expect(shop.inventory.available('MUG'), 'the one mug is still on the shelf').toBe(1);
});

test('payment declined: the stock is released, then the order rejected', { task: 2, points: 5 }, async () => {
  const shop = await newShop({ MUG: 10 }, { orchestrator: false });
  const { state, journal } = await runDirect(shop, checkout('A-1', { cardToken: 'tok_declined' }));
  expectEqual(journal, DECLINED_JOURNAL, 'the commands the participants handled, in order: compensations newest first');
  expectMatch(
    state,
    { status: 'compensated', deadline: null, outcomes: { ...ALL_PENDING, createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'failed' } },
    'the final state',
  );
  expectEqual(
    await effectsOf(shop, sagaIdFor('A-1'), 'A-1'),
    { order: 'REJECTED', reservation: 'released', payment: 'declined', shipment: 'none' },
    'what the four services hold about the saga',
  );
  expect(shop.inventory.available('MUG'), 'the 2 mugs are back on the shelf').toBe(10);
});

test('no carrier for the destination: refund, release, reject, in that order', { task: 2, points: 5 }, async () => {
  const shop = await newShop({ MUG: 10 }, { orchestrator: false });
  const { state, journal } = await runDirect(shop, checkout('A-1', { country: 'AQ' }));
  expectEqual(
    journal,
    [
      'orders: CreateOrder -> ok',
      'inventory: ReserveStock -> ok',
      'payments: CapturePayment -> ok',
      'shipping: ScheduleShipment -> failed',
      'payments: RefundPayment -> ok',
      'inventory: ReleaseStock -> ok',
      'orders: RejectOrder -> ok',
    ],
    'the commands the participants handled, in order: compensations newest first',
  );
  expectMatch(
    state,
    {
      status: 'compensated',
      deadline: null,
      outcomes: { createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'compensated', scheduleShipment: 'failed', confirmOrder: 'pending' },
    },
    'the final state',
  );
  expectEqual(
    await effectsOf(shop, sagaIdFor('A-1'), 'A-1'),
    { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'refused' },
    'what the four services hold about the saga',
  );
  expect(shop.inventory.available('MUG'), 'the 2 mugs are back on the shelf').toBe(10);
});

test('a compensating saga waits for each compensation, with a deadline, and ignores everything else', { task: 2, points: 3 }, () => {
  const sagaId = sagaIdFor('A-1');
  // The card was declined at time 0; the saga now waits for ReleaseStock.
  const releasing: SagaState = {
    ...begin(checkout('A-1'), 0),
    status: 'compensating',
    step: 1,
    outcomes: { ...ALL_PENDING, createOrder: 'done', reserveStock: 'done', capturePayment: 'failed' },
    deadline: STEP_TIMEOUT_MS,
  };
  expectMatch(commandFor(releasing) ?? {}, { type: 'ReleaseStock', step: 'reserveStock', action: 'undo', service: 'inventory' }, 'commandFor(a saga compensating reserveStock)');
  const ignored: [string, Parameters<typeof onReply>[1]][] = [
    ['a late second copy of the ReserveStock reply', reply(sagaId, 'reserveStock', 'ReserveStock')],
    ['a second copy of the declined CapturePayment', reply(sagaId, 'capturePayment', 'CapturePayment', false)],
    ['a ReleaseStock that reports a failure (compensations are retried, not given up)', reply(sagaId, 'reserveStock', 'ReleaseStock', false, 'undo')],
  ];
  for (const [what, r] of ignored) expect(onReply(releasing, r, 10), `onReply(saga compensating reserveStock, ${what}) must return undefined`).toBeUndefined();

  const next = onReply(releasing, reply(sagaId, 'reserveStock', 'ReleaseStock', true, 'undo'), 10);
  expectEqual(
    next,
    { ...releasing, step: 0, outcomes: { ...releasing.outcomes, reserveStock: 'compensated' }, deadline: 10 + STEP_TIMEOUT_MS },
    'onReply(saga compensating reserveStock, its ReleaseStock reply, now = 10): on to the compensation of createOrder',
  );
  const rejected = onReply(next!, reply(sagaId, 'createOrder', 'RejectOrder', true, 'undo'), 20);
  expectMatch(rejected ?? {}, { status: 'compensated', deadline: null, outcomes: { ...releasing.outcomes, reserveStock: 'compensated', createOrder: 'compensated' } }, 'after the RejectOrder reply');
  expect(commandFor(rejected!), 'commandFor(a compensated saga)').toBeUndefined();
});
