import { pg, type Pg } from 'labkit/db';
import { clearFaults, crashOnWrite, scheduleSeeds, seededRandom, SimulatedCrash, withSeed } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, expectInstanceOf, test } from 'labkit/test';
import { ConcurrencyError } from '../src/errors.ts';
import { EventStore } from '../src/event-store.ts';
import { orderStream, type OrderEvent } from '../src/events.ts';
import { addLine, cancelOrder, initialState, payOrder, placeOrder, rehydrate, removeLine, type OrderState } from '../src/order.ts';
import { OrderRepository } from '../src/order-repository.ts';
import { lineAdded, MUG, placed } from './helpers.ts';

async function newStore() {
  const db = await pg();
  const store = new EventStore(db);
  await store.init();
  return { db, store };
}

async function snapshotVersion(db: Pg, streamId: string): Promise<number | null> {
  const { rows } = await db.query<{ version: number }>('SELECT version FROM snapshots WHERE stream_id = $1', [streamId]);
  return rows[0]?.version ?? null;
}

/** Places order `orderId`, then adds lines SKU-2, SKU-3, ... one save each, until the stream holds `events` events. */
async function orderWithEvents(repo: OrderRepository, orderId: string, events: number): Promise<void> {
  await repo.execute(orderId, (s) => placeOrder(s, { orderId, customerId: 'alice', lines: [MUG] }));
  for (let v = 2; v <= events; v++) await repo.execute(orderId, (s) => addLine(s, { sku: `SKU-${v}`, quantity: 1, priceCents: v * 10 }));
}

test('the store keeps the latest snapshot of each stream', { task: 3, points: 1 }, async () => {
  const { store } = await newStore();
  expect(await store.loadSnapshot('order-1'), 'no snapshot yet').toBeUndefined();
  await store.saveSnapshot({ streamId: 'order-1', version: 10, state: { n: 10 } });
  await store.saveSnapshot({ streamId: 'order-1', version: 20, state: { n: 20 } });
  await store.saveSnapshot({ streamId: 'order-1', version: 15, state: { n: 15 } });
  expectEqual(await store.loadSnapshot('order-1'), { streamId: 'order-1', version: 20, state: { n: 20 } }, 'an older snapshot does not replace a newer one');
});

test('the repository loads an order by folding its stream and saves at the loaded version', { task: 3, points: 3 }, async () => {
  const { db, store } = await newStore();
  const repo = new OrderRepository(store);
  expectEqual(await repo.load('1'), { orderId: '1', version: 0, state: initialState }, "load('1') of an order that was never placed");

  await repo.execute('1', (s) => placeOrder(s, { orderId: '1', customerId: 'alice', lines: [MUG] }));
  const saved = await repo.execute('1', (s) => addLine(s, { sku: 'TEA', quantity: 1, priceCents: 400 }));
  expect(saved.version, 'save returns the new version').toBe(2);
  const loaded = await repo.load('1');
  expect(loaded.version, 'two events: version 2').toBe(2);
  expectEqual(loaded.state, rehydrate(await store.readStream(orderStream('1'))), 'the loaded state should be rehydrate() of the stream');
  expectEqual(saved.state, loaded.state, 'save returns the state after its events, the same as a new load');

  // Two clerks load the same version; the second save must not go through.
  const clerkA = await repo.load('1');
  const clerkB = await repo.load('1');
  await repo.save(clerkA, payOrder(clerkA.state, { paymentId: 'pay-1', amountCents: 2900 }));
  const stale = await repo.save(clerkB, cancelOrder(clerkB.state, { reason: 'out of stock' })).catch((e: unknown) => e);
  expectInstanceOf(stale, ConcurrencyError, 'a save based on a stale load should throw a ConcurrencyError');
  expect((await repo.load('1')).state.status, 'the order after the first clerk paid it').toBe('paid');
  expect(await snapshotVersion(db, orderStream('1')), 'without snapshotEvery, no snapshots are taken').toBeNull();
});

