import { messageFaults, type MessageFaults } from 'labkit/faults';
import { expect, expectEqual, expectMatch, showValue, test } from 'labkit/test';
import { REPLIES_TOPIC, STEP_TIMEOUT_MS, sagaIdFor, type Command, type Reply, type SagaState } from '../src/messages.ts';
import { begin, onTimeout } from '../src/saga.ts';
import {
  ALL_DONE,
  ALL_PENDING,
  checkout,
  checkoutWithCrash,
  deepFreeze,
  effectsOf,
  HAPPY_JOURNAL,
  newShop,
  onBus,
  pure,
  runOutTheClock,
  settle,
  START,
} from './helpers.ts';

/** Matches the messages carrying a command or reply of this type. */
const ofType = (type: Command['type']) => (message: { payload: unknown }) => (message.payload as Command | Reply).type === type;

test('onTimeout: a forward step is compensated, itself first; the last step and compensations are sent again', { task: 5, points: 3 }, () => {
  const T = STEP_TIMEOUT_MS;
  const at = (ms: number) => START + ms;
  const atPayment: SagaState = deepFreeze({ ...begin(checkout('A-1017'), START), step: 2, outcomes: { ...ALL_PENDING, createOrder: 'done', reserveStock: 'done' }, deadline: at(3 * T) });
  const timeout = (state: SagaState, now: number) => pure('onTimeout', () => onTimeout(state, now));
  expect(timeout(atPayment, at(3 * T - 1)), 'onTimeout one millisecond before the deadline: nothing to do (undefined)').toBeUndefined();
  expectEqual(
    timeout(atPayment, at(3 * T)),
    { ...atPayment, status: 'compensating', step: 2, outcomes: { ...atPayment.outcomes, capturePayment: 'timed_out' }, deadline: at(4 * T) },
    'onTimeout at the deadline of CapturePayment: it may have happened, so it is "timed_out" and compensated first',
  );
  const creating = deepFreeze(begin(checkout('Łódź-0042'), START));
  expectEqual(
    timeout(creating, at(T + 3)),
    { ...creating, status: 'compensating', step: 0, outcomes: { ...ALL_PENDING, createOrder: 'timed_out' }, deadline: at(2 * T + 3) },
    'onTimeout of CreateOrder: the order may have been created, so RejectOrder is next',
  );
  const confirming: SagaState = deepFreeze({ ...atPayment, step: 4, outcomes: { ...ALL_DONE, confirmOrder: 'pending' }, deadline: at(5 * T) });
  expectEqual(timeout(confirming, at(5 * T + 7)), { ...confirming, deadline: at(6 * T + 7) }, 'onTimeout of ConfirmOrder (no compensation): the same step, a new deadline, so it is sent again');
  const refunding: SagaState = deepFreeze({ ...atPayment, status: 'compensating', outcomes: { ...atPayment.outcomes, scheduleShipment: 'failed' } });
  expectEqual(timeout(refunding, at(3 * T)), { ...refunding, deadline: at(4 * T) }, 'onTimeout of a RefundPayment: the same compensation, a new deadline');
  const done: SagaState = deepFreeze({ ...confirming, status: 'completed', deadline: null });
  expect(timeout(done, at(10 * T)), 'onTimeout of a completed saga').toBeUndefined();
  const undone: SagaState = deepFreeze({ ...refunding, status: 'compensated', step: 0, outcomes: { ...ALL_PENDING, createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'failed' }, deadline: null });
  expect(timeout(undone, at(10 * T)), 'onTimeout of a compensated saga').toBeUndefined();
  expectEqual(atPayment.outcomes, { ...ALL_PENDING, createOrder: 'done', reserveStock: 'done' }, 'the state given to onTimeout is left as it was');
});

