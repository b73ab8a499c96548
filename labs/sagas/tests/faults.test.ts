import { createBus } from 'labkit/bus';
import { createClock } from 'labkit/clock';
import { sqlite } from 'labkit/db';
import { messageFaults, scheduleSeeds, seededRandom, withSeed, type MessageFaults } from 'labkit/faults';
import { expect, expectEqual, showValue, test } from 'labkit/test';
import { Inventory } from '../src/inventory.ts';
import { STEP_TIMEOUT_MS, sagaIdFor, type OrderDetails } from '../src/messages.ts';
import { Orders } from '../src/orders.ts';
import { Payments } from '../src/payments.ts';
import { connectParticipant, startOrchestrator } from '../src/runtime.ts';
import { Shipping } from '../src/shipping.ts';
import { checkout, databases, runOutTheClock, START, type BusShop } from './helpers.ts';

const SCHEDULES = 100;
const SAGAS_PER_SCHEDULE = 3;
const MUGS_ON_THE_SHELF = 3;

/** One schedule: its faults, its orders, and what Inventory and Shipping (new for each schedule) hold at the end. */
interface Schedule {
  seed: number;
  faults: MessageFaults;
  orders: OrderDetails[];
  mugsTaken: number;
  shipped: string[];
}

test(`${SCHEDULES} seeded fault schedules: stock, money, parcels and orders always agree with the sagas`, { task: 5, points: 6, timeoutMs: 40_000 }, async () => {
  // One broker, one orchestrator process and one Orders and Payments service for all the
  // schedules, as in a shop that keeps running; each schedule brings its own faults, a new
  // Inventory with three mugs on the shelf and a new Shipping, and its own order ids.
  const dbs = await databases();
  let faults: MessageFaults = messageFaults();
  const clock = createClock(START);
  const bus = createBus({
    clock,
    faults: {
      onPublish: (message, forward) => faults.onPublish(message, forward),
      ackLost: (message, group) => faults.ackLost?.(message, group) ?? false,
      releaseHeld: (forward) => faults.releaseHeld?.(forward) ?? false,
    },
  });
  const orders = new Orders(dbs.ordersDb);
  const payments = new Payments(dbs.paymentsDb);
  let inventory: Inventory | undefined;
  let shipping: Shipping | undefined;
  connectParticipant(bus, 'orders', orders);
  connectParticipant(bus, 'payments', payments);
  connectParticipant(bus, 'inventory', { handle: (command) => inventory!.handle(command) });
  connectParticipant(bus, 'shipping', { handle: (command) => shipping!.handle(command) });
  const process = await startOrchestrator({ bus, db: dbs.orchestratorDb });
  const system: BusShop = { clock, bus, journal: [], process, restart: () => Promise.reject(new Error('no restarts here')) };

  const schedules: Schedule[] = [];
  // The run's seed and the ones after it: a failure names its seed, and a run with that seed
  // (npm run grade -- sagas --seed N) replays that schedule first.
  for (const seed of scheduleSeeds(SCHEDULES)) {
    await withSeed(seed, async () => {
      faults = messageFaults({ seed });
      faults.drop({ probability: 0.025 });
      faults.delay({ probability: 0.03, ms: 2 * STEP_TIMEOUT_MS }); // arrives after the deadline
      faults.delay({ probability: 0.08, ms: 50 });
      faults.duplicate({ probability: 0.1 });
      faults.reorder({ probability: 0.08 });
      faults.loseAck({ probability: 0.04 });
      inventory = new Inventory(await sqlite());
      inventory.addStock('MUG', MUGS_ON_THE_SHELF);
      shipping = new Shipping(await sqlite());

      // Three customers check out at the same moment and compete for the three mugs (each
      // wants one or two); some cards are declined, some parcels go where no carrier does.
      const random = seededRandom(seed + 1_000_000);
      const schedule: Schedule = { seed, faults, orders: [], mugsTaken: 0, shipped: [] };
      for (let i = 1; i <= SAGAS_PER_SCHEDULE; i++) {
        const quantity = 1 + Math.floor(random() * 2);
        schedule.orders.push(
          checkout(`Zoë-${seed}-${10 * i + 3}`, {
            quantity,
            amountCents: quantity * 1250,
            cardToken: random() < 0.2 ? 'tok_declined' : 'tok_visa',
            country: random() < 0.15 ? 'AQ' : 'DE',
          }),
        );
      }
      await Promise.all(schedule.orders.map((order) => process.orchestrator.start(order)));
      await runOutTheClock(system);
      if (process.errors.length > 0) throw new Error(`the orchestrator threw in a timer: ${showValue(process.errors.map(String))}`);
      schedule.mugsTaken = MUGS_ON_THE_SHELF - inventory.available('MUG');
      schedule.shipped = shipping.scheduled().map((s) => s.orderId);
      schedules.push(schedule);
    });
  }

  // The PostgreSQL services are read once for all schedules; each schedule is then checked on its own.
  const all = schedules.flatMap((s) => s.orders);
  const sagaIds = all.map((o) => sagaIdFor(o.orderId));
  const { rows: sagaRows } = await dbs.orchestratorDb.query<{ saga_id: string; status: string }>('SELECT saga_id, status FROM sagas WHERE saga_id = ANY($1)', [sagaIds]);
  const { rows: orderRows } = await dbs.ordersDb.query<{ order_id: string; status: string }>('SELECT order_id, status FROM orders WHERE order_id = ANY($1)', [all.map((o) => o.orderId)]);
  const { rows: captureRows } = await dbs.paymentsDb.query<{ order_id: string; amount_cents: number }>(
    "SELECT order_id, amount_cents FROM payments WHERE saga_id = ANY($1) AND status = 'captured'",
    [sagaIds],
  );
  const sagaStatus = new Map(sagaRows.map((r) => [r.saga_id, r.status]));
  const orderStatus = new Map(orderRows.map((r) => [r.order_id, r.status]));

  for (const schedule of schedules) {
    await withSeed(schedule.seed, () => {
      const injected = `faults injected: ${showValue(schedule.faults.log.map((f) => `${f.fault} ${f.topic}${f.delayMs ? ` ${f.delayMs}ms` : ''}`))}`;
      const ids = schedule.orders.map((o) => o.orderId);
      for (const id of ids) {
        const status = sagaStatus.get(sagaIdFor(id));
        expect(['completed', 'compensated'], `saga ${sagaIdFor(id)} must end completed or compensated, but it is ${status ?? 'missing'}; ${injected}`).toContain(status);
      }
      const confirmed = schedule.orders.filter((o) => sagaStatus.get(sagaIdFor(o.orderId)) === 'completed');
      const confirmedIds = confirmed.map((o) => o.orderId);
      expectEqual(
        Object.fromEntries(ids.map((id) => [id, orderStatus.get(id) ?? 'missing'])),
        Object.fromEntries(ids.map((id) => [id, confirmedIds.includes(id) ? 'CONFIRMED' : 'REJECTED'])),
        `the orders: CONFIRMED for a completed saga, REJECTED for a compensated one; ${injected}`,
      );
      const reserved = confirmed.reduce((sum, o) => sum + o.quantity, 0);
      expect(schedule.mugsTaken, `mugs taken off the shelf = mugs of confirmed orders (${reserved}); ${injected}`).toBe(reserved);
      expectEqual(
        captureRows.filter((p) => ids.includes(p.order_id)).map((p) => [p.order_id, p.amount_cents]).sort(),
        confirmed.map((o) => [o.orderId, o.amountCents]).sort(),
        `money captured = money of confirmed orders, one payment each; ${injected}`,
      );
      expectEqual([...schedule.shipped].sort(), [...confirmedIds].sort(), `parcels booked = confirmed orders; ${injected}`);
    });
  }
  // The schedules must really have exercised both endings and every kind of fault.
  const endings = [...sagaStatus.values()];
  const kinds = new Set(schedules.flatMap((s) => s.faults.log.map((f) => f.fault)));
  expect(endings.filter((e) => e === 'completed').length, 'sagas that completed over all schedules').toBeGreaterThan(SCHEDULES / 2);
  expect(endings.filter((e) => e === 'compensated').length, 'sagas that were compensated over all schedules').toBeGreaterThan(SCHEDULES / 2);
  expect([...kinds].sort(), 'the kinds of faults injected').toEqual(['delay', 'drop', 'duplicate', 'loseAck', 'reorder']);
  bus.close();
});
