import { createBus } from 'labkit/bus';
import { createClock } from 'labkit/clock';
import { pgSchema } from 'labkit/db';
import { clearFaults, crashOnWrite, messageFaults, scheduleSeeds, seededRandom, SimulatedCrash, withSeed, type MessageFaults } from 'labkit/faults';
import { afterEach, expect, expectEqual, showValue, test } from 'labkit/test';
import { Consumer } from '../src/consumer.ts';
import { LEASE_MS, OUTBOX_RETENTION_MS, TOPIC, shopDay } from '../src/messages.ts';
import { Orders } from '../src/orders.ts';
import { cleanupOutbox, Relay } from '../src/relay.ts';
import { analyticsHandlers, connectConsumer, notificationHandlers } from '../src/shop.ts';
import { closeBuses, consumer, CUSTOMERS, dailySales, databases, emails, newShop, outboxRows, START, unpublished, uuid } from './helpers.ts';

afterEach(closeBuses);

test('a message of an unknown type is kept as a dead letter at once and parks its key; an upgraded consumer redrives it', { task: 5, points: 4 }, async () => {
  const shop = await newShop();
  const handled: string[] = [];
  const record = (what: string) => async (_tx: unknown, event: { key: string }) => {
    handled.push(`${event.key} ${what}`);
  };
  const old = consumer(shop, 'gift-desk', { OrderPlaced: record('OrderPlaced'), OrderCancelled: record('OrderCancelled') });
  connectConsumer(shop.bus, old);
  const payload = { orderId: 5103, paper: 'Geschenkpapier „Sterne“', note: 'Alles Gute, Åsa!' };
  shop.bus.publish(TOPIC, { id: uuid(51), key: 'order-5103', headers: { type: 'OrderGiftWrapped' }, payload });
  shop.bus.publish(TOPIC, { id: uuid(52), key: 'order-5103', headers: { type: 'OrderCancelled' }, payload: { orderId: 5103 } });
  shop.bus.publish(TOPIC, { id: uuid(53), key: 'order-5105', headers: { type: 'OrderPlaced' }, payload: { orderId: 5105 } });
  await shop.bus.drain();

  expectEqual(handled, ['order-5105 OrderPlaced'], 'handled: order-5105 only; order-5103 is parked behind its unknown message');
  const dead = await old.deadLetters();
  expectEqual(
    dead.map((d) => ({ messageId: d.messageId, key: d.key, type: d.type, payload: d.payload, attempts: d.attempts, sameTime: d.firstFailedAt === d.lastFailedAt })),
    [{ messageId: uuid(51), key: 'order-5103', type: 'OrderGiftWrapped', payload, attempts: 1, sameTime: true }],
    'the dead letters: the unknown message, as it came, after one attempt and no retries (no retry can teach a consumer a type; consumer.ts)',
  );
  expect(dead[0]?.error, 'the dead letter\'s error names the unknown type').toContain('OrderGiftWrapped');
  expectEqual(shop.bus.deadLetters(TOPIC, 'gift-desk'), [], "the bus's DLQ: nothing; the consumer kept the message itself");

  // Another message of the unknown type for the same order: parked behind the first, not a second dead letter.
  shop.bus.publish(TOPIC, { id: uuid(54), key: 'order-5103', headers: { type: 'OrderGiftWrapped' }, payload: { orderId: 5103, paper: 'Kraft' } });
  await shop.bus.drain();
  expectEqual((await old.deadLetters()).map((d) => d.messageId), [uuid(51)], 'the dead letters after a second unknown message of the parked order-5103: it waits parked behind the first');
  // Redriven by the consumer that still does not know the type: back to the dead letters, the rest stays parked.
  expect(await old.redrive(uuid(51)), 'redrive() by the old consumer resolves to true').toBe(true);
  expectEqual((await old.deadLetters()).map((d) => `${d.messageId} ${d.attempts}`), [`${uuid(51)} 1`], 'the old consumer cannot handle it either: a dead letter again, after one attempt');
  expectEqual(handled, ['order-5105 OrderPlaced'], 'handled after the old consumer\'s redrive: nothing more, the parked messages still wait');

  // The new version of the consumer knows the type: same name, same database.
  const upgraded = consumer(shop, 'gift-desk', { OrderPlaced: record('OrderPlaced'), OrderCancelled: record('OrderCancelled'), OrderGiftWrapped: record('OrderGiftWrapped') });
  expect(await upgraded.redrive(uuid(51)), 'redrive() of the unknown message by the upgraded consumer').toBe(true);
  expectEqual(handled, ['order-5105 OrderPlaced', 'order-5103 OrderGiftWrapped', 'order-5103 OrderCancelled', 'order-5103 OrderGiftWrapped'], 'handled after the redrive: the kept message, then the ones parked behind it, in arrival order');
  expectEqual(await upgraded.deadLetters(), [], 'dead letters after the redrive');
});

