import { messageFaults, type MessageFaults } from 'labkit/faults';
import { expect, test } from 'labkit/test';
import { REPLIES_TOPIC, STEP_TIMEOUT_MS, sagaIdFor, type Command, type Reply, type SagaState } from '../src/messages.ts';
import { begin, onTimeout } from '../src/saga.ts';
import { ALL_DONE, ALL_PENDING, checkout, effectsOf, expectEqual, expectMatch, HAPPY_JOURNAL, newShop, onBus, runOutTheClock, settle, show } from './helpers.ts';

/** Matches the messages carrying a command or reply of this type. */
const ofType = (type: Command['type']) => (message: { payload: unknown }) => (message.payload as Command | Reply).type === type;

test('onTimeout: a forward step is compensated, itself first; the last step and compensations are sent again', { task: 5, points: 3 }, () => {
  const T = STEP_TIMEOUT_MS;
  const atPayment: SagaState = { ...begin(checkout('A-1'), 0), step: 2, outcomes: { ...ALL_PENDING, createOrder: 'done', reserveStock: 'done' }, deadline: 3 * T };
  expect(onTimeout(atPayment, 3 * T - 1), 'onTimeout one millisecond before the deadline: nothing to do (undefined)').toBeUndefined();
  expectEqual(
    onTimeout(atPayment, 3 * T),
    { ...atPayment, status: 'compensating', step: 2, outcomes: { ...atPayment.outcomes, capturePayment: 'timed_out' }, deadline: 4 * T },
    'onTimeout at the deadline of CapturePayment: it may have happened, so it is "timed_out" and compensated first',
  );
  const confirming: SagaState = { ...atPayment, step: 4, outcomes: { ...ALL_DONE, confirmOrder: 'pending' }, deadline: 5 * T };
  expectEqual(onTimeout(confirming, 5 * T + 7), { ...confirming, deadline: 6 * T + 7 }, 'onTimeout of ConfirmOrder (no compensation): the same step, a new deadline, so it is sent again');
  const refunding: SagaState = { ...atPayment, status: 'compensating', outcomes: { ...atPayment.outcomes, scheduleShipment: 'failed' } };
  expectEqual(onTimeout(refunding, 3 * T), { ...refunding, deadline: 4 * T }, 'onTimeout of a RefundPayment: the same compensation, a new deadline');
  const done: SagaState = { ...confirming, status: 'completed', deadline: null };
  expect(onTimeout(done, 10 * T), 'onTimeout of a completed saga').toBeUndefined();
});

test('a shipment whose reply never comes is cancelled, then everything before it is undone', { task: 5, points: 4 }, async () => {
  const T = STEP_TIMEOUT_MS;
  const shop = await newShop({ MUG: 10 });
  const faults = messageFaults();
  faults.drop({ topic: REPLIES_TOPIC, where: ofType('ScheduleShipment') });
  const system = await onBus(shop, { faults });
  await system.process.orchestrator.start(checkout('A-1'));
  await settle(system);
  expectMatch((await system.process.orchestrator.get(sagaIdFor('A-1'))) ?? {}, { status: 'running', step: 3, deadline: T }, 'the saga waits for the lost reply, until its deadline');
  expectEqual(system.process.timers(), { [sagaIdFor('A-1')]: T }, "the orchestrator's timers: one for A-1, at the deadline");

  await system.clock.advance(T - 1);
  await settle(system);
  expect((await system.process.orchestrator.get(sagaIdFor('A-1')))?.status, 'one millisecond before the deadline').toBe('running');
  await system.clock.advance(1);
  await settle(system);
  expectEqual(
    system.journal,
    [...HAPPY_JOURNAL.slice(0, 4), 'shipping: CancelShipment -> ok', 'payments: RefundPayment -> ok', 'inventory: ReleaseStock -> ok', 'orders: RejectOrder -> ok'],
    'the commands the participants handled',
  );
  expectMatch(
    (await system.process.orchestrator.get(sagaIdFor('A-1'))) ?? {},
    { status: 'compensated', deadline: null, outcomes: { createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'compensated', scheduleShipment: 'compensated', confirmOrder: 'pending' } },
    'the saga after its deadline',
  );
  expectEqual(await effectsOf(shop, sagaIdFor('A-1'), 'A-1'), { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'cancelled' }, 'A-1 in the services');
  expectEqual(system.process.timers(), {}, 'no timer is left for a final saga');
});

test('late messages after a timeout: the saga stays compensated, and a late reservation is undone', { task: 5, points: 4 }, async () => {
  const T = STEP_TIMEOUT_MS;
  for (const late of ['command', 'reply'] as const) {
    const shop = await newShop({ MUG: 10 });
    const faults = messageFaults();
    // The ReserveStock command (or its reply) arrives twice the deadline late.
    faults.delay({ ...(late === 'command' ? { topic: 'inventory' } : { topic: REPLIES_TOPIC }), where: ofType('ReserveStock'), ms: 2 * T });
    const system = await onBus(shop, { faults });
    await system.process.orchestrator.start(checkout(`A-${late}`));
    await runOutTheClock(system);
    const sagaId = sagaIdFor(`A-${late}`);
    const context = `(ReserveStock's ${late} late) journal: ${show(system.journal)}`;
    expectMatch(
      (await system.process.orchestrator.get(sagaId)) ?? {},
      { status: 'compensated', outcomes: { ...ALL_PENDING, createOrder: 'compensated', reserveStock: 'compensated' } },
      `the saga after everything arrived ${context}`,
    );
    expect(shop.inventory.reservation(sagaId)?.status, `the reservation ${context}`).toBe('released');
    expect(shop.inventory.available('MUG'), `the mugs on the shelf ${context}`).toBe(10);
    expect((await shop.orders.order(`A-${late}`))?.status, `the order ${context}`).toBe('REJECTED');
  }
});

