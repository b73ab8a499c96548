/**
 * Helpers shared by the test files: the shop's four services on their databases, two ways to
 * run a saga (driven directly by the test, for tasks 1 to 3, or by your orchestrator over the
 * bus, from task 4 on), and expectations whose failure messages show what differs.
 */
import { createBus, type Bus } from 'labkit/bus';
import { createClock, type Clock } from 'labkit/clock';
import { pgSchema, sqlite, type Pg } from 'labkit/db';
import type { MessageFaults } from 'labkit/faults';
import { expect } from 'labkit/test';
import { Inventory } from '../src/inventory.ts';
import { type Command, type OrderDetails, type Reply, type SagaState, type ServiceName } from '../src/messages.ts';
import { Orders } from '../src/orders.ts';
import { Payments } from '../src/payments.ts';
import { connectParticipant, journalEntry, startOrchestrator, type OrchestratorProcess, type Participant } from '../src/runtime.ts';
import { begin, commandFor, onReply } from '../src/saga.ts';
import { Shipping } from '../src/shipping.ts';

/** A checkout that goes through: 2 mugs at 12.50 each, a card that works, shipped to Germany. */
export function checkout(orderId: string, changes: Partial<OrderDetails> = {}): OrderDetails {
  return { orderId, customerId: 'alice', sku: 'MUG', quantity: 2, amountCents: 2500, cardToken: 'tok_visa', country: 'DE', ...changes };
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
  let state = begin(order, 0);
  const journal: string[] = [];
  for (let handled = 0; handled < stopAfter; handled++) {
    const command: Command | undefined = commandFor(state);
    if (!command) return { state, journal };
    const participant = shop.byService[command.service];
    if (!participant) throw new Error(`commandFor gave a command for service "${command.service}", which does not exist: ${JSON.stringify(command)}`);
    const reply = await participant.handle(command);
    journal.push(journalEntry(command.service, command, reply));
    const next = onReply(state, reply, 0);
    if (!next) {
      throw new Error(
        `onReply ignored the reply to the very command commandFor asked for, so the saga would wait forever.\n    state: ${show(state)}\n    reply: ${show(reply)}\n    journal so far: ${show(journal)}`,
      );
    }
    state = next;
  }
  if (commandFor(state) && stopAfter >= 50) throw new Error(`the saga was still not final after 50 commands; journal: ${show(journal.slice(0, 12))}`);
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
  const clock = createClock();
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

/** `expect(actual).toEqual(expected)`, with the parts that differ spelled out when it fails. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  reportAtCaller(expectEqual, () => expect(actual, explain(what, differences(actual, expected, false))).toEqual(expected));
}

/** `expect(actual).toMatchObject(expected)`: the fields in `expected` must match; others may be there too. */
export function expectMatch(actual: unknown, expected: object, what: string): void {
  reportAtCaller(expectMatch, () => expect(actual, explain(what, differences(actual, expected, true))).toMatchObject(expected));
}

function reportAtCaller(helper: (...args: never[]) => void, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Error && typeof Error.captureStackTrace === 'function') Error.captureStackTrace(error, helper);
    throw error;
  }
}

/** "it threw TypeError: ..." or "it returned 3": what a call settled with. */
export function describeOutcome(value: unknown): string {
  if (value instanceof Error) return `it threw ${value.name}: ${value.message}`;
  return `it returned ${show(value)}`;
}

function explain(what: string, diffs: string[]): string {
  if (diffs.length === 0) return what;
  const shown = diffs.slice(0, 6).map((d) => `\n    ${d}`).join('');
  return `${what}${shown}${diffs.length > 6 ? `\n    ... and ${diffs.length - 6} more differences` : ''}\n  `;
}

function differences(actual: unknown, expected: unknown, subset: boolean, path = ''): string[] {
  if (Object.is(actual, expected)) return [];
  const here = path ? `${path}: ` : '';
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null || Array.isArray(actual) !== Array.isArray(expected)) {
    return [`${here}expected ${show(expected)}, got ${show(actual)}`];
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return [`${here}expected ${expected.length} items ${show(expected)}, got ${actual.length} ${show(actual)}`];
    return expected.flatMap((item, i) => differences(actual[i], item, subset, `${path}[${i}]`));
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = subset ? Object.keys(e) : [...new Set([...Object.keys(e), ...Object.keys(a)])];
  return keys.flatMap((key) => {
    const at = path ? `${path}.${key}` : key;
    if (!(key in a) && e[key] !== undefined) return [`${at}: expected ${show(e[key])}, but it is missing`];
    if (!(key in e) && a[key] !== undefined) return [`${at}: not expected, got ${show(a[key])}`];
    return differences(a[key], e[key], subset, at);
  });
}

export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}