test('cleanup deletes only rows published at least the retention ago; unpublished rows stay however old', { task: 5, points: 4 }, async () => {
  const shop = await newShop();
  const now = shop.clock.now();
  const at = (ms: number) => new Date(now - ms);
  /** The same instant written with another offset, as another writer in another time zone would. */
  const offset = (date: Date, minutes: number, label: string) => new Date(date.getTime() + minutes * 60_000).toISOString().replace('Z', label);
  const rows: [number, Date, Date | string | null][] = [
    [5, at(30 * 86_400_000), at(30 * 86_400_000 - 1_000)], // published a month ago
    [9, at(OUTBOX_RETENTION_MS + 5_000), offset(at(OUTBOX_RETENTION_MS), 330, '+05:30')], // published exactly the retention ago, written in Kolkata time
    [12, at(OUTBOX_RETENTION_MS + 5_000), offset(at(OUTBOX_RETENTION_MS - 1), 825, '+13:45')], // 1 ms short of it, written in Chatham time
    [13, at(40 * 86_400_000), null], // never published, very old
    [21, at(60_000), at(1_000)], // published a second ago
    [22, at(1_000), null],
  ];
  for (const [position, created, published] of rows) {
    await shop.ordersDb.query(
      `INSERT INTO outbox (position, topic, message_key, type, payload, created_at, published_at)
       VALUES ($1, $2, $3, 'OrderPlaced', $4, $5, $6)`,
      [position, TOPIC, `order-${5200 + position}`, { orderId: 5200 + position, customerId: CUSTOMERS[position % 4]! }, created, published],
    );
  }
  const deleted = await cleanupOutbox(shop.ordersDb, now);
  expectEqual((await outboxRows(shop.ordersDb)).map((r) => r.position), [12, 13, 21, 22], `the outbox after cleanupOutbox(db, now): rows published ${OUTBOX_RETENTION_MS} ms or more before now are gone, the rest stay (relay.ts)`);
  expect(deleted, 'cleanupOutbox resolves to the number of rows it deleted').toBe(2);
  expect(await cleanupOutbox(shop.ordersDb, now), 'a second cleanup at the same time deletes nothing').toBe(0);
  expect(await cleanupOutbox(shop.ordersDb, now + 1, OUTBOX_RETENTION_MS), 'one millisecond later the row 1 ms short of the retention goes too').toBe(1);
  expect(await cleanupOutbox(shop.ordersDb, now + 1, 500), 'with a retention of 500 ms, the row published a second ago goes').toBe(1);
  expectEqual((await outboxRows(shop.ordersDb)).map((r) => r.position), [13, 22], 'unpublished rows are never deleted');
});

const SCHEDULES = 100;

interface Schedule {
  seed: number;
  faults: MessageFaults;
  notes: string[];
  placed: { id: number; totalCents: number }[];
  cancelled: number[];
  /** The shop day (Berlin) of this schedule's orders: each schedule runs on a day of its own. */
  day: string;
}

