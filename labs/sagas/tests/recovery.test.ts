import { pgErrorCode } from 'labkit/db';
import { messageFaults } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, expectMatch, showValue, test } from 'labkit/test';
import { REPLIES_TOPIC, STEP_TIMEOUT_MS, sagaIdFor, type Command, type Reply } from '../src/messages.ts';
import {
  ALL_DONE,
  ALL_PENDING,
  checkout,
  checkoutWithCrash,
  DECLINED_JOURNAL,
  effectsOf,
  HAPPY_JOURNAL,
  newShop,
  onBus,
  settle,
  START,
} from './helpers.ts';

/** Matches the messages carrying a command or reply of this type. */
const ofType = (type: Command['type']) => (message: { payload: unknown }) => (message.payload as Command | Reply).type === type;

/** The saga's row as the tests read it from the orchestrator's schema. */
async function storedSaga(db: { query: (sql: string, params?: string[]) => Promise<{ rows: Record<string, unknown>[] }> }, sagaId: string) {
  const { rows } = await db.query('SELECT saga_id, status, step, outcomes, deadline, details FROM sagas WHERE saga_id = $1', [sagaId]);
  return rows[0] && { ...rows[0], deadline: rows[0].deadline === null ? null : Number(rows[0].deadline) };
}

test("start stores the saga in the orchestrator's own schema, then sends the first command", { task: 4, points: 3 }, async () => {
  const shop = await newShop();
  const system = await onBus(shop);
  const order = checkout('Łódź-0042');
  expect(await system.process.orchestrator.start(order), 'start returns the saga id').toBe(sagaIdFor('Łódź-0042'));
  expectEqual(
    await storedSaga(shop.orchestratorDb, sagaIdFor('Łódź-0042')),
    { saga_id: sagaIdFor('Łódź-0042'), status: 'running', step: 0, outcomes: ALL_PENDING, deadline: START + STEP_TIMEOUT_MS, details: order },
    `the row of the new saga in the sagas table, before any message is delivered (the clock reads ${START})`,
  );
  expectEqual(
    system.bus.published('orders').map((m) => m.payload),
    [{ type: 'CreateOrder', sagaId: sagaIdFor('Łódź-0042'), step: 'createOrder', action: 'do', service: 'orders', order }],
    "the commands published to the 'orders' topic",
  );
  const fromOrders = await shop.ordersDb.query('SELECT * FROM orchestrator.sagas').catch((error: unknown) => error);
  expect(pgErrorCode(fromOrders), `the Orders service reading orchestrator.sagas should fail with 42501 (insufficient_privilege), but ${describeOutcome(fromOrders)}`).toBe(
    '42501',
  );
});

test('sagas run to the end over the bus, and their stored state follows; a second start changes nothing', { task: 4, points: 3 }, async () => {
  const shop = await newShop({ MUG: 10 });
  const system = await onBus(shop);
  const { orchestrator } = system.process;
  await orchestrator.start(checkout('A-1017'));
  await settle(system);
  expectEqual(system.journal, HAPPY_JOURNAL, 'the commands the participants handled for A-1017');
  expectMatch(await storedSaga(shop.orchestratorDb, sagaIdFor('A-1017')), { status: 'completed', outcomes: ALL_DONE, deadline: null }, 'the stored saga of A-1017');
  expectMatch((await orchestrator.get(sagaIdFor('A-1017'))) ?? {}, { sagaId: sagaIdFor('A-1017'), order: checkout('A-1017'), status: 'completed', outcomes: ALL_DONE, deadline: null }, 'get(A-1017)');

  await orchestrator.start(checkout('B-0204', { cardToken: 'tok_declined' }));
  await settle(system);
  expectEqual(system.journal.slice(5), DECLINED_JOURNAL, 'the commands the participants handled for B-0204, whose card is declined');
  expectMatch(
    await storedSaga(shop.orchestratorDb, sagaIdFor('B-0204')),
    { status: 'compensated', outcomes: { ...ALL_PENDING, createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'failed' }, deadline: null },
    'the stored saga of B-0204',
  );

  // A stray reply and a timeout for a saga this orchestrator never started: ignored.
  const stray = sagaIdFor('Zoë-9001');
  const strayOutcomes = await Promise.all([
    orchestrator.handleReply({ sagaId: stray, step: 'createOrder', action: 'do', type: 'CreateOrder', ok: true }).then(() => 'resolved', (error: unknown) => describeOutcome(error)),
    orchestrator.handleTimeout(stray).then(() => 'resolved', (error: unknown) => describeOutcome(error)),
  ]);
  expectEqual(strayOutcomes, ['resolved', 'resolved'], 'handleReply and handleTimeout for a saga that does not exist must do nothing (resolve), but');
  expect(await storedSaga(shop.orchestratorDb, stray), 'the sagas table after a stray reply: no row for it').toBeUndefined();

  // The customer presses "Buy" again on A-1017: the saga exists, nothing starts.
  await orchestrator.start(checkout('A-1017'));
  await settle(system);
  expect(system.journal.length, `a second start of A-1017 sends no command; journal: ${showValue(system.journal.slice(10))}`).toBe(10);
  expect(shop.inventory.available('MUG'), 'only A-1017 holds stock').toBe(8);
});

