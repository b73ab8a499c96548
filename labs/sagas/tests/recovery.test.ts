import { pgErrorCode } from 'labkit/db';
import { clearFaults, crashOnWrite, messageFaults, SimulatedCrash } from 'labkit/faults';
import { expect, test } from 'labkit/test';
import { STEP_TIMEOUT_MS, sagaIdFor, type OrderDetails } from '../src/messages.ts';
import {
  ALL_DONE,
  ALL_PENDING,
  checkout,
  DECLINED_JOURNAL,
  describeOutcome,
  effectsOf,
  expectEqual,
  expectMatch,
  HAPPY_JOURNAL,
  newShop,
  onBus,
  participants,
  settle,
  show,
  type BusShop,
} from './helpers.ts';

/** The saga's row as the tests read it from the orchestrator's schema. */
async function storedSaga(db: { query: (sql: string, params?: string[]) => Promise<{ rows: Record<string, unknown>[] }> }, sagaId: string) {
  const { rows } = await db.query('SELECT saga_id, status, step, outcomes, deadline, details FROM sagas WHERE saga_id = $1', [sagaId]);
  return rows[0] && { ...rows[0], deadline: rows[0].deadline === null ? null : Number(rows[0].deadline) };
}

test("start stores the saga in the orchestrator's own schema, then sends the first command", { task: 4, points: 4 }, async () => {
  const shop = await newShop();
  const system = await onBus(shop);
  const order = checkout('A-1');
  expect(await system.process.orchestrator.start(order), 'start returns the saga id').toBe(sagaIdFor('A-1'));
  expectEqual(
    await storedSaga(shop.orchestratorDb, sagaIdFor('A-1')),
    { saga_id: sagaIdFor('A-1'), status: 'running', step: 0, outcomes: ALL_PENDING, deadline: STEP_TIMEOUT_MS, details: order },
    'the row of the new saga in the sagas table, before any message is delivered',
  );
  expectEqual(
    system.bus.published('orders').map((m) => m.payload),
    [{ type: 'CreateOrder', sagaId: sagaIdFor('A-1'), step: 'createOrder', action: 'do', service: 'orders', order }],
    "the commands published to the 'orders' topic",
  );
  const fromOrders = await shop.ordersDb.query('SELECT * FROM orchestrator.sagas').catch((error: unknown) => error);
  expect(pgErrorCode(fromOrders), `the Orders service reading orchestrator.sagas should fail with 42501 (insufficient_privilege), but ${describeOutcome(fromOrders)}`).toBe(
    '42501',
  );
});

test('sagas run to the end over the bus, and their stored state follows; a second start changes nothing', { task: 4, points: 4 }, async () => {
  const shop = await newShop({ MUG: 10 });
  const system = await onBus(shop);
  const { orchestrator } = system.process;
  await orchestrator.start(checkout('A-1'));
  await settle(system);
  expectEqual(system.journal, HAPPY_JOURNAL, 'the commands the participants handled for A-1');
  expectMatch(await storedSaga(shop.orchestratorDb, sagaIdFor('A-1')), { status: 'completed', outcomes: ALL_DONE, deadline: null }, 'the stored saga of A-1');
  expectMatch((await orchestrator.get(sagaIdFor('A-1'))) ?? {}, { sagaId: sagaIdFor('A-1'), order: checkout('A-1'), status: 'completed', outcomes: ALL_DONE, deadline: null }, 'get(A-1)');

  await orchestrator.start(checkout('B-2', { cardToken: 'tok_declined' }));
  await settle(system);
  expectEqual(system.journal.slice(5), DECLINED_JOURNAL, 'the commands the participants handled for B-2, whose card is declined');
  expectMatch(
    await storedSaga(shop.orchestratorDb, sagaIdFor('B-2')),
    { status: 'compensated', outcomes: { ...ALL_PENDING, createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'failed' }, deadline: null },
    'the stored saga of B-2',
  );

  // The customer presses "Buy" again on A-1: the saga exists, nothing starts.
  await orchestrator.start(checkout('A-1'));
  await settle(system);
  expect(system.journal.length, `a second start of A-1 sends no command; journal: ${show(system.journal.slice(10))}`).toBe(10);
  expect(shop.inventory.available('MUG'), 'only A-1 holds stock').toBe(8);
});