test(`${SCHEDULES} seeded fault schedules: every email is sent once and every sale counted once`, { task: 5, points: 8, timeoutMs: 60_000 }, async () => {
  // One shop for all the schedules, as in a shop that keeps running: each schedule places a few
  // orders with ids of its own, under its own faults on the bus, at the relays and in the consumers.
  const dbs = await databases();
  const clock = createClock(START);
  let faults: MessageFaults = messageFaults();
  const bus = createBus({
    clock,
    faults: {
      onPublish: (message, forward) => faults.onPublish(message, forward),
      ackLost: (message, group) => faults.ackLost?.(message, group) ?? false,
      releaseHeld: (forward) => faults.releaseHeld?.(forward) ?? false,
    },
  });
  let random = seededRandom(1);
  const jitter = () => random();
  const notifications = new Consumer({ name: 'confirmation-email', db: dbs.notificationsDb, clock, random: jitter, handlers: notificationHandlers });
  const analytics = new Consumer({ name: 'sales-by-day', db: dbs.analyticsDb, clock, random: jitter, handlers: analyticsHandlers });
  connectConsumer(bus, notifications);
  connectConsumer(bus, analytics);
  const orders = new Orders(dbs.ordersDb, clock);
  const relayDbs = [await pgSchema('orders'), await pgSchema('orders')];
  let relayNumber = 0;
  const schedules: Schedule[] = [];

  // Schedules start at noon in Berlin, one day apart, so Analytics counts each on a day of its own.
  const firstNoon = START + 12 * 3_600_000;
  try {
    for (const [index, seed] of scheduleSeeds(SCHEDULES).entries()) {
      await withSeed(seed, async () => {
        faults = messageFaults({ seed });
        faults.duplicate({ topic: TOPIC, probability: 0.15 });
        faults.delay({ topic: TOPIC, probability: 0.1, ms: 400 });
        faults.reorder({ topic: TOPIC, probability: 0.1 });
        faults.loseAck({ topic: TOPIC, probability: 0.1 });
        random = seededRandom(seed ^ 0x5eed);
        const draw = seededRandom((seed + 7_919) >>> 0);
        await clock.advance(firstNoon + index * 86_400_000 - clock.now());
        const schedule: Schedule = { seed, faults, notes: [], placed: [], cancelled: [], day: shopDay(new Date(clock.now()).toISOString()) };

        // One order, or two; ids with gaps; some cancelled.
        const count = draw() < 0.35 ? 2 : 1;
        for (let i = 0; i < count; i++) {
          const id = 100_000 + index * 10 + 3 * i + 1;
          const totalCents = 100 + Math.floor(draw() * 9_000);
          await orders.placeOrder({ id, customerId: CUSTOMERS[i % CUSTOMERS.length]!, totalCents });
          schedule.placed.push({ id, totalCents });
          if (draw() < 0.5) {
            await orders.cancelOrder(id, 'storniert');
            schedule.cancelled.push(id);
          }
          await clock.advance(Math.floor(draw() * 2_000));
        }

        // The relays: a publish may fail before or after the broker got it, or the relay may die there.
        const relayFor = (db: (typeof relayDbs)[number]) =>
          new Relay({
            name: `relay-${++relayNumber}`,
            db,
            clock,
            batchSize: 1 + Math.floor(draw() * 3),
            publish: async (topic, message) => {
              await Promise.resolve();
              const roll = draw();
              if (roll < 0.06) {
                schedule.notes.push(`publish of ${message.key} ${message.headers.type} failed`);
                throw new Error('broker unavailable');
              }
              if (roll < 0.1) {
                schedule.notes.push(`relay died before publishing ${message.key} ${message.headers.type}`);
                throw new SimulatedCrash('simulated crash: the relay died');
              }
              bus.publish(topic, message);
              if (roll > 0.95) {
                schedule.notes.push(`confirm of ${message.key} ${message.headers.type} lost`);
                throw new Error('broker did not confirm in time');
              }
            },
          });
        let relays = relayDbs.map(relayFor);
        for (const [db, what] of [
          [dbs.notificationsDb, 'notifications'],
          [dbs.analyticsDb, 'analytics'],
        ] as const) {
          if (draw() < 0.35) {
            const write = 1 + Math.floor(draw() * 4);
            crashOnWrite(db, write);
            schedule.notes.push(`${what} crashes at its write ${write}`);
          }
        }

        for (let round = 0; round < 30; round++) {
          const outcomes = await Promise.allSettled(relays.map((r) => r.relayOnce()));
          // A relay that died is replaced by a new process with a new name; its lease stays behind.
          relays = relays.map((r, i) => (outcomes[i]!.status === 'rejected' && (outcomes[i] as PromiseRejectedResult).reason instanceof SimulatedCrash ? relayFor(relayDbs[i]!) : r));
          // Deliveries run meanwhile, as the relays wait for the database; the end waits for them all.
          if ((await unpublished(dbs.ordersDb)) === 0) break;
          await clock.advance(LEASE_MS);
        }
        await bus.drain();
        clearFaults(dbs.notificationsDb);
        clearFaults(dbs.analyticsDb);
        expect(await unpublished(dbs.ordersDb), `outbox rows still unpublished after 30 relay rounds; ${describe(schedule)}`).toBe(0);
        schedules.push(schedule);
      });
    }

    // Notifications and Analytics are read once for all schedules; each schedule is then checked on its own.
    const sent = await emails(dbs.notificationsDb);
    const sales = await dailySales(dbs.analyticsDb);
    const deadLetters = [...(await notifications.deadLetters()), ...(await analytics.deadLetters())];
    expectEqual(deadLetters.map((d) => `${d.key} ${d.type}: ${d.error}`), [], 'dead letters: no message may end there, all handlers work');
    for (const schedule of schedules) {
      await withSeed(schedule.seed, () => {
        const ids = new Set(schedule.placed.map((o) => o.id));
        expectEqual(
          sent.filter((e) => ids.has(e.order_id)).map((e) => `${e.order_id} ${e.subject}`).sort(),
          schedule.placed.flatMap((o) => [`${o.id} Thank you for order ${o.id}`, ...(schedule.cancelled.includes(o.id) ? [`${o.id} Order ${o.id} is cancelled`] : [])]).sort(),
          `the emails of this schedule's orders: one per message; ${describe(schedule)}`,
        );
        expectEqual(
          sales[schedule.day] ?? 'nothing',
          { orders: schedule.placed.length, totalCents: schedule.placed.reduce((sum, o) => sum + o.totalCents, 0), cancelled: schedule.cancelled.length },
          `what Analytics counted on ${schedule.day}, this schedule's day: each order and each cancellation once; ${describe(schedule)}`,
        );
      });
    }
    const kinds = new Set(schedules.flatMap((s) => s.faults.log.map((f) => f.fault)));
    expect([...kinds].sort(), 'the kinds of bus faults injected over all schedules').toEqual(['delay', 'duplicate', 'loseAck', 'reorder']);
    const notes = schedules.flatMap((s) => s.notes).join(' | ');
    for (const word of ['failed', 'died', 'lost', 'crashes']) expect(notes, `the relay and consumer faults injected over all schedules include "${word}"`).toContain(word);
  } finally {
    bus.close();
  }
});

function describe(schedule: Schedule): string {
  const injected = schedule.faults.log.map((f) => `${f.fault} ${f.key}${f.group ? ` (${f.group})` : ''}`);
  return `orders ${showValue(schedule.placed.map((o) => o.id))}, cancelled ${showValue(schedule.cancelled)}; bus faults ${showValue(injected)}; other faults ${showValue(schedule.notes)}`;
}