test('every command and every reply delivered twice: the same outcome', { task: 4, points: 3 }, async () => {
  const shop = await newShop({ MUG: 10 });
  const faults = messageFaults();
  faults.duplicate({ times: 1_000 });
  const system = await onBus(shop, { faults });
  await system.process.orchestrator.start(checkout('A-1017'));
  await system.process.orchestrator.start(checkout('B-0204', { country: 'AQ' }));
  await settle(system);
  expectMatch((await system.process.orchestrator.get(sagaIdFor('A-1017'))) ?? {}, { status: 'completed', outcomes: ALL_DONE }, 'the saga of A-1017');
  expectMatch(
    (await system.process.orchestrator.get(sagaIdFor('B-0204'))) ?? {},
    { status: 'compensated', outcomes: { createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'compensated', scheduleShipment: 'failed', confirmOrder: 'pending' } },
    'the saga of B-0204 (no carrier to AQ)',
  );
  expectEqual(await effectsOf(shop, sagaIdFor('A-1017'), 'A-1017'), { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' }, 'A-1017 in the services');
  expectEqual(await effectsOf(shop, sagaIdFor('B-0204'), 'B-0204'), { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'refused' }, 'B-0204 in the services');
  expect(shop.inventory.available('MUG'), 'only A-1017 holds stock').toBe(8);
});

test('the orchestrator resumes after a crash at any of its writes', { task: 4, points: 5, timeoutMs: 10_000 }, async () => {
  const shop = await newShop();
  let crashes = 0;
  for (let n = 1; n <= 40; n++) {
    if (!(await checkoutWithCrash(shop, `Zoë-W${100 + 7 * n}`, 'completes', { write: n }))) break;
    crashes += 1;
  }
  // One write to start the saga, one for each of the five replies.
  expect(crashes, 'a saga that completes makes at least 6 writes, so there are at least 6 places to crash').toBeGreaterThanOrEqual(6);
});

test('after a crash just before a send, the restarted orchestrator sends it again', { task: 4, points: 5, timeoutMs: 10_000 }, async () => {
  const shop = await newShop();
  let crashes = 0;
  for (let n = 1; n <= 40; n++) {
    // No carrier to AQ: four steps forward, then three compensations.
    if (!(await checkoutWithCrash(shop, `東京-S${100 + 7 * n}`, 'no carrier to AQ', { send: n }))) break;
    crashes += 1;
  }
  expect(crashes, 'a saga that fails at shipping sends at least 7 commands, so there are at least 7 places to crash').toBeGreaterThanOrEqual(7);
});

test('pressing Buy twice, at the same moment or while the saga runs, starts one saga', { task: 4, points: 2 }, async () => {
  const shop = await newShop({ MUG: 10 });
  const faults = messageFaults();
  faults.drop({ topic: REPLIES_TOPIC, where: ofType('ReserveStock') });
  const system = await onBus(shop, { faults });
  const { orchestrator } = system.process;
  const order = checkout('São-Paulo-0007');
  const sagaId = sagaIdFor('São-Paulo-0007');
  const both = await Promise.all([orchestrator.start(order), orchestrator.start(order)].map((p) => p.catch((error: unknown) => error as Error)));
  for (const outcome of both) {
    if (outcome instanceof Error) throw new Error(`two starts of the same order at the same moment: each should return the saga id, but one ${describeOutcome(outcome)}`);
  }
  expectEqual(both, [sagaId, sagaId], 'what two starts of the same order at the same moment return');
  expect(system.bus.published('orders').length, 'two starts at the same moment send CreateOrder once').toBe(1);

  // The reply to ReserveStock is lost: the saga waits for it, until its deadline.
  await settle(system);
  const waiting = await storedSaga(shop.orchestratorDb, sagaId);
  expectMatch(waiting ?? {}, { status: 'running', step: 1 }, 'the saga waiting for the lost reply to ReserveStock');
  expect(await orchestrator.start(order), 'a start while the saga runs returns its id').toBe(sagaId);
  await settle(system);
  expectEqual(await storedSaga(shop.orchestratorDb, sagaId), waiting, 'the stored saga after a start while it runs: as it was (the customer pressed Buy again)');
  expectEqual(system.journal, ['orders: CreateOrder -> ok', 'inventory: ReserveStock -> ok'], 'the commands the participants handled: the second start sent nothing');
});

test('recover() resumes every unfinished saga, running or compensating, and leaves finished ones alone', { task: 4, points: 3 }, async () => {
  const T = STEP_TIMEOUT_MS;
  const shop = await newShop({ MUG: 10 });
  const faults = messageFaults();
  const system = await onBus(shop, { faults });
  // Earlier checkouts, finished: the table already holds them.
  const finished = ['Zoë-0003', 'Zoë-0011'];
  await system.process.orchestrator.start(checkout(finished[0]!));
  await system.process.orchestrator.start(checkout(finished[1]!, { cardToken: 'tok_declined' }));
  await settle(system);

  // Three sagas, each waiting for a command that was lost on its way, at different points.
  const paying = checkout('Łódź-0042');
  const refunding = checkout('東京-0100', { country: 'AQ' });
  const confirming = checkout('Ōsaka-0517');
  faults.drop({ topic: 'payments', key: sagaIdFor(paying.orderId), where: ofType('CapturePayment') });
  faults.drop({ topic: 'payments', key: sagaIdFor(refunding.orderId), where: ofType('RefundPayment') });
  faults.drop({ topic: 'orders', key: sagaIdFor(confirming.orderId), where: ofType('ConfirmOrder') });
  for (const order of [paying, refunding, confirming]) await system.process.orchestrator.start(order);
  await settle(system);
  const { orchestrator: before } = system.process;
  expectMatch((await before.get(sagaIdFor(paying.orderId))) ?? {}, { status: 'running', step: 2 }, `${paying.orderId} before the crash (its CapturePayment was lost)`);
  expectMatch((await before.get(sagaIdFor(refunding.orderId))) ?? {}, { status: 'compensating', step: 2 }, `${refunding.orderId} before the crash (its RefundPayment was lost)`);
  expectMatch((await before.get(sagaIdFor(confirming.orderId))) ?? {}, { status: 'running', step: 4 }, `${confirming.orderId} before the crash (its ConfirmOrder was lost)`);

  // The orchestrator crashes, and is back a second later, long before any deadline.
  system.process.crash();
  await system.clock.advance(1_000);
  const sentBefore = (['orders', 'inventory', 'payments', 'shipping'] as const).map((topic) => system.bus.published(topic).length);
  const { orchestrator } = await system.restart();
  await settle(system);
  expect(system.clock.now() - START, 'the sagas finish after the restart without waiting for a deadline (ms since the first checkout)').toBeLessThan(T);
  const ends: Record<string, string> = {};
  for (const order of [paying, refunding, confirming]) ends[order.orderId] = (await orchestrator.get(sagaIdFor(order.orderId)))?.status ?? 'missing';
  expectEqual(
    ends,
    { [paying.orderId]: 'completed', [refunding.orderId]: 'compensated', [confirming.orderId]: 'completed' },
    `the three sagas after the restart: recover() sends the command of every saga still running or compensating; journal: ${showValue(system.journal.slice(-8))}`,
  );
  expectEqual(await effectsOf(shop, sagaIdFor(paying.orderId), paying.orderId), { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' }, `${paying.orderId} in the services`);
  expectEqual(await effectsOf(shop, sagaIdFor(refunding.orderId), refunding.orderId), { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'refused' }, `${refunding.orderId} in the services`);
  expect(shop.inventory.available('MUG'), 'the mugs on the shelf: 10, less 2 for each of the three completed orders').toBe(4);
  const sentAfter = (['orders', 'inventory', 'payments', 'shipping'] as const).flatMap((topic, i) => system.bus.published(topic).slice(sentBefore[i]).map((m) => m.payload as Command));
  const forFinished = sentAfter.filter((c) => finished.some((id) => c.sagaId === sagaIdFor(id)));
  expectEqual(forFinished.map((c) => `${c.type} for ${c.sagaId}`), [], 'commands sent after the restart for sagas that had already finished');
});