test('every command and every reply delivered twice: the same outcome', { task: 4, points: 4 }, async () => {
  const shop = await newShop({ MUG: 10 });
  const faults = messageFaults();
  faults.duplicate({ times: 1_000 });
  const system = await onBus(shop, { faults });
  await system.process.orchestrator.start(checkout('A-1'));
  await system.process.orchestrator.start(checkout('B-2', { country: 'AQ' }));
  await settle(system);
  expectMatch((await system.process.orchestrator.get(sagaIdFor('A-1'))) ?? {}, { status: 'completed', outcomes: ALL_DONE }, 'the saga of A-1');
  expectMatch(
    (await system.process.orchestrator.get(sagaIdFor('B-2'))) ?? {},
    { status: 'compensated', outcomes: { createOrder: 'compensated', reserveStock: 'compensated', capturePayment: 'compensated', scheduleShipment: 'failed', confirmOrder: 'pending' } },
    'the saga of B-2 (no carrier to AQ)',
  );
  expectEqual(await effectsOf(shop, sagaIdFor('A-1'), 'A-1'), { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' }, 'A-1 in the services');
  expectEqual(await effectsOf(shop, sagaIdFor('B-2'), 'B-2'), { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'refused' }, 'B-2 in the services');
  expect(shop.inventory.available('MUG'), 'only A-1 holds stock').toBe(8);
});

type CrashAt = { write: number } | { send: number };

const CONFIRMED = { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' };
const UNDONE_AFTER_SHIPPING_FAILED = { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'refused' };

/**
 * Runs one checkout with a crash of the orchestrator at one write or send, restarts it if it
 * crashed, lets everything settle (without passing any deadline) and checks the outcome.
 * Returns whether the crash happened (false: the saga needed fewer writes or sends).
 */
async function checkoutWithCrash(shop: Awaited<ReturnType<typeof newShop>>, order: OrderDetails, crashAt: CrashAt): Promise<boolean> {
  const where = 'write' in crashAt ? `a crash at write ${crashAt.write}` : `a crash just before send ${crashAt.send}`;
  const completes = order.country !== 'AQ';
  // Inventory and Shipping start afresh for each checkout; Orders and Payments keep their tables (the order ids differ).
  const parts = await participants(shop, { MUG: 10 });
  const system: BusShop = await onBus({ ...shop, ...parts }, 'send' in crashAt ? { crashOnSend: crashAt.send } : {});
  if ('write' in crashAt) crashOnWrite(shop.orchestratorDb, crashAt.write);
  const started = await system.process.orchestrator.start(order).then(
    () => 'started',
    (error: unknown) => error,
  );
  if (started !== 'started' && !(started instanceof SimulatedCrash)) throw new Error(`with ${where}, start() should succeed or crash, but ${describeOutcome(started)}`);
  await settle(system);
  clearFaults(shop.orchestratorDb);
  const crashed = !system.process.up;
  if (crashed) {
    await system.restart();
    // The checkout page saw an error and tries again.
    if (started !== 'started') await system.process.orchestrator.start(order);
    await settle(system);
  }
  const sagaId = sagaIdFor(order.orderId);
  const state = await system.process.orchestrator.get(sagaId);
  if (system.process.errors.length > 0) throw new Error(`after ${where}, the orchestrator threw: ${show(system.process.errors.map(String))}`);
  expect(system.clock.now(), `after ${where}: the saga must finish without waiting for a deadline`).toBeLessThan(STEP_TIMEOUT_MS);
  const expected = completes ? 'completed' : 'compensated';
  expect(state?.status, `after ${where} and a restart, the saga of ${order.orderId} should be ${expected}; its state: ${show(state)}; journal: ${show(system.journal)}`).toBe(expected);
  // Each step ran once, however often its command was sent.
  expectEqual(await effectsOf(parts, sagaId, order.orderId), completes ? CONFIRMED : UNDONE_AFTER_SHIPPING_FAILED, `after ${where}, what the services hold about ${order.orderId}`);
  expect(parts.inventory.available('MUG'), `after ${where}, the mugs on the shelf (10 before)`).toBe(completes ? 8 : 10);
  return crashed;
}

test('the orchestrator resumes after a crash at any of its writes', { task: 4, points: 5, timeoutMs: 10_000 }, async () => {
  const shop = await newShop();
  let crashes = 0;
  for (let n = 1; n <= 40; n++) {
    if (!(await checkoutWithCrash(shop, checkout(`W-${n}`), { write: n }))) break;
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
    if (!(await checkoutWithCrash(shop, checkout(`S-${n}`, { country: 'AQ' }), { send: n }))) break;
    crashes += 1;
  }
  expect(crashes, 'a saga that fails at shipping sends at least 7 commands, so there are at least 7 places to crash').toBeGreaterThanOrEqual(7);
});