test('the deadline is stored with the saga: it still holds after a crash and a restart', { task: 5, points: 4 }, async () => {
  const T = STEP_TIMEOUT_MS;
  const shop = await newShop({ MUG: 10 });
  const faults = messageFaults();
  // The card network is unreachable: every CapturePayment is lost.
  faults.drop({ topic: 'payments', where: ofType('CapturePayment'), times: 1_000 });
  const system = await onBus(shop, { faults });
  const step = async (ms: number) => {
    await system.clock.advance(ms);
    await settle(system);
  };

  // the orchestrator crashes while waiting and restarts before the deadline.
  await system.process.orchestrator.start(checkout('A-1'));
  await settle(system);
  await step(1_000);
  system.process.crash();
  await step(2_000);
  await system.restart();
  await step(T - 3_000 - 1);
  expect((await system.process.orchestrator.get(sagaIdFor('A-1')))?.status, `restarted at ${3_000} ms: one millisecond before the stored deadline (${T} ms), A-1 still waits`).toBe('running');
  await step(1);
  expect((await system.process.orchestrator.get(sagaIdFor('A-1')))?.status, `at the stored deadline (${T} ms), A-1 is compensated: the restarted orchestrator kept the deadline`).toBe(
    'compensated',
  );

  // B-2: the orchestrator is down when the deadline passes; on restart it acts at once.
  const startedAt = system.clock.now();
  await system.process.orchestrator.start(checkout('B-2'));
  await settle(system);
  system.process.crash();
  await step(2 * T);
  await system.restart();
  await step(0);
  expectMatch(
    (await system.process.orchestrator.get(sagaIdFor('B-2'))) ?? {},
    { status: 'compensated', outcomes: { ...ALL_PENDING, createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'compensated' } },
    `B-2, whose deadline (${startedAt + T} ms) passed while the orchestrator was down, right after the restart at ${system.clock.now()} ms`,
  );
  expect(shop.inventory.available('MUG'), 'all mugs are back on the shelf').toBe(10);
  expectEqual((await shop.payments.all()).map((p) => p.status), ['voided', 'voided'], 'no money was taken: both payments are voided');
});

test('the last step and compensations are sent again until they are answered', { task: 5, points: 2 }, async () => {
  const T = STEP_TIMEOUT_MS;
  const shop = await newShop({ MUG: 10 });
  const faults: MessageFaults = messageFaults();
  faults.drop({ topic: 'orders', where: ofType('ConfirmOrder'), times: 2 });
  faults.drop({ topic: 'payments', where: ofType('RefundPayment'), times: 2 });
  const system = await onBus(shop, { faults });
  await system.process.orchestrator.start(checkout('A-1'));
  await system.process.orchestrator.start(checkout('B-2', { country: 'AQ' }));
  await runOutTheClock(system);
  const sent = (topic: string, type: Command['type']) => system.bus.published(topic).filter(ofType(type)).length;
  expect(sent('orders', 'ConfirmOrder'), 'ConfirmOrder was sent three times: twice lost, then answered').toBe(3);
  expect(sent('payments', 'RefundPayment'), 'RefundPayment was sent three times: twice lost, then answered').toBe(3);
  expect((await system.process.orchestrator.get(sagaIdFor('A-1')))?.status, 'A-1 in the end').toBe('completed');
  expect((await system.process.orchestrator.get(sagaIdFor('B-2')))?.status, 'B-2 (no carrier to AQ) in the end').toBe('compensated');
  expectEqual(await effectsOf(shop, sagaIdFor('A-1'), 'A-1'), { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' }, 'A-1 in the services');
  expectEqual(await effectsOf(shop, sagaIdFor('B-2'), 'B-2'), { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'refused' }, 'B-2 in the services');
});

test('a reply and the deadline at the same moment: one of them wins, never both', { task: 5, points: 3 }, async () => {
  const T = STEP_TIMEOUT_MS;
  const shop = await newShop({ MUG: 10 });
  const faults = messageFaults();
  faults.drop({ topic: REPLIES_TOPIC, where: ofType('ReserveStock') });
  const system = await onBus(shop, { faults });
  const sagaId = sagaIdFor('A-1');
  await system.process.orchestrator.start(checkout('A-1'));
  await settle(system);
  // The orchestrator was down at the deadline. Just after its restart, the lost reply comes
  // back (a participant sends it again) while the overdue timeout is handled.
  system.process.crash();
  await system.clock.advance(T);
  const { orchestrator } = await system.restart();
  await Promise.all([
    orchestrator.handleTimeout(sagaId),
    orchestrator.handleReply({ sagaId, step: 'reserveStock', action: 'do', type: 'ReserveStock', ok: true }),
  ]);
  await runOutTheClock(system);
  const state = await orchestrator.get(sagaId);
  const effects = await effectsOf(shop, sagaId, 'A-1');
  const context = `the saga: ${show(state)}; the services: ${show(effects)}; journal: ${show(system.journal)}`;
  expect(['completed', 'compensated'], `the saga must end completed or compensated; ${context}`).toContain(state?.status);
  expectEqual(
    effects,
    state?.status === 'completed'
      ? { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' }
      : { order: 'REJECTED', reservation: 'released', payment: 'none', shipment: 'none' },
    `what the services hold must match how the saga ended (${state?.status}): the timeout and the reply each decided on the same old state and both acted? Read, decide and write in one transaction, and lock the row (SELECT ... FOR UPDATE)`,
  );
});