test('a shipment whose reply never comes is cancelled, then everything before it is undone', { task: 5, points: 3 }, async () => {
  const T = STEP_TIMEOUT_MS;
  const shop = await newShop({ MUG: 10 });
  const faults = messageFaults();
  faults.drop({ topic: REPLIES_TOPIC, where: ofType('ScheduleShipment') });
  const system = await onBus(shop, { faults });
  await system.process.orchestrator.start(checkout('Zoë-1017'));
  await settle(system);
  expectMatch((await system.process.orchestrator.get(sagaIdFor('Zoë-1017'))) ?? {}, { status: 'running', step: 3, deadline: START + T }, 'the saga waits for the lost reply, until its deadline');
  expectEqual(system.process.timers(), { [sagaIdFor('Zoë-1017')]: START + T }, "the orchestrator's timers: one for Zoë-1017, at the deadline");

  await system.clock.advance(T - 1);
  await settle(system);
  expect((await system.process.orchestrator.get(sagaIdFor('Zoë-1017')))?.status, 'one millisecond before the deadline').toBe('running');
  await system.clock.advance(1);
  await settle(system);
  expectEqual(
    system.journal,
    [...HAPPY_JOURNAL.slice(0, 4), 'shipping: CancelShipment -> ok', 'payments: RefundPayment -> ok', 'inventory: ReleaseStock -> ok', 'orders: RejectOrder -> ok'],
    'the commands the participants handled',
  );
  expectMatch(
    (await system.process.orchestrator.get(sagaIdFor('Zoë-1017'))) ?? {},
    { status: 'compensated', deadline: null, outcomes: { createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'compensated', scheduleShipment: 'compensated', confirmOrder: 'pending' } },
    'the saga after its deadline',
  );
  expectEqual(await effectsOf(shop, sagaIdFor('Zoë-1017'), 'Zoë-1017'), { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'cancelled' }, 'Zoë-1017 in the services');
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
    const context = `(ReserveStock's ${late} late) journal: ${showValue(system.journal)}`;
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

  // Zoë-1017: the orchestrator crashes while waiting and restarts before the deadline.
  await system.process.orchestrator.start(checkout('Zoë-1017'));
  await settle(system);
  await step(1_000);
  system.process.crash();
  await step(2_000);
  await system.restart();
  await step(T - 3_000 - 1);
  expect((await system.process.orchestrator.get(sagaIdFor('Zoë-1017')))?.status, `restarted 3000 ms after the checkout: one millisecond before the stored deadline (${T} ms after it), Zoë-1017 still waits`).toBe('running');
  await step(1);
  expect((await system.process.orchestrator.get(sagaIdFor('Zoë-1017')))?.status, `at the stored deadline (${T} ms after the checkout), Zoë-1017 is compensated: the restarted orchestrator kept the deadline`).toBe(
    'compensated',
  );

  // 東京-0204: the orchestrator is down when the deadline passes; on restart it acts at once.
  const startedAt = system.clock.now();
  await system.process.orchestrator.start(checkout('東京-0204'));
  await settle(system);
  system.process.crash();
  await step(2 * T);
  await system.restart();
  await step(0);
  expectMatch(
    (await system.process.orchestrator.get(sagaIdFor('東京-0204'))) ?? {},
    { status: 'compensated', outcomes: { ...ALL_PENDING, createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'compensated' } },
    `東京-0204, whose deadline (${startedAt + T} ms) passed while the orchestrator was down, right after the restart at ${system.clock.now()} ms`,
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
  await system.process.orchestrator.start(checkout('Zoë-1017'));
  await system.process.orchestrator.start(checkout('東京-0204', { country: 'AQ' }));
  await runOutTheClock(system);
  const sent = (topic: string, type: Command['type']) => system.bus.published(topic).filter(ofType(type)).length;
  expect(sent('orders', 'ConfirmOrder'), 'ConfirmOrder was sent three times: twice lost, then answered').toBe(3);
  expect(sent('payments', 'RefundPayment'), 'RefundPayment was sent three times: twice lost, then answered').toBe(3);
  expect((await system.process.orchestrator.get(sagaIdFor('Zoë-1017')))?.status, 'Zoë-1017 in the end').toBe('completed');
  expect((await system.process.orchestrator.get(sagaIdFor('東京-0204')))?.status, '東京-0204 (no carrier to AQ) in the end').toBe('compensated');
  expectEqual(await effectsOf(shop, sagaIdFor('Zoë-1017'), 'Zoë-1017'), { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' }, 'Zoë-1017 in the services');
  expectEqual(await effectsOf(shop, sagaIdFor('東京-0204'), '東京-0204'), { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'refused' }, '東京-0204 in the services');
});

test('a reply and the deadline at the same moment: one of them wins, and the other sees its result', { task: 5, points: 3 }, async () => {
  const T = STEP_TIMEOUT_MS;
  const shop = await newShop({ MUG: 10 });
  const faults = messageFaults();
  const system = await onBus(shop, { faults });
  // The reply to ReserveStock is lost; it comes back (a participant sends it again) around
  // its deadline: while the timeout is handled, just before it, or just after it.
  for (const [orderId, order] of [['Zoë-0101', 'at once'], ['Zoë-0233', 'reply first'], ['Zoë-0377', 'timeout first']] as const) {
    const sagaId = sagaIdFor(orderId);
    faults.drop({ topic: REPLIES_TOPIC, key: sagaId, where: ofType('ReserveStock') });
    await system.process.orchestrator.start(checkout(orderId));
    await settle(system);
    const lateReply = () => system.process.orchestrator.handleReply({ sagaId, step: 'reserveStock', action: 'do', type: 'ReserveStock', ok: true });
    let context = `(${order})`;
    if (order === 'at once') {
      // The orchestrator was down at the deadline. Just after its restart, the overdue timeout
      // and the late reply are handled at the same moment.
      system.process.crash();
      await system.clock.advance(T);
      const { orchestrator } = await system.restart();
      await Promise.all([orchestrator.handleTimeout(sagaId), lateReply()]);
    } else if (order === 'reply first') {
      // The reply comes a millisecond before the deadline, and moves the saga on. The timer of
      // the old deadline then fires anyway (its work had started): it must see the new deadline ahead.
      await system.clock.advance(T - 1);
      await lateReply();
      await system.clock.advance(1);
      await system.process.orchestrator.handleTimeout(sagaId);
      const state = await system.process.orchestrator.get(sagaId);
      context = `(reply first) the saga: ${showValue(state)}`;
      expect(
        ['running', 'completed'],
        `(reply first) the reply moved the saga on, with a new deadline, so a timeout handled after it must find that deadline ahead and do nothing (onTimeout with the clock's time, not the deadline's); the saga after that timeout: ${showValue(state)}`,
      ).toContain(state?.status);
    } else {
      // The deadline passes first (the timer fires); the reply comes right after.
      await system.clock.advance(T);
      await lateReply();
    }
    await runOutTheClock(system);
    const state = await system.process.orchestrator.get(sagaId);
    const effects = await effectsOf(shop, sagaId, orderId);
    context = `${context}; the saga: ${showValue(state)}; the services: ${showValue(effects)}; journal: ${showValue(system.journal.slice(-6))}`;
    expect(['completed', 'compensated'], `the saga must end completed or compensated ${context}`).toContain(state?.status);
    if (order !== 'at once') {
      expect(
        state?.status,
        order === 'reply first'
          ? `(reply first) the reply came before the deadline, so the saga goes on and completes ${context}`
          : `(timeout first) the timeout compensated ReserveStock, so the late reply no longer matches and must be ignored ${context}`,
      ).toBe(order === 'reply first' ? 'completed' : 'compensated');
    }
    expectEqual(
      effects,
      state?.status === 'completed'
        ? { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' }
        : { order: 'REJECTED', reservation: 'released', payment: 'none', shipment: 'none' },
      `(${order}) what the services hold must match how the saga ended (${state?.status}): did the timeout and the reply each decide on the same old state, and both act? Read, decide and write in one transaction, and lock the row (SELECT ... FOR UPDATE)`,
    );
  }
  const ends = await Promise.all(['Zoë-0101', 'Zoë-0233', 'Zoë-0377'].map(async (id) => (await system.process.orchestrator.get(sagaIdFor(id)))?.status));
  expect(shop.inventory.available('MUG'), `the mugs on the shelf: 10, less 2 for each completed saga (${ends.join(', ')})`).toBe(10 - 2 * ends.filter((end) => end === 'completed').length);
});

test('a CreateOrder that arrives after its deadline: the order is rejected first, and the late command cannot bring it back', { task: 5, points: 3 }, async () => {
  const T = STEP_TIMEOUT_MS;
  const shop = await newShop({ MUG: 10 });
  const faults = messageFaults();
  faults.delay({ topic: 'orders', where: ofType('CreateOrder'), ms: T + 1_000 }); // a second after its deadline
  const system = await onBus(shop, { faults });
  const sagaId = sagaIdFor('Ōsaka-0517');
  await system.process.orchestrator.start(checkout('Ōsaka-0517'));
  expectEqual(system.process.timers(), { [sagaId]: START + T }, "the orchestrator's timers right after start: the first command has a deadline too");
  await runOutTheClock(system);
  expectEqual(system.journal, ['orders: RejectOrder -> ok', 'orders: CreateOrder -> failed'], 'the commands Orders handled: at the deadline RejectOrder (CreateOrder may have happened), then the late CreateOrder, refused');
  expectMatch(
    (await system.process.orchestrator.get(sagaId)) ?? {},
    { status: 'compensated', deadline: null, outcomes: { ...ALL_PENDING, createOrder: 'compensated' } },
    'the saga after its first deadline',
  );
  expect((await shop.orders.order('Ōsaka-0517'))?.status, 'the order: REJECTED, and still so after the late CreateOrder').toBe('REJECTED');
  expect(shop.inventory.available('MUG'), 'no mug left the shelf').toBe(10);
  expectEqual(system.process.timers(), {}, 'no timer is left for a final saga');
});

test('a crash while a deadline is handled, or during the compensations it starts: the restarted orchestrator finishes the saga', { task: 5, points: 3, timeoutMs: 10_000 }, async () => {
  const shop = await newShop();
  let writes = 0;
  for (let n = 1; n <= 40; n++) {
    if (!(await checkoutWithCrash(shop, `Łódź-W${300 + 11 * n}`, 'the ScheduleShipment reply lost', { write: n }))) break;
    writes += 1;
  }
  let sends = 0;
  for (let n = 1; n <= 40; n++) {
    if (!(await checkoutWithCrash(shop, `Łódź-S${300 + 11 * n}`, 'the ScheduleShipment reply lost', { send: n }))) break;
    sends += 1;
  }
  // The timeout's decision and each compensation's: a write each; CancelShipment, RefundPayment, ReleaseStock and RejectOrder: a send each.
  expect(writes, 'from the deadline on, a saga that compensates four steps makes at least 5 writes, so there are at least 5 places to crash').toBeGreaterThanOrEqual(5);
  expect(sends, 'from the deadline on, it sends at least 4 commands, so there are at least 4 places to crash').toBeGreaterThanOrEqual(4);
});
