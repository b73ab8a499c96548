import { expect, expectEqual, expectMatch, test } from 'labkit/test';
import { STEP_TIMEOUT_MS, sagaIdFor, type SagaState } from '../src/messages.ts';
import { begin, commandFor, onReply } from '../src/saga.ts';
import { ALL_PENDING, checkout, DECLINED_JOURNAL, deepFreeze, effectsOf, newShop, pure, reply, runDirect, START } from './helpers.ts';

test('out of stock: only the order is rejected', { task: 2, points: 4 }, async () => {
  const shop = await newShop({ MUG: 1 }, { orchestrator: false });
  const { state, journal } = await runDirect(shop, checkout('Łódź-0042', { quantity: 2 }));
  expectEqual(journal, ['orders: CreateOrder -> ok', 'inventory: ReserveStock -> failed', 'orders: RejectOrder -> ok'], 'the commands the participants handled, in order');
  expectMatch(
    state,
    { status: 'compensated', deadline: null, outcomes: { ...ALL_PENDING, createOrder: 'compensated', reserveStock: 'failed' } },
    'the final state: the failed step is "failed" (it did nothing, so it is not compensated), the steps after it never ran',
  );
  expectEqual(
    await effectsOf(shop, sagaIdFor('Łódź-0042'), 'Łódź-0042'),
    { order: 'REJECTED', reservation: 'refused', payment: 'none', shipment: 'none' },
    'what the four services hold about the saga',
  );
  expect(shop.inventory.available('MUG'), 'the one mug is still on the shelf').toBe(1);
});

test('payment declined: the stock is released, then the order rejected', { task: 2, points: 4 }, async () => {
  const shop = await newShop({ MUG: 10 }, { orchestrator: false });
  const { state, journal } = await runDirect(shop, checkout('東京-0100', { cardToken: 'tok_declined' }));
  expectEqual(journal, DECLINED_JOURNAL, 'the commands the participants handled, in order: compensations newest first');
  expectMatch(
    state,
    { status: 'compensated', deadline: null, outcomes: { ...ALL_PENDING, createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'failed' } },
    'the final state',
  );
  expectEqual(
    await effectsOf(shop, sagaIdFor('東京-0100'), '東京-0100'),
    { order: 'REJECTED', reservation: 'released', payment: 'declined', shipment: 'none' },
    'what the four services hold about the saga',
  );
  expect(shop.inventory.available('MUG'), 'the 2 mugs are back on the shelf').toBe(10);
});

test('no carrier for the destination: refund, release, reject, in that order', { task: 2, points: 4 }, async () => {
  const shop = await newShop({ MUG: 10 }, { orchestrator: false });
  const { state, journal } = await runDirect(shop, checkout('Ōsaka-0517', { country: 'AQ' }));
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
    await effectsOf(shop, sagaIdFor('Ōsaka-0517'), 'Ōsaka-0517'),
    { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'refused' },
    'what the four services hold about the saga',
  );
  expect(shop.inventory.available('MUG'), 'the 2 mugs are back on the shelf').toBe(10);
});

test('a compensating saga waits for each compensation, with a deadline, and ignores everything else', { task: 2, points: 4 }, () => {
  const sagaId = sagaIdFor('A-1017');
  const at = (ms: number) => START + ms;
  // The card was declined at START; the saga now waits for ReleaseStock.
  const releasing: SagaState = deepFreeze({
    ...begin(checkout('A-1017'), START),
    status: 'compensating',
    step: 1,
    outcomes: { ...ALL_PENDING, createOrder: 'done', reserveStock: 'done', capturePayment: 'failed' },
    deadline: at(STEP_TIMEOUT_MS),
  });
  expectMatch(pure('commandFor', () => commandFor(releasing)) ?? {}, { type: 'ReleaseStock', step: 'reserveStock', action: 'undo', service: 'inventory' }, 'commandFor(a saga compensating reserveStock)');
  const ignored: [string, Parameters<typeof onReply>[1]][] = [
    ['a late second copy of the ReserveStock reply', reply(sagaId, 'reserveStock', 'ReserveStock')],
    ['a second copy of the declined CapturePayment', reply(sagaId, 'capturePayment', 'CapturePayment', false)],
    ['a ReleaseStock that reports a failure (compensations are retried, not given up)', reply(sagaId, 'reserveStock', 'ReleaseStock', false, 'undo')],
    ['the RejectOrder reply, for a compensation not asked for yet', reply(sagaId, 'createOrder', 'RejectOrder', true, 'undo')],
  ];
  for (const [what, r] of ignored) expect(pure('onReply', () => onReply(releasing, r, at(10))), `onReply(saga compensating reserveStock, ${what}) must return undefined`).toBeUndefined();

  const next = pure('onReply', () => onReply(releasing, reply(sagaId, 'reserveStock', 'ReleaseStock', true, 'undo'), at(10)));
  expectEqual(
    next,
    { ...releasing, step: 0, outcomes: { ...releasing.outcomes, reserveStock: 'compensated' }, deadline: at(10 + STEP_TIMEOUT_MS) },
    `onReply(saga compensating reserveStock, its ReleaseStock reply, now = ${at(10)}): on to the compensation of createOrder`,
  );
  const rejected = pure('onReply', () => onReply(deepFreeze(next!), reply(sagaId, 'createOrder', 'RejectOrder', true, 'undo'), at(20)));
  expectMatch(rejected ?? {}, { status: 'compensated', deadline: null, outcomes: { ...releasing.outcomes, reserveStock: 'compensated', createOrder: 'compensated' } }, 'after the RejectOrder reply');
  expect(commandFor(rejected!), 'commandFor(a compensated saga)').toBeUndefined();
  expect(
    pure('onReply', () => onReply(deepFreeze(rejected!), reply(sagaId, 'createOrder', 'RejectOrder', true, 'undo'), at(30))),
    'onReply(a compensated saga, a second copy of the RejectOrder reply) must return undefined',
  ).toBeUndefined();
  expectEqual(releasing.outcomes, { ...ALL_PENDING, createOrder: 'done', reserveStock: 'done', capturePayment: 'failed' }, 'the state given to onReply is left as it was');

  // Even the last step is a forward step: were ConfirmOrder refused, the steps before it would be undone, newest first.
  const confirming: SagaState = deepFreeze({ ...releasing, status: 'running', step: 4, outcomes: { createOrder: 'done', reserveStock: 'done', capturePayment: 'done', scheduleShipment: 'done', confirmOrder: 'pending' } });
  expectMatch(
    pure('onReply', () => onReply(confirming, reply(sagaId, 'confirmOrder', 'ConfirmOrder', false), at(40))) ?? {},
    { status: 'compensating', step: 3, deadline: at(40 + STEP_TIMEOUT_MS), outcomes: { ...confirming.outcomes, confirmOrder: 'failed' } },
    'onReply(a saga waiting for ConfirmOrder, a failed reply): ConfirmOrder is "failed", and CancelShipment comes next',
  );

  // The very first step refused: nothing happened before it, so there is nothing to undo.
  const creating = deepFreeze(begin(checkout('B-0204'), START));
  expectMatch(
    pure('onReply', () => onReply(creating, reply(sagaIdFor('B-0204'), 'createOrder', 'CreateOrder', false), at(5))) ?? {},
    { status: 'compensated', deadline: null, outcomes: { ...ALL_PENDING, createOrder: 'failed' } },
    'onReply(a new saga, a failed reply to CreateOrder): no step before it to compensate, so the saga is compensated at once',
  );
});
