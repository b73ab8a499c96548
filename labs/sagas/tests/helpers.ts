/**
 * Helpers shared by the test files: the shop's four services on their databases, two ways to
 * run a saga (driven directly by the test, for tasks 1 to 3, or by your orchestrator over the
 * bus, from task 4 on), and checkouts with the orchestrator crashed at a chosen write or send.
 */
import { createBus, type Bus } from 'labkit/bus';
import { createClock, type Clock } from 'labkit/clock';
import { pgSchema, sqlite, type Pg } from 'labkit/db';
import { clearFaults, crashOnWrite, messageFaults, SimulatedCrash, type MessageFaults } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, showValue } from 'labkit/test';
import { Inventory } from '../src/inventory.ts';
import { REPLIES_TOPIC, STEP_TIMEOUT_MS, sagaIdFor, type Command, type CommandType, type OrderDetails, type Reply, type SagaState, type ServiceName } from '../src/messages.ts';
import { Orders } from '../src/orders.ts';
import { Payments } from '../src/payments.ts';
import { connectParticipant, journalEntry, startOrchestrator, type OrchestratorProcess, type Participant } from '../src/runtime.ts';
import { begin, commandFor, onReply } from '../src/saga.ts';
import { Shipping } from '../src/shipping.ts';

/** A checkout that goes through: 2 mugs at 12.50 each, a card that works, shipped to Germany. */
export function checkout(orderId: string, changes: Partial<OrderDetails> = {}): OrderDetails {
  return { orderId, customerId: 'Zoë Łódź-東京 🙂', sku: 'MUG', quantity: 2, amountCents: 2500, cardToken: 'tok_visa', country: 'DE', ...changes };
}

/**
 * Where the test clock starts: not at 0, and far past 2^32 ms, like a real clock's epoch
 * milliseconds (2026-01-01T00:00:00.007Z). A deadline is a time on this clock, never a delay.
 */
export const START = 1_767_225_600_007;

/** Freezes a value and everything in it, so a function that changes its argument throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Calls a function of saga.ts on frozen arguments; changing one of them fails with a message that says so. */
export function pure<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof TypeError && /read.only|frozen|not extensible|Cannot assign|Cannot add/i.test(error.message)) {
      throw new Error(`${what} changed the state it was given (${error.message}). The functions of saga.ts return a new state and never change the one they get: copy, e.g. { ...state, outcomes: { ...state.outcomes, [name]: outcome } }.`);
    }
    throw error;
  }
}

/** The databases of the three PostgreSQL services, each its own schema and role. */
export interface Databases {
  ordersDb: Pg;
  paymentsDb: Pg;
  /** Only when asked for: the tests of tasks 1 to 3 run without an orchestrator. */
  orchestratorDb: Pg;
}

export async function databases(options: { orchestrator?: boolean } = {}): Promise<Databases> {
  const ordersDb = await pgSchema('orders');
  const paymentsDb = await pgSchema('payments');
  await new Orders(ordersDb).init();
  await new Payments(paymentsDb).init();
  const orchestratorDb = options.orchestrator === false ? unavailable('orchestrator') : await pgSchema('orchestrator');
  return { ordersDb, paymentsDb, orchestratorDb };
}

/** A database handle that explains why it cannot be used. */
function unavailable(name: string): Pg {
  const fail = () => Promise.reject(new Error(`this test has no ${name} database`));
  return { query: fail, exec: fail, transaction: fail };
}

/** The four participants. Orders and Payments on their schemas, Inventory and Shipping on new SQLite databases. */
export interface Participants {
  orders: Orders;
  payments: Payments;
  inventory: Inventory;
  shipping: Shipping;
  byService: Record<ServiceName, Participant>;
}

export async function participants(dbs: Databases, stock: Record<string, number> = { MUG: 10 }): Promise<Participants> {
  const orders = new Orders(dbs.ordersDb);
  const payments = new Payments(dbs.paymentsDb);
  const inventory = new Inventory(await sqlite());
  const shipping = new Shipping(await sqlite());
  for (const [sku, quantity] of Object.entries(stock)) inventory.addStock(sku, quantity);
  return { orders, payments, inventory, shipping, byService: { orders, payments, inventory, shipping } };
}

/** A fresh shop for one test: databases, participants, stock; `orchestrator: false` for the tests that drive the saga themselves. */
export async function newShop(stock?: Record<string, number>, options: { orchestrator?: boolean } = {}): Promise<Participants & Databases> {
  const dbs = await databases(options);
  return { ...dbs, ...(await participants(dbs, stock)) };
}

