import { pgSchema } from 'labkit/db';
import { clearFaults, crashOnWrite, messageFaults, SimulatedCrash } from 'labkit/faults';
import { afterEach, expect, expectEqual, test } from 'labkit/test';
import { LEASE_MS, TOPIC, type DeliveredEvent } from '../src/messages.ts';
import { closeBuses, CUSTOMERS, consumer, dailySales, emails, newShop, publishCounts, recordingPublisher, relayUntilDone, uuid, type Shop } from './helpers.ts';

afterEach(closeBuses);

async function inbox(shop: Shop): Promise<string[]> {
  const { rows } = await shop.notificationsDb.query<{ consumer: string; message_id: string }>('SELECT consumer, message_id FROM inbox ORDER BY consumer, message_id');
  const { rows: more } = await shop.analyticsDb.query<{ consumer: string; message_id: string }>('SELECT consumer, message_id FROM inbox ORDER BY consumer, message_id');
  return [...rows, ...more].map((r) => `${r.consumer} ${r.message_id}`);
}

/** Orders 3107 (23:30 in Berlin on the 28th) and 3110 (00:10 on the 29th), and 3107 cancelled at 00:20. */
async function nightOrders(shop: Shop): Promise<void> {
  await shop.orders.placeOrder({ id: 3107, customerId: CUSTOMERS[0], totalCents: 1780 });
  await shop.clock.advance(40 * 60_000);
  await shop.orders.placeOrder({ id: 3110, customerId: CUSTOMERS[1], totalCents: 2550 });
  await shop.clock.advance(10 * 60_000);
  await shop.orders.cancelOrder(3107, 'doppelt bestellt');
}

const EXPECTED_EMAILS = [
  { order_id: 3107, recipient: CUSTOMERS[0], subject: 'Thank you for order 3107' },
  { order_id: 3107, recipient: CUSTOMERS[0], subject: 'Order 3107 is cancelled' },
  { order_id: 3110, recipient: CUSTOMERS[1], subject: 'Thank you for order 3110' },
];
const EXPECTED_SALES = {
  '2026-03-28': { orders: 1, totalCents: 1780, cancelled: 0 },
  '2026-03-29': { orders: 1, totalCents: 2550, cancelled: 1 },
};

test('every message is handled once by each consumer: one email, one count per shop day, one inbox row each', { task: 3, points: 5 }, async () => {
  const shop = await newShop({ connect: true });
  await nightOrders(shop);
  await relayUntilDone(shop, [await shop.relay('relay-1')]);
  const ids = shop.bus.published(TOPIC).map((m) => m.id);
  expect(ids.length, 'messages published').toBe(3);
  expectEqual(
    (await emails(shop.notificationsDb)).map(({ order_id, recipient, subject }) => ({ order_id, recipient, subject })),
    EXPECTED_EMAILS,
    'the emails Notifications sent (consumer.ts: the handler of the event type runs in the transaction that records the inbox row)',
  );
  expectEqual(await dailySales(shop.analyticsDb), EXPECTED_SALES, "Analytics' daily sales (days in Berlin)");
  expectEqual(
    await inbox(shop),
    [...ids.map((id) => `confirmation-email ${id}`).sort(), ...ids.map((id) => `sales-by-day ${id}`).sort()],
    'the inbox rows: one per consumer and message id',
  );
  expectEqual([shop.bus.deadLetters(TOPIC, 'confirmation-email'), await shop.notifications.deadLetters()], [[], []], 'dead letters after a run without failures');
});

test('a message delivered twice, or whose ack was lost, has one effect', { task: 3, points: 3 }, async () => {
  const faults = messageFaults();
  const shop = await newShop({ faults, connect: true });
  faults.duplicate({ topic: TOPIC, times: 2 });
  faults.loseAck({ topic: TOPIC, group: 'sales-by-day', times: 2 });
  faults.loseAck({ topic: TOPIC, group: 'confirmation-email', times: 1 });
  await nightOrders(shop);
  await relayUntilDone(shop, [await shop.relay('relay-1')]);
  expect(faults.log.map((f) => f.fault).sort(), 'the faults injected').toEqual(['duplicate', 'duplicate', 'loseAck', 'loseAck', 'loseAck']);
  expectEqual(
    (await emails(shop.notificationsDb)).map(({ order_id, recipient, subject }) => ({ order_id, recipient, subject })),
    EXPECTED_EMAILS,
    'the emails after two messages came twice and one ack was lost: the inbox must make the repeat a no-op',
  );
  expectEqual(await dailySales(shop.analyticsDb), EXPECTED_SALES, "Analytics' daily sales after duplicates and two lost acks");
});