test('takes a snapshot whenever a save reaches or crosses a multiple of snapshotEvery', { task: 3, points: 4 }, async () => {
  const { db, store } = await newStore();
  const repo = new OrderRepository(store, { snapshotEvery: 10 });
  const stream = orderStream('1');
  await repo.execute('1', (s) => placeOrder(s, { orderId: '1', customerId: 'alice', lines: [MUG] }));
  for (let v = 2; v <= 25; v++) {
    await repo.execute('1', (s) => addLine(s, { sku: `SKU-${v}`, quantity: 1, priceCents: v * 10 }));
    const expected = v < 10 ? null : Math.floor(v / 10) * 10;
    expect(await snapshotVersion(db, stream), `the snapshot version after ${v} events, one per save, with snapshotEvery 10`).toBe(expected);
  }
  const snapshot = await store.loadSnapshot<OrderState>(stream);
  const first20 = (await store.readStream(stream)).slice(0, 20);
  expectEqual(snapshot?.state, rehydrate(first20), 'the snapshot at version 20 should hold the state after the first 20 events');

  // Saves of 3 events at a time with snapshotEvery 5: versions 3, 6, 9, 12. The saves to 6 and
  // 12 cross a multiple of 5 without landing on it, and must still take a snapshot.
  const batchRepo = new OrderRepository(store, { snapshotEvery: 5 });
  const batches: OrderEvent[][] = [
    [placed('2', 'bob', [MUG]), lineAdded('B1'), lineAdded('B2')],
    [lineAdded('B3'), lineAdded('B4'), lineAdded('B5')],
    [lineAdded('B6'), lineAdded('B7'), lineAdded('B8')],
    [lineAdded('B9'), lineAdded('B10'), lineAdded('B11')],
  ];
  const expectedSnapshots = [null, 6, 6, 12];
  for (const [i, events] of batches.entries()) {
    await batchRepo.save(await batchRepo.load('2'), events);
    expect(await snapshotVersion(db, orderStream('2')), `the snapshot version after the save that took the stream to version ${3 * (i + 1)}`).toBe(expectedSnapshots[i]);
  }
});

test('loads the same state from a snapshot and its tail as from a full replay', { task: 3, points: 4, timeoutMs: 10_000 }, async () => {
  const { store } = await newStore();
  const [seedA, seedB, seedC] = scheduleSeeds(3);
  for (const [orderId, snapshotEvery, seed, minSteps] of [['a-Zoë', 4, seedA!, 14], ['b-Łódź', 7, seedB!, 14], ['c-東京', 10, seedC!, 21]] as const) {
    await withSeed(seed, () => randomOrder(store, orderId, snapshotEvery, seed, minSteps));
  }
});

/** Runs a random valid sequence of commands on one order, drawn from `seed`, and checks every load against a full replay. */
async function randomOrder(store: EventStore, orderId: string, snapshotEvery: number, seed: number, minSteps: number): Promise<void> {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const writer = new OrderRepository(store, { snapshotEvery });
  const history: OrderEvent[] = [];
  const steps = minSteps + Math.floor(random() * 4);
  let sku = 0;
  for (let step = 1; step <= steps; step++) {
    // A random valid command: place the order, then add and remove lines, then pay or cancel.
    await writer.execute(orderId, (state) => {
      let events: OrderEvent[];
      if (state.status === 'none') {
        events = placeOrder(state, { orderId, customerId: `customer-${orderId}`, lines: [{ sku: `S${sku++}-ø`, quantity: 1, priceCents: 100 }] });
      } else if (step === steps) {
        events = random() < 0.5 ? payOrder(state, { paymentId: `pay-${orderId}`, amountCents: state.totalCents }) : cancelOrder(state, { reason: 'seeded' });
      } else if (state.lines.length > 1 && random() < 0.35) {
        events = removeLine(state, pick(state.lines).sku);
      } else {
        events = addLine(state, { sku: `S${sku++}-ø`, quantity: 1 + Math.floor(random() * 4), priceCents: 50 + Math.floor(random() * 2000) });
      }
      history.push(...events);
      return events;
    });
    // A new repository each time, so nothing can come from memory.
    const loaded = await new OrderRepository(store, { snapshotEvery }).load(orderId);
    const where = `order ${orderId} (snapshotEvery ${snapshotEvery}) after ${step} events`;
    expect(loaded.version, `${where}: the loaded version`).toBe(history.length);
    expectEqual(loaded.state, rehydrate(history), `${where}: the loaded state should equal rehydrate() of all its events`);
  }
  const replayed = rehydrate(await store.readStream(orderStream(orderId)));
  expectEqual((await writer.load(orderId)).state, replayed, `order ${orderId}: the loaded state should equal rehydrate(readStream())`);
}