export interface DirectRun {
  state: SagaState;
  journal: string[];
}

/**
 * Runs a saga without orchestrator, bus or clock: the test hands each command that
 * `commandFor` names straight to its participant and feeds the reply to `onReply`, until the
 * saga is final or `stopAfter` commands have been handled. This checks the state machine of
 * saga.ts on its own, before task 4 puts it behind the bus.
 */
export async function runDirect(shop: Participants, order: OrderDetails, stopAfter = 50): Promise<DirectRun> {
  let state = begin(order, START);
  const journal: string[] = [];
  for (let handled = 0; handled < stopAfter; handled++) {
    const command: Command | undefined = commandFor(state);
    if (!command) return { state, journal };
    const participant = shop.byService[command.service];
    if (!participant) throw new Error(`commandFor gave a command for service "${command.service}", which does not exist: ${JSON.stringify(command)}`);
    const reply = await participant.handle(command);
    journal.push(journalEntry(command.service, command, reply));
    const next = onReply(state, reply, START);
    if (!next) {
      throw new Error(
        `onReply ignored the reply to the very command commandFor asked for, so the saga would wait forever.\n    state: ${showValue(state)}\n    reply: ${showValue(reply)}\n    journal so far: ${showValue(journal)}`,
      );
    }
    state = next;
  }
  if (commandFor(state) && stopAfter >= 50) throw new Error(`the saga was still not final after 50 commands; journal: ${showValue(journal.slice(0, 12))}`);
  return { state, journal };
}

/** The shop on the bus, with your orchestrator as a process. */
export interface BusShop {
  clock: Clock;
  bus: Bus;
  /** Every command the participants handled, in order: `inventory: ReserveStock -> ok`. */
  journal: string[];
  process: OrchestratorProcess;
  /** Starts a new orchestrator process on the same database (after a crash). */
  restart(options?: { crashOnSend?: number }): Promise<OrchestratorProcess>;
}

export async function onBus(shop: Participants & Databases, options: { faults?: MessageFaults; crashOnSend?: number } = {}): Promise<BusShop> {
  const clock = createClock(START);
  const bus = createBus({ clock, faults: options.faults });
  const journal: string[] = [];
  for (const service of ['orders', 'inventory', 'payments', 'shipping'] as const) connectParticipant(bus, service, shop.byService[service], journal);
  const system: BusShop = {
    clock,
    bus,
    journal,
    process: await startOrchestrator({ bus, db: shop.orchestratorDb, crashOnSend: options.crashOnSend }),
    async restart(restartOptions = {}) {
      system.process.crash();
      system.process = await startOrchestrator({ bus, db: shop.orchestratorDb, crashOnSend: restartOptions.crashOnSend });
      return system.process;
    },
  };
  return system;
}

/**
 * Delivers everything there is to deliver, and waits for work the orchestrator's timers
 * started. The clock moves only as far as the bus needs (redelivery backoffs, delayed
 * messages), so no saga deadline passes unless a delayed message takes that long.
 */
export async function settle(system: BusShop): Promise<void> {
  for (let round = 0; round < 200; round++) {
    await system.bus.drain();
    if (!(await system.process.idle())) return;
  }
  throw new Error('the shop kept working after 200 rounds of delivering messages: do timers or messages cause each other without end?');
}

/** Lets time run: settles, then moves the clock to the next timer (a deadline), again and again until no timer is left. */
export async function runOutTheClock(system: BusShop, maxSteps = 60): Promise<void> {
  for (let step = 0; step < maxSteps; step++) {
    await settle(system);
    const next = system.clock.nextTimerAt();
    if (next === undefined) return;
    await system.clock.advance(Math.max(0, next - system.clock.now()));
  }
  throw new Error(`timers were still set after moving the clock ${maxSteps} times (now at ${system.clock.now()} ms): does a timer stay set after its saga is final?`);
}

/** The journal of a saga that goes through. */
export const HAPPY_JOURNAL = [
  'orders: CreateOrder -> ok',
  'inventory: ReserveStock -> ok',
  'payments: CapturePayment -> ok',
  'shipping: ScheduleShipment -> ok',
  'orders: ConfirmOrder -> ok',
];

/** The journal of a saga whose card is declined. */
export const DECLINED_JOURNAL = [
  'orders: CreateOrder -> ok',
  'inventory: ReserveStock -> ok',
  'payments: CapturePayment -> failed',
  'inventory: ReleaseStock -> ok',
  'orders: RejectOrder -> ok',
];

