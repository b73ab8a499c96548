/**
 * Helpers shared by the test files: the shop (Orders with its outbox, Notifications and
 * Analytics as consumers, each in its own schema) on a bus and a test clock, relays, and ways
 * to read what each service holds.
 */
import { createBus, type Bus, type BusInterceptor } from 'labkit/bus';
import { createClock, type Clock } from 'labkit/clock';
import { pgSchema, type Pg } from 'labkit/db';
import { seededRandom } from 'labkit/faults';
import { Consumer } from '../src/consumer.ts';
import { TOPIC, type Handlers, type OutgoingEvent, type Publisher } from '../src/messages.ts';
import { Orders } from '../src/orders.ts';
import { Relay } from '../src/relay.ts';
import { analyticsHandlers, busPublisher, connectConsumer, createAnalyticsTables, createNotificationsTables, createOrdersTables, notificationHandlers } from '../src/shop.ts';

/**
 * Where the test clock starts: 2026-03-28T22:30:00.007Z, half an hour before midnight in
 * Berlin, the night the clocks there go forward. Far from 0, as a real clock's milliseconds are.
 */
export const START = Date.UTC(2026, 2, 28, 22, 30, 0, 7);

export const CUSTOMERS = ['Zoë Łódź-東京', "Renée O'Hara 🙂", 'Ólafur Þórsson', 'Aiyana Nez'] as const;

