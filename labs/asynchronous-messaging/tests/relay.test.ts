import { pgSchema } from 'labkit/db';
import { crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { afterEach, describeOutcome, expect, expectEqual, test } from 'labkit/test';
import { LEASE_MS, TOPIC, type OutgoingEvent } from '../src/messages.ts';
import { closeBuses, CUSTOMERS, newShop, oldPublishedRows, outboxRows, publishCounts, recordingPublisher, type Shop } from './helpers.ts';

afterEach(closeBuses);

/** Places orders 2001, 2003, 2005, ... and cancels the ones at the given indexes, so keys repeat. */
async function placeSome(shop: Shop, count: number, cancel: number[] = []): Promise<void> {
  for (let i = 0; i < count; i++) await shop.orders.placeOrder({ id: 2001 + 2 * i, customerId: CUSTOMERS[i % CUSTOMERS.length]!, totalCents: 1000 + i });
  for (const i of cancel) await shop.orders.cancelOrder(2001 + 2 * i, 'changed my mind');
}

function summary(messages: readonly { key?: string; headers?: { type?: string } }[]): string[] {
  return messages.map((m) => `${m.key} ${m.headers?.type}`);
}

test('the relay publishes every unpublished row in position order, with its message id and key, then marks it', { task: 2, points: 6 }, async () => {
  const shop = await newShop();
  await oldPublishedRows(shop.ordersDb);
  await placeSome(shop, 3, [0]);
  // A slow transaction committed a lower position after higher ones were published.
  const relay = await shop.relay('relay-1');
  const first = await relay.relayOnce();
  expect(first, 'relayOnce() resolves to the number of rows it published').toBe(4);
  await shop.ordersDb.query(
    `INSERT INTO outbox (position, topic, message_key, type, payload, created_at)
     VALUES (20, $1, 'order-1999', 'OrderPlaced', '{"orderId": 1999, "customerId": "Nguyễn Thị Minh", "totalCents": 120, "placedAt": "2026-03-28T22:29:59.000Z"}', now())`,
    [TOPIC],
  );
  const second = await relay.relayOnce();
  const third = await relay.relayOnce();
  expect([second, third], 'the second round publishes the row committed late at position 20 (a lower position than those already sent); the third has nothing left').toEqual([1, 0]);

  const rows = await outboxRows(shop.ordersDb);
  const published = shop.bus.published(TOPIC);
  expectEqual(
    published.map((m) => ({ id: m.id, key: m.key, type: m.headers.type, payload: m.payload })),
    [...rows.filter((r) => r.position > 40), rows.find((r) => r.position === 20)!].map((r) => ({ id: r.message_id, key: r.message_key, type: r.type, payload: r.payload })),
    'what reached the bus: each unpublished row once, in position order, id = message_id, key = message_key, header type = type, payload as stored (relay.ts)',
  );
  expect(published.some((m) => m.id.startsWith('a1000000')), 'rows published before the test must not be published again').toBe(false);
  expectEqual(rows.map((r) => `${r.position} ${r.published}`), rows.map((r) => `${r.position} true`), 'every row is marked published after its round');
});

test('a relay that crashes after publishing, before marking, publishes the rows again: at least once', { task: 2, points: 4 }, async () => {
  const shop = await newShop();
  await placeSome(shop, 2, [1]);
  const db = await pgSchema('orders');
  const log: OutgoingEvent[] = [];
  const publish = recordingPublisher(shop.bus, log);
  // Once the broker has the first message, the relay's next write (its marking) crashes.
  const dying = await shop.relay('relay-1', {
    db,
    publish: async (topic, message) => {
      await publish(topic, message);
      if (log.length === 1) crashOnWrite(db, 1);
    },
  });
  const outcome = await dying.relayOnce().catch((e: unknown) => e);
  expect(outcome, `relayOnce() with a crash at its first write after a publish must reject with the crash; ${describeOutcome(outcome)}`).toBeInstanceOf(SimulatedCrash);
  const sentByDying = log.length;
  expect(sentByDying, 'the dying relay published before the crash').toBeGreaterThan(0);
  expect((await outboxRows(shop.ordersDb)).filter((r) => r.published).length, 'rows marked published: none, the marking crashed').toBe(0);

  await shop.clock.advance(LEASE_MS);
  const next = await shop.relay('relay-2', { publish: recordingPublisher(shop.bus, log) });
  expect(await next.relayOnce(), 'the next relay, once the lease has expired, publishes the three rows again').toBe(3);
  const again = log.slice(sentByDying).map((m) => m.id);
  expectEqual(
    again.slice(0, sentByDying),
    log.slice(0, sentByDying).map((m) => m.id),
    'the second copies carry the same message ids, in the same order, so consumers can tell they are duplicates',
  );
  expect((await outboxRows(shop.ordersDb)).every((r) => r.published), 'every row is marked after the second round').toBe(true);
});

test('a publish that fails ends the round: rows before it are marked, it and the rest go out later in order', { task: 2, points: 4 }, async () => {
  const shop = await newShop();
  await placeSome(shop, 3, [0, 2]);
  const log: OutgoingEvent[] = [];
  let failures = 1;
  const relay = await shop.relay('relay-1', {
    publish: recordingPublisher(shop.bus, log, { fail: (_m, n) => (n === 3 && failures-- > 0 ? new Error('broker did not confirm within 5 s') : undefined) }),
  });
  const outcome = await relay.relayOnce().then(
    (n) => `resolved ${n}`,
    (e: unknown) => `rejected: ${e instanceof Error ? e.message : String(e)}`,
  );
  expect(outcome, 'relayOnce() rejects with the publisher\'s error when a publish fails').toBe('rejected: broker did not confirm within 5 s');
  const rows = await outboxRows(shop.ordersDb);
  expectEqual(rows.map((r) => `${r.message_key} ${r.type} ${r.published ? 'marked' : 'not marked'}`), [
    'order-2001 OrderPlaced marked',
    'order-2003 OrderPlaced marked',
    'order-2005 OrderPlaced not marked',
    'order-2001 OrderCancelled not marked',
    'order-2005 OrderCancelled not marked',
  ], 'the outbox after the round whose third publish failed: the two published rows are marked, the failed one and those after it are not');
  expect(summary(log), 'the round stops at the failure: nothing after it is published').toEqual(['order-2001 OrderPlaced', 'order-2003 OrderPlaced']);

  await shop.clock.advance(LEASE_MS);
  await relay.relayOnce();
  expect(summary(log), 'the next round publishes the failed row and those after it, in position order').toEqual([
    'order-2001 OrderPlaced',
    'order-2003 OrderPlaced',
    'order-2005 OrderPlaced',
    'order-2001 OrderCancelled',
    'order-2005 OrderCancelled',
  ]);
});

test('two relays at the same moment never publish the same row', { task: 2, points: 4 }, async () => {
  const shop = await newShop();
  await oldPublishedRows(shop.ordersDb);
  await placeSome(shop, 12, [1, 4, 7, 11]);
  const log: OutgoingEvent[] = [];
  const relays = await Promise.all(['relay-a', 'relay-b', 'relay-c'].map((name) => shop.relay(name, { publish: recordingPublisher(shop.bus, log), batchSize: 3 })));
  for (let round = 0; round < 8; round++) await Promise.all(relays.map((r) => r.relayOnce()));
  const counts = publishCounts(shop.bus);
  const twice = Object.entries(counts).filter(([, n]) => n > 1);
  expectEqual(twice, [], 'message ids published more than once by three relays running at the same moment, none crashing (a lease in the rows, claimed in its own transaction, relay.ts)');
  expect(Object.keys(counts).length, 'all 16 new rows were published').toBe(16);
  const keys = new Map<string, string[]>();
  for (const m of log) keys.set(m.key, [...(keys.get(m.key) ?? []), m.headers.type]);
  for (const [key, types] of keys) expect(types, `the order of ${key}'s messages on the bus`).toEqual(types.length === 2 ? ['OrderPlaced', 'OrderCancelled'] : ['OrderPlaced']);
});

test('a relay that dies holding a lease: its rows wait until the lease expires, then another relay takes them over', { task: 2, points: 3 }, async () => {
  const shop = await newShop();
  await placeSome(shop, 4);
  const dying = await shop.relay('relay-dies', {
    batchSize: 2,
    publish: async () => {
      throw new SimulatedCrash('simulated crash: relay-dies stopped while publishing');
    },
  });
  await dying.relayOnce().catch(() => undefined);
  const log: OutgoingEvent[] = [];
  const heir = await shop.relay('relay-heir', { publish: recordingPublisher(shop.bus, log) });
  await heir.relayOnce();
  expect(summary(log), 'while relay-dies\'s lease lives, the other relay publishes only the rows it did not claim').toEqual(['order-2005 OrderPlaced', 'order-2007 OrderPlaced']);
  await shop.clock.advance(LEASE_MS - 1);
  await heir.relayOnce();
  expect(summary(log).length, `${LEASE_MS - 1} ms after the claim the lease still holds: nothing more is published`).toBe(2);
  await shop.clock.advance(1);
  await heir.relayOnce();
  expect(summary(log), `${LEASE_MS} ms after the claim the lease has expired: the other relay takes the rows over`).toEqual([
    'order-2005 OrderPlaced',
    'order-2007 OrderPlaced',
    'order-2001 OrderPlaced',
    'order-2003 OrderPlaced',
  ]);
  expect((await outboxRows(shop.ordersDb)).every((r) => r.published), 'every row is marked in the end').toBe(true);
});

test('per-key order across relays: a key whose older row another relay holds is skipped until that row is out', { task: 2, points: 3 }, async () => {
  const shop = await newShop();
  await placeSome(shop, 2, [0, 1]);
  // Positions: 2001 placed, 2003 placed, 2001 cancelled, 2003 cancelled.
  const dying = await shop.relay('relay-dies', {
    batchSize: 1,
    publish: async () => {
      throw new SimulatedCrash('simulated crash: relay-dies stopped while publishing');
    },
  });
  await dying.relayOnce().catch(() => undefined);
  const log: OutgoingEvent[] = [];
  const other = await shop.relay('relay-2', { publish: recordingPublisher(shop.bus, log) });
  await other.relayOnce();
  expect(summary(log), 'relay-dies holds order-2001\'s OrderPlaced: its OrderCancelled must not overtake it, while order-2003 goes on').toEqual(['order-2003 OrderPlaced', 'order-2003 OrderCancelled']);
  await shop.clock.advance(LEASE_MS);
  await other.relayOnce();
  expect(summary(log).slice(2), 'after the lease expired: order-2001\'s messages in position order').toEqual(['order-2001 OrderPlaced', 'order-2001 OrderCancelled']);
});