test('load starts from the latest snapshot and reads only the events after it', { task: 3, points: 5 }, async () => {
  const { db, store } = await newStore();
  await orderWithEvents(new OrderRepository(store, { snapshotEvery: 10 }), '1', 25);

  // A store that notes the versions of the events readStream returns.
  const read: number[] = [];
  const watched = Object.create(store) as EventStore;
  watched.readStream = async (streamId: string, afterVersion?: number) => {
    const events = await store.readStream(streamId, afterVersion);
    read.push(...events.map((e) => e.version));
    return events;
  };
  const before = await new OrderRepository(watched, { snapshotEvery: 10 }).load('1');
  expect(before.version, 'the order has 25 events').toBe(25);
  expectEqual(read, [21, 22, 23, 24, 25], 'the versions of the events load read: only those after the snapshot at version 20');

  // Archive the events the snapshot already covers: load must not need them.
  const { affectedRows } = await db.query('DELETE FROM events WHERE stream_id = $1 AND version <= 20', [orderStream('1')]);
  expect(affectedRows, 'events 1 to 20 were archived').toBe(20);
  const after = await new OrderRepository(store, { snapshotEvery: 10 }).load('1').catch((e: unknown) => e);
  expectEqual(after, before, `the order loaded from the snapshot at version 20 and events 21 to 25 (${after instanceof Error ? describeOutcome(after) : 'it loaded'})`);
});

/** Every snapshot of the stream in the table must hold the state after exactly its version's events: a cache that is right, or none. */
async function expectSnapshotAgrees(db: Pg, store: EventStore, orderId: string, when: string): Promise<void> {
  const stream = orderStream(orderId);
  const { rows } = await db.query<{ version: number; state: OrderState }>('SELECT version, state FROM snapshots WHERE stream_id = $1', [stream]);
  const events = await store.readStream(stream);
  for (const row of rows) {
    expect(row.version <= events.length, `${when}: the snapshot of ${stream} is at version ${row.version}, but the stream holds only ${events.length} events`).toBe(true);
    expectEqual(row.state, rehydrate(events.slice(0, row.version)), `${when}: the snapshot of ${stream} at version ${row.version} should hold the state after its first ${row.version} events`);
  }
}

test('a save that fails or crashes leaves no snapshot that disagrees with the events', { task: 3, points: 4, timeoutMs: 10_000 }, async () => {
  const { db, store } = await newStore();
  const repo = new OrderRepository(store, { snapshotEvery: 5 });

  // A stale save: the clerk loaded version 4, another writer (a repository without snapshots)
  // saved version 5 first, and the clerk's save would have reached the multiple 5.
  await orderWithEvents(repo, 'Zoë', 4);
  const clerk = await repo.load('Zoë');
  await new OrderRepository(store).execute('Zoë', (s) => cancelOrder(s, { reason: 'the other clerk' }));
  const stale = await repo.save(clerk, addLine(clerk.state, { sku: 'LATE', quantity: 1, priceCents: 100 })).catch((e: unknown) => e);
  expectInstanceOf(stale, ConcurrencyError, 'a save based on a stale load (version 4, the stream is at 5) should throw a ConcurrencyError');
  await expectSnapshotAgrees(db, store, 'Zoë', 'after the stale save');
  const afterStale = await new OrderRepository(store, { snapshotEvery: 5 }).load('Zoë');
  expectEqual(afterStale, { orderId: 'Zoë', version: 5, state: rehydrate(await store.readStream(orderStream('Zoë'))) }, "load after the stale save: the other writer's order at version 5");

  // A snapshot is a cache: without it, load returns the same order.
  await db.query('DELETE FROM snapshots');
  expectEqual(await new OrderRepository(store, { snapshotEvery: 5 }).load('Zoë'), afterStale, 'load after all snapshots were deleted');

  // A crash at each write of a save that reaches version 5, then a restart.
  for (let n = 1; n <= 50; n++) {
    const orderId = `crash-${n}`;
    await orderWithEvents(repo, orderId, 4);
    const order = await repo.load(orderId);
    crashOnWrite(db, n);
    const outcome = await repo.save(order, addLine(order.state, { sku: 'FIFTH', quantity: 2, priceCents: 150 })).catch((e: unknown) => e);
    clearFaults(db);
    if (!(outcome instanceof Error)) break; // the save made fewer than n writes: a crash at every one of them has been tried
    expectInstanceOf(outcome, SimulatedCrash, `with a crash at write ${n} of the save, save should fail with the SimulatedCrash itself`);
    await expectSnapshotAgrees(db, store, orderId, `after a crash at write ${n} of the save`);
    const restarted = new OrderRepository(store, { snapshotEvery: 5 });
    const events = await store.readStream(orderStream(orderId));
    expectEqual(await restarted.load(orderId), { orderId, version: events.length, state: rehydrate(events) }, `load after a crash at write ${n} of the save and a restart`);
    const next = await restarted.execute(orderId, (s) => addLine(s, { sku: 'AFTER', quantity: 1, priceCents: 99 })).catch((e: unknown) => e);
    expect(next instanceof Error ? describeOutcome(next) : 'saved', `after a crash at write ${n} and a restart, the next save of ${orderId}`).toBe('saved');
    await expectSnapshotAgrees(db, store, orderId, `after a crash at write ${n} and the next save`);
  }
});