export const ALL_PENDING: Outcomes = { createOrder: 'pending', reserveStock: 'pending', capturePayment: 'pending', scheduleShipment: 'pending', confirmOrder: 'pending' };
export const ALL_DONE: Outcomes = { createOrder: 'done', reserveStock: 'done', capturePayment: 'done', scheduleShipment: 'done', confirmOrder: 'done' };

type Outcomes = SagaState['outcomes'];

/** A reply as a participant would send it. */
export function reply(sagaId: string, step: Reply['step'], type: Reply['type'], ok = true, action: Reply['action'] = 'do'): Reply {
  return ok ? { sagaId, step, action, type, ok } : { sagaId, step, action, type, ok, reason: 'no' };
}

/** What the shop's services hold about one saga, for checks and for failure messages. */
export async function effectsOf(shop: Participants, sagaId: string, orderId: string) {
  return {
    order: (await shop.orders.order(orderId))?.status ?? 'none',
    reservation: shop.inventory.reservation(sagaId)?.status ?? 'none',
    payment: (await shop.payments.payment(sagaId))?.status ?? 'none',
    shipment: shop.shipping.shipment(sagaId)?.status ?? 'none',
  };
}

/** Each step's command and compensation, as the README's table gives them (for reading stored rows). */
const STEP_COMMANDS: [CommandType, CommandType | null][] = [
  ['CreateOrder', 'RejectOrder'],
  ['ReserveStock', 'ReleaseStock'],
  ['CapturePayment', 'RefundPayment'],
  ['ScheduleShipment', 'CancelShipment'],
  ['ConfirmOrder', null],
];

