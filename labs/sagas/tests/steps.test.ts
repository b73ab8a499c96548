import { expect, expectEqual, expectMatch, showValue, test } from 'labkit/test';
import { STEP_TIMEOUT_MS, sagaIdFor, type SagaState } from '../src/messages.ts';
import { begin, commandFor, onReply, PLACE_ORDER_STEPS } from '../src/saga.ts';
import { ALL_DONE, ALL_PENDING, checkout, deepFreeze, effectsOf, HAPPY_JOURNAL, newShop, pure, reply, runDirect, START } from './helpers.ts';

test('the saga has the five steps of PlaceOrder, each with its service, command and compensation', { task: 1, points: 2 }, () => {
  expectEqual(
    PLACE_ORDER_STEPS.map((s) => ({ ...s })),
    [
      { name: 'createOrder', service: 'orders', command: 'CreateOrder', compensation: 'RejectOrder' },
      { name: 'reserveStock', service: 'inventory', command: 'ReserveStock', compensation: 'ReleaseStock' },
      { name: 'capturePayment', service: 'payments', command: 'CapturePayment', compensation: 'RefundPayment' },
      { name: 'scheduleShipment', service: 'shipping', command: 'ScheduleShipment', compensation: 'CancelShipment' },
      { name: 'confirmOrder', service: 'orders', command: 'ConfirmOrder', compensation: null },
    ],
    'PLACE_ORDER_STEPS, in order',
  );
});

test('begin starts a running saga at the first step, with a deadline', { task: 1, points: 2 }, () => {
  const order = deepFreeze(checkout('Łódź-0042'));
  const state = pure('begin', () => begin(order, START));
  expectEqual(
    state,
    { sagaId: sagaIdFor('Łódź-0042'), order, status: 'running', step: 0, outcomes: ALL_PENDING, deadline: START + STEP_TIMEOUT_MS },
    `begin(order, ${START}): the deadline is now + STEP_TIMEOUT_MS`,
  );
  expectEqual(
    pure('commandFor', () => commandFor(deepFreeze(state))),
    { type: 'CreateOrder', sagaId: sagaIdFor('Łódź-0042'), step: 'createOrder', action: 'do', service: 'orders', order },
    'commandFor(the new saga): the first step',
  );
});

test('a checkout runs the five steps in order and confirms the order', { task: 1, points: 4 }, async () => {
  const shop = await newShop({ MUG: 10 }, { orchestrator: false });
  const { state, journal } = await runDirect(shop, checkout('東京-7'));
  expectEqual(journal, HAPPY_JOURNAL, 'the commands the participants handled, in order');
  expectMatch(state, { sagaId: sagaIdFor('東京-7'), status: 'completed', outcomes: ALL_DONE, deadline: null }, 'the final state: completed, every step done, no deadline');
  expect(commandFor(state), 'commandFor(a completed saga): nothing more to send').toBeUndefined();
  expectEqual(
    await effectsOf(shop, sagaIdFor('東京-7'), '東京-7'),
    { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' },
    'what the four services hold about the saga',
  );
  expect(shop.inventory.available('MUG'), '2 of the 10 mugs are reserved').toBe(8);
});

test('while the saga runs, the order is PENDING, and the customer cannot cancel it', { task: 1, points: 1 }, async () => {
  const shop = await newShop(undefined, { orchestrator: false });
  // Stop after the payment: the saga is in the middle of its work.
  const { state } = await runDirect(shop, checkout('Zoë-0099'), 3);
  expect(state.status, `the state after three commands: ${showValue(state)}`).toBe('running');
  expect((await shop.orders.order('Zoë-0099'))?.status, 'the order while the saga is still running').toBe('PENDING');
  expect(await shop.orders.requestCancellation('Zoë-0099'), 'a cancellation while the order is PENDING').toBe('refused: order is being placed');
});

test('onReply ignores replies that are not for the step in flight', { task: 1, points: 4 }, () => {
  const sagaId = sagaIdFor('A-1017');
  const atPayment: SagaState = deepFreeze({
    ...begin(checkout('A-1017'), START),
    step: 2,
    outcomes: { ...ALL_PENDING, createOrder: 'done', reserveStock: 'done' },
    deadline: START + STEP_TIMEOUT_MS * 3,
  });
  const ignored: [string, Parameters<typeof onReply>[1]][] = [
    ['a second copy of the reply to ReserveStock', reply(sagaId, 'reserveStock', 'ReserveStock')],
    ['a reply to ScheduleShipment, a step not started yet', reply(sagaId, 'scheduleShipment', 'ScheduleShipment')],
    ['a reply to RefundPayment (the undo of the step in flight)', reply(sagaId, 'capturePayment', 'RefundPayment', true, 'undo')],
    ["a reply to another saga's CapturePayment", reply(sagaIdFor('B-0204'), 'capturePayment', 'CapturePayment')],
  ];
  const now = START + 100;
  for (const [what, r] of ignored) {
    expect(pure('onReply', () => onReply(atPayment, deepFreeze(r), now)), `onReply(saga waiting for CapturePayment, ${what}) must return undefined (ignore it)`).toBeUndefined();
  }
  const completed: SagaState = deepFreeze({ ...atPayment, status: 'completed', step: 4, outcomes: ALL_DONE, deadline: null });
  expect(pure('onReply', () => onReply(completed, reply(sagaId, 'confirmOrder', 'ConfirmOrder'), now)), 'onReply(a completed saga, a second copy of the last reply)').toBeUndefined();

  const next = pure('onReply', () => onReply(atPayment, reply(sagaId, 'capturePayment', 'CapturePayment'), now));
  expectEqual(
    next,
    { ...atPayment, step: 3, outcomes: { ...atPayment.outcomes, capturePayment: 'done' }, deadline: now + STEP_TIMEOUT_MS },
    `onReply(saga waiting for CapturePayment, its reply, now = ${now}): on to the next step, with a new deadline`,
  );
  const confirming: SagaState = deepFreeze({ ...atPayment, step: 4, outcomes: { ...ALL_DONE, confirmOrder: 'pending' } });
  expectMatch(
    pure('onReply', () => onReply(confirming, reply(sagaId, 'confirmOrder', 'ConfirmOrder'), now)) ?? {},
    { status: 'completed', outcomes: ALL_DONE, deadline: null },
    'onReply(saga waiting for ConfirmOrder, its reply): the last step is done, so the saga is completed, with no deadline',
  );
  expectEqual(atPayment.outcomes, { ...ALL_PENDING, createOrder: 'done', reserveStock: 'done' }, 'the state given to onReply is left as it was');
});