test("the relay's duplicate after a crash before marking is absorbed: the side effect happens once", { task: 3, points: 3 }, async () => {
  const shop = await newShop({ connect: true });
  await nightOrders(shop);
  const db = await pgSchema('orders');
  const log: { id: string }[] = [];
  const publish = recordingPublisher(shop.bus, log as never);
  const dying = await shop.relay('relay-dies', {
    db,
    publish: async (topic, message) => {
      await publish(topic, message);
      if (log.length === 1) crashOnWrite(db, 1);
    },
  });
  await dying.relayOnce().catch(() => undefined);
  await shop.bus.drain();
  await shop.clock.advance(LEASE_MS);
  await relayUntilDone(shop, [await shop.relay('relay-2')]);
  expect(Object.values(publishCounts(shop.bus)).some((n) => n > 1), 'a message reached the bus twice').toBe(true);
  expectEqual(
    (await emails(shop.notificationsDb)).map(({ order_id, subject }) => `${order_id} ${subject}`),
    EXPECTED_EMAILS.map(({ order_id, subject }) => `${order_id} ${subject}`),
    'the emails after the relay sent everything twice',
  );
  expectEqual(await dailySales(shop.analyticsDb), EXPECTED_SALES, "Analytics' daily sales after the relay sent everything twice");
});

test('the inbox row and the effect commit together: after a crash at any write of the consumer, the redelivery does it once', { task: 3, points: 4 }, async () => {
  const shop = await newShop();
  const messages: DeliveredEvent[] = [];
  const relay = await shop.relay('relay-1', {
    publish: async (_topic, m) => {
      messages.push({ messageId: m.id, key: m.key, type: m.headers.type, payload: m.payload });
    },
  });
  const ids: number[] = [];
  // A crash at write 1, 2, ... of receive(), one new order each, until receive() makes no more writes.
  for (let write = 1; write <= 8; write++) {
    const id = 3201 + 2 * write;
    ids.push(id);
    await shop.orders.placeOrder({ id, customerId: CUSTOMERS[write % 4]!, totalCents: 990 + write });
    await relay.relayOnce();
    const event = messages.at(-1)!;
    const context = { messageId: event.messageId, key: event.key, headers: { type: event.type } };
    crashOnWrite(shop.notificationsDb, write);
    const first = await shop.notifications.receive(event.payload, context).then(
      () => 'resolved',
      (e: unknown) => (e instanceof SimulatedCrash ? 'crashed' : `rejected: ${String(e)}`),
    );
    clearFaults(shop.notificationsDb);
    if (first === 'resolved') break;
    expect(first, `receive() with a crash at its write ${write} must reject with the crash (let SimulatedCrash through)`).toBe('crashed');
    // The bus redelivers what was not acknowledged; here the test does, twice.
    await shop.notifications.receive(event.payload, context);
    await shop.notifications.receive(event.payload, context);
  }
  expectEqual(
    (await emails(shop.notificationsDb)).map((e) => e.order_id),
    ids,
    "one email per order after a crash at each of the consumer's writes and two redeliveries: the inbox row and the email must commit in one transaction",
  );
});

test('two consumers on one schema keep their own inbox rows: the key is (consumer, message id)', { task: 3, points: 3 }, async () => {
  const shop = await newShop();
  const seen: string[] = [];
  const welcome = consumer(shop, 'welcome-sms', {
    OrderPlaced: async (tx, event) => {
      seen.push(`welcome-sms ${event.messageId}`);
      await tx.query("INSERT INTO emails (order_id, recipient, subject, message_id) VALUES (0, 'sms', 'hello', $1)", [event.messageId]);
    },
  });
  const context = { messageId: uuid(41), key: 'order-3301', headers: { type: 'OrderPlaced' } };
  const payload = { orderId: 3301, customerId: CUSTOMERS[0], totalCents: 10, placedAt: new Date(shop.clock.now()).toISOString() };
  await shop.notifications.receive(payload, context);
  await welcome.receive(payload, context);
  await welcome.receive(payload, context);
  await shop.notifications.receive(payload, context);
  expectEqual(seen, [`welcome-sms ${uuid(41)}`], "welcome-sms's handler calls: once, though confirmation-email had already processed the same message id");
  expectEqual((await emails(shop.notificationsDb)).map((e) => e.subject).sort(), ['Thank you for order 3301', 'hello'], 'emails in the notifications schema: one per consumer');
});