/** A uuid that no outbox row has, for a message the test delivers itself. */
export function uuid(n: number): string {
  return `c0ffee00-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export interface Shop {
  clock: Clock;
  bus: Bus;
  ordersDb: Pg;
  notificationsDb: Pg;
  analyticsDb: Pg;
  orders: Orders;
  notifications: Consumer;
  analytics: Consumer;
  /** A relay on the bus, with its own database handle, so a test can crash one relay's writes. */
  relay(name: string, options?: { publish?: Publisher; batchSize?: number; db?: Pg }): Promise<Relay>;
}

/** Opens the three schemas and creates their tables (again: a restarted service finds its data). */
export async function databases(): Promise<{ ordersDb: Pg; notificationsDb: Pg; analyticsDb: Pg }> {
  const ordersDb = await pgSchema('orders');
  const notificationsDb = await pgSchema('notifications');
  const analyticsDb = await pgSchema('analytics');
  await createOrdersTables(ordersDb);
  await createNotificationsTables(notificationsDb);
  await createAnalyticsTables(analyticsDb);
  return { ordersDb, notificationsDb, analyticsDb };
}

/** The buses of the running test, closed after it so no delivery runs into the next test. */
const openBuses: Bus[] = [];

/** For afterEach in every test file: stops the test's buses. */
export function closeBuses(): void {
  for (const bus of openBuses.splice(0)) bus.close();
}

export async function newShop(options: { faults?: BusInterceptor; seed?: number; connect?: boolean } = {}): Promise<Shop> {
  const dbs = await databases();
  const clock = createClock(START);
  const bus = createBus({ clock, faults: options.faults });
  openBuses.push(bus);
  const seed = options.seed ?? 20260328;
  const notifications = new Consumer({ name: 'confirmation-email', db: dbs.notificationsDb, clock, random: seededRandom(seed), handlers: notificationHandlers });
  const analytics = new Consumer({ name: 'sales-by-day', db: dbs.analyticsDb, clock, random: seededRandom(seed + 1), handlers: analyticsHandlers });
  if (options.connect === true) {
    connectConsumer(bus, notifications);
    connectConsumer(bus, analytics);
  }
  return {
    ...dbs,
    clock,
    bus,
    orders: new Orders(dbs.ordersDb, clock),
    notifications,
    analytics,
    async relay(name, relayOptions = {}) {
      return new Relay({ name, db: relayOptions.db ?? (await pgSchema('orders')), clock, publish: relayOptions.publish ?? busPublisher(bus), batchSize: relayOptions.batchSize });
    },
  };
}

/** A consumer of the test's own, on a schema that has the consumer tables. */
export function consumer(shop: Shop, name: string, handlers: Handlers, options: { db?: Pg; seed?: number } = {}): Consumer {
  return new Consumer({ name, db: options.db ?? shop.notificationsDb, clock: shop.clock, random: seededRandom(options.seed ?? 7), handlers });
}

/**
 * Rows the outbox already holds when the test begins: two orders of last week, published long
 * ago (positions 3 and 8: positions have gaps), and the sequence moved on to 40.
 */
export async function oldPublishedRows(ordersDb: Pg): Promise<void> {
  await ordersDb.query(
    `INSERT INTO orders (id, customer_id, total_cents, status, placed_at) VALUES
       (1001, 'Ingrid Ångström', 990, 'placed', '2026-03-20 10:00+01'), (1004, 'Zoë Łódź-東京', 4500, 'placed', '2026-03-21 18:30+01')`,
  );
  await ordersDb.query(
    `INSERT INTO outbox (position, message_id, topic, message_key, type, payload, created_at, published_at) VALUES
       (3, 'a1000000-0000-4000-8000-000000000003', $1, 'order-1001', 'OrderPlaced', '{"orderId": 1001, "customerId": "Ingrid Ångström", "totalCents": 990, "placedAt": "2026-03-20T09:00:00.000Z"}', '2026-03-20 10:00+01', '2026-03-20 10:00:01+01'),
       (8, 'a1000000-0000-4000-8000-000000000008', $1, 'order-1004', 'OrderPlaced', '{"orderId": 1004, "customerId": "Zoë Łódź-東京", "totalCents": 4500, "placedAt": "2026-03-21T17:30:00.000Z"}', '2026-03-21 18:30+01', '2026-03-21 18:30:02+01')`,
    [TOPIC],
  );
  await ordersDb.query("SELECT setval('outbox_position_seq', 40)");
}

export interface OutboxRow {
  position: number;
  message_id: string;
  topic: string;
  message_key: string;
  type: string;
  payload: Record<string, unknown>;
  published: boolean;
}

export async function outboxRows(ordersDb: Pg): Promise<OutboxRow[]> {
  const { rows } = await ordersDb.query<OutboxRow & { position: unknown }>(
    'SELECT position, message_id, topic, message_key, type, payload, published_at IS NOT NULL AS published FROM outbox ORDER BY position',
  );
  return rows.map((r) => ({ ...r, position: Number(r.position) }));
}

export async function unpublished(ordersDb: Pg): Promise<number> {
  const { rows } = await ordersDb.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
  return rows[0]!.n;
}

/** Emails as "order subject" lines, sorted, with the message that caused each. */
export async function emails(notificationsDb: Pg): Promise<{ order_id: number; recipient: string; subject: string; message_id: string }[]> {
  const { rows } = await notificationsDb.query<{ order_id: number; recipient: string; subject: string; message_id: string }>(
    'SELECT order_id, recipient, subject, message_id FROM emails ORDER BY order_id, id',
  );
  return rows;
}

export async function dailySales(analyticsDb: Pg): Promise<Record<string, { orders: number; totalCents: number; cancelled: number }>> {
  const { rows } = await analyticsDb.query<{ day: string; orders: number; total_cents: string; cancelled: number }>('SELECT * FROM daily_sales ORDER BY day');
  return Object.fromEntries(rows.map((r) => [r.day, { orders: r.orders, totalCents: Number(r.total_cents), cancelled: r.cancelled }]));
}

/** The ids the bus received, per message id: how many times each was published. */
export function publishCounts(bus: Bus): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of bus.published(TOPIC)) counts[m.id] = (counts[m.id] ?? 0) + 1;
  return counts;
}

/** Rounds of relaying and delivering until the outbox is empty of unpublished rows (or `rounds` ran out). */
export async function relayUntilDone(shop: Shop, relays: { relayOnce(): Promise<number> }[], rounds = 10): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await Promise.allSettled(relays.map((r) => r.relayOnce()));
    await shop.bus.drain();
    if ((await unpublished(shop.ordersDb)) === 0) return;
    await shop.clock.advance(1_000);
  }
}

/** A publisher that records what it was given and forwards it to the bus. */
export function recordingPublisher(bus: Bus, log: OutgoingEvent[], options: { fail?: (message: OutgoingEvent, n: number) => Error | undefined } = {}): Publisher {
  let n = 0;
  return async (topic, message) => {
    n += 1;
    // A real broker answers later: let other relays run in between.
    await Promise.resolve();
    const failure = options.fail?.(message, n);
    if (failure) throw failure;
    log.push(structuredClone(message));
    bus.publish(topic, message);
  };
}

/**
 * Awaits work that sleeps on the test clock (a redrive's retries): lets it run, and whenever it
 * has stayed pending for a few turns of the event loop, moves the clock to its next timer.
 */
export async function settle<T>(clock: Clock, work: Promise<T>): Promise<T> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  done.catch(() => undefined);
  for (let step = 0; step < 10_000 && !settled; step++) {
    for (let turn = 0; turn < 5 && !settled; turn++) await clock.advance(0);
    const next = clock.nextTimerAt();
    if (!settled && next !== undefined) await clock.advance(Math.max(0, next - clock.now()));
  }
  return done;
}