/** Three checkouts to crash the orchestrator in: the commands each sends, in order, and how it ends. */
export const CRASH_SCENARIOS = {
  completes: {
    changes: {},
    commands: ['CreateOrder', 'ReserveStock', 'CapturePayment', 'ScheduleShipment', 'ConfirmOrder'],
    status: 'completed',
    effects: { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' },
    mugs: 8,
  },
  'no carrier to AQ': {
    changes: { country: 'AQ' },
    commands: ['CreateOrder', 'ReserveStock', 'CapturePayment', 'ScheduleShipment', 'RefundPayment', 'ReleaseStock', 'RejectOrder'],
    status: 'compensated',
    effects: { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'refused' },
    mugs: 10,
  },
  /**
   * The reply to ScheduleShipment is lost: at its deadline the saga compensates, the shipment
   * first. (After a crash at the timeout's own write nothing was decided, so the restarted
   * orchestrator may send ScheduleShipment again and get its answer first: then it completes.)
   */
  'the ScheduleShipment reply lost': {
    changes: {},
    commands: ['CreateOrder', 'ReserveStock', 'CapturePayment', 'ScheduleShipment', 'CancelShipment', 'RefundPayment', 'ReleaseStock', 'RejectOrder'],
    status: 'compensated',
    effects: { order: 'REJECTED', reservation: 'released', payment: 'refunded', shipment: 'cancelled' },
    mugs: 10,
  },
} as const;

/** How a checkout that completes leaves the services. */
const COMPLETED_EFFECTS = { order: 'CONFIRMED', reservation: 'reserved', payment: 'captured', shipment: 'scheduled' };

export type CrashScenario = keyof typeof CRASH_SCENARIOS;

/**
 * `{ write: n }`: the nth write to the orchestrator's database crashes it; `{ send: n }`: it
 * crashes just before its nth send. For the scenario whose reply is lost, both count from the
 * moment the deadline passes (the writes and sends of the forward steps are not counted).
 */
export type CrashAt = { write: number } | { send: number };

/** The stored saga, as a position in the scenario's commands: the command it waits for, its length once final, -1 with no row. */
async function storedPosition(db: Pg, sagaId: string, commands: readonly CommandType[]): Promise<{ position: number; text: string }> {
  const { rows } = await db.query<{ status: string; step: number }>('SELECT status, step FROM sagas WHERE saga_id = $1', [sagaId]);
  const row = rows[0];
  if (!row) return { position: -1, text: 'missing (no row for it yet)' };
  if (row.status === 'completed' || row.status === 'compensated') return { position: commands.length, text: row.status };
  const type = STEP_COMMANDS[row.step]?.[row.status === 'compensating' ? 1 : 0];
  const position = type ? commands.indexOf(type) : -1;
  return { position: position < 0 ? Number.POSITIVE_INFINITY : position, text: `${row.status} at step ${row.step} (waiting for ${type ?? 'nothing'})` };
}

/**
 * Runs one checkout with a crash of the orchestrator at one write or send, restarts it if it
 * crashed, lets everything settle and checks the outcome: the saga finished, each step ran
 * once, no more deadlines passed than the scenario needs, and at the crash, the orchestrator
 * had sent no command for a state it had not yet committed (save first, then send). Returns
 * whether the crash happened (false: the saga needed fewer writes or sends).
 */
export async function checkoutWithCrash(shop: Participants & Databases, orderId: string, scenario: CrashScenario, crashAt: CrashAt): Promise<boolean> {
  const T = STEP_TIMEOUT_MS;
  const expected = CRASH_SCENARIOS[scenario];
  const timesOut = scenario === 'the ScheduleShipment reply lost';
  const order = checkout(orderId, expected.changes);
  const sagaId = sagaIdFor(orderId);
  const where = `${'write' in crashAt ? `a crash at write ${crashAt.write}` : `a crash just before send ${crashAt.send}`}${timesOut ? ' after the deadline' : ''} (${scenario})`;
  // Inventory and Shipping start afresh for each checkout; Orders and Payments keep their tables (the order ids differ).
  const parts = await participants(shop, { MUG: 10 });
  const faults = messageFaults();
  if (timesOut) faults.drop({ topic: REPLIES_TOPIC, where: (m) => (m.payload as Reply).type === 'ScheduleShipment' });
  // Four commands go out before the deadline of ScheduleShipment.
  const crashOnSend = 'send' in crashAt ? crashAt.send + (timesOut ? 4 : 0) : undefined;
  const system: BusShop = await onBus({ ...shop, ...parts }, { faults, crashOnSend });
  if ('write' in crashAt && !timesOut) crashOnWrite(shop.orchestratorDb, crashAt.write);
  const started = await system.process.orchestrator.start(order).then(
    () => 'started',
    (error: unknown) => error,
  );
  if (started !== 'started' && !(started instanceof SimulatedCrash)) throw new Error(`with ${where}, start() should succeed or crash, but ${describeOutcome(started)}`);
  await settle(system);
  if (timesOut && system.process.up) {
    if ('write' in crashAt) crashOnWrite(shop.orchestratorDb, crashAt.write);
    await system.clock.advance(T);
    await settle(system);
  }
  clearFaults(shop.orchestratorDb);
  const crashed = !system.process.up;
  if (crashed) {
    const stored = await storedPosition(shop.orchestratorDb, sagaId, expected.commands);
    const sent = (['orders', 'inventory', 'payments', 'shipping'] as const).flatMap((topic) =>
      system.bus
        .published(topic)
        .map((m) => m.payload as Command)
        .filter((c) => c.sagaId === sagaId),
    );
    const commands: readonly CommandType[] = expected.commands;
    const ahead = sent.find((c) => commands.indexOf(c.type) > stored.position);
    if (ahead) {
      throw new Error(
        `with ${where}: before it crashed, the orchestrator sent ${ahead.type}, but the saga's stored state is ${stored.text}. ` +
          'It sent a command for a state that was never committed, so after the crash a service acts on a step the saga\'s record never reached. ' +
          'Save the new state first, and send only after the commit (start: after the insert; handleReply and handleTimeout: after the transaction).',
      );
    }
    await system.restart();
    // The checkout page saw an error and tries again.
    if (started !== 'started') await system.process.orchestrator.start(order);
  }
  if (timesOut) await runOutTheClock(system);
  else await settle(system);
  const state = await system.process.orchestrator.get(sagaId);
  if (system.process.errors.length > 0) throw new Error(`after ${where}, the orchestrator threw: ${showValue(system.process.errors.map(String))}`);
  const budget = timesOut ? 2 * T : T;
  expect(
    system.clock.now() - START,
    `after ${where}: the saga must finish ${timesOut ? 'at its one deadline, without waiting for another' : 'without waiting for a deadline'} (ms since the checkout)`,
  ).toBeLessThan(budget);
  // A crash at the timeout's own write undid its decision: the saga may then complete instead.
  const completedInstead = timesOut && crashed && state?.status === 'completed';
  const status = completedInstead ? 'completed' : expected.status;
  expect(state?.status, `after ${where} and a restart, the saga of ${orderId} should be ${status}; its state: ${showValue(state)}; journal: ${showValue(system.journal)}`).toBe(status);
  // Each step ran once, however often its command was sent.
  expectEqual(await effectsOf(parts, sagaId, orderId), completedInstead ? COMPLETED_EFFECTS : expected.effects, `after ${where}, what the services hold about ${orderId} (the saga is ${status})`);
  expect(parts.inventory.available('MUG'), `after ${where}, the mugs on the shelf (10 before)`).toBe(completedInstead ? 8 : expected.mugs);
  return crashed;
}
