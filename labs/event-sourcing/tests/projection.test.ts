import { pg, sqlite, type Pg } from 'labkit/db';
import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { expect, test } from 'labkit/test';
import { EventStore } from '../src/event-store.ts';
import type { OrderEvent } from '../src/events.ts';
import { OrdersPerCustomer } from '../src/projection.ts';
import { cancelled, describeOutcome, expectEqual, insertEvent, lineAdded, paid, placed, shipped } from './helpers.ts';

/** The shop's history: [stream, event], in the order it happened. Streams interleave. */
const HISTORY: [string, () => OrderEvent][] = [
  ['order-1', () => placed('1', 'alice')],
  ['order-2', () => placed('2', 'bob')],
  ['order-1', () => paid('pay-1', 2500)],
  ['order-3', () => placed('3', 'alice')],
  ['order-2', () => cancelled()],
  ['order-4', () => placed('4', 'carol')],
  ['order-3', () => lineAdded('TEA')],
  ['order-1', () => shipped('TRACK-1')],
  ['order-4', () => paid('pay-4', 2500)],
  ['order-5', () => placed('5', 'bob')],
  ['order-6', () => placed('6', 'alice')],
  ['order-4', () => cancelled('too slow')],
  ['order-6', () => cancelled()],
  ['order-7', () => placed('7', 'dave')],
  ['order-8', () => placed('8', 'carol')],
  ['order-7', () => lineAdded('CUP')],
];

const EXPECTED = [
  { customerId: 'alice', placed: 3, cancelled: 1 },
  { customerId: 'bob', placed: 2, cancelled: 1 },
  { customerId: 'carol', placed: 2, cancelled: 1 },
  { customerId: 'dave', placed: 1, cancelled: 0 },
];

/** Writes HISTORY[from..to) into the events table directly, numbering each stream's events. */
async function writeHistory(db: Pg, from = 0, to = HISTORY.length): Promise<void> {
  const versions = new Map<string, number>();
  for (const [i, [streamId, event]] of HISTORY.entries()) {
    const version = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, version);
    if (i >= from && i < to) await insertEvent(db, streamId, version, event());
  }
}

async function shop(upTo = HISTORY.length) {
  const db = await pg();
  const store = new EventStore(db);
  await store.init();
  await writeHistory(db, 0, upTo);
  return { db, store };
}

async function lastPosition(db: Pg): Promise<number> {
  const { rows } = await db.query<{ p: number }>('SELECT max(position) AS p FROM events');
  return Number(rows[0]!.p);
}

test('a new read model is empty and its checkpoint is 0', { task: 4, points: 3 }, async () => {
  const { store } = await shop();
  const projection = new OrdersPerCustomer(store, await sqlite());
  expectEqual(projection.all(), [], 'all() of a new read model');
  expect(projection.checkpoint(), 'checkpoint() of a new read model').toBe(0);
  expectEqual(projection.countFor('alice'), { customerId: 'alice', placed: 0, cancelled: 0 }, "countFor('alice') of a new read model");
});

test('readAll returns the events of all streams in the order they were stored, a page at a time', { task: 4, points: 3 }, async () => {
  const { store } = await shop();
  const all = await store.readAll(0, 1000);
  expectEqual(all.map((e) => `${e.streamId} ${e.type}`), HISTORY.map(([s, e]) => `${s} ${e().type}`), 'readAll(0, 1000): every event, in the order stored');
  const positions = all.map((e) => e.position);
  expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!), `positions increase: ${positions.join(', ')}`).toBe(true);
  expectEqual((await store.readAll(positions[4]!, 3)).map((e) => e.position), positions.slice(5, 8), `readAll(${positions[4]}, 3): the positions of the 3 events after position ${positions[4]}`);
  expectEqual(await store.readAll(positions[positions.length - 1]!, 10), [], 'readAll after the last position');
});

test('catchUp counts placed and cancelled orders per customer', { task: 4, points: 5 }, async () => {
  const { db, store } = await shop();
  const projection = new OrdersPerCustomer(store, await sqlite());
  expect(await projection.catchUp(), 'catchUp returns how many events it applied').toBe(HISTORY.length);
  expectEqual(projection.all(), EXPECTED, 'all() after catchUp');
  expectEqual(projection.countFor('bob'), { customerId: 'bob', placed: 2, cancelled: 1 }, "countFor('bob')");
  expect(projection.checkpoint(), 'the checkpoint is the position of the last event applied').toBe(await lastPosition(db));
});

test('catchUp is incremental: a later call applies only the new events', { task: 4, points: 4 }, async () => {
  const { db, store } = await shop(10);
  const readDb = await sqlite();
  const projection = new OrdersPerCustomer(store, readDb);
  expect(await projection.catchUp(4), 'the first catchUp applies the first 10 events, 4 at a time').toBe(10);
  const firstCheckpoint = projection.checkpoint();
  expect(firstCheckpoint, 'the checkpoint after the first catchUp: the position of the 10th event').toBe(await lastPosition(db));

  await writeHistory(db, 10);
  expect(await projection.catchUp(4), 'the second catchUp applies only the 6 new events').toBe(HISTORY.length - 10);
  expect(projection.checkpoint(), 'the checkpoint moved to the last event').toBe(await lastPosition(db));
  expectEqual(projection.all(), EXPECTED, 'all() after both catch-ups');
  expect(await new OrdersPerCustomer(store, readDb).catchUp(), 'a new instance on the same read model has nothing left to apply').toBe(0);
  expectEqual(projection.all(), EXPECTED, 'all() after a new instance caught up');
});

test('resumes after a crash at any write without counting anything twice', { task: 4, points: 6, timeoutMs: 15_000 }, async () => {
  const { store: realStore } = await shop();
  // The crash is in the read model's writes, not in the event store: serve the log from memory
  // so the hundreds of catch-ups below cost milliseconds, not PostgreSQL round trips.
  const log = await realStore.readAll(0, 1000);
  const store = Object.create(realStore) as EventStore;
  store.readAll = async (afterPosition: number, limit?: number) => log.filter((e) => e.position > afterPosition).slice(0, limit ?? log.length);
  let crashes = 0;
  for (let n = 1; n <= 1000; n++) {
    const readDb = await sqlite();
    const first = new OrdersPerCustomer(store, readDb);
    crashOnWrite(readDb, n);
    const outcome = await first.catchUp(5).then(
      () => 'finished',
      (error: unknown) => error,
    );
    clearFaults(readDb);
    if (outcome === 'finished') break; // a full catchUp makes fewer than n writes: every write has been tried
    crashes += 1;
    if (!(outcome instanceof SimulatedCrash)) {
      throw new Error(`with a crash at write ${n}, catchUp should fail with the SimulatedCrash, but ${describeOutcome(outcome)}`);
    }
    // The service restarts: a new projector on the same read model carries on.
    const restarted = await new OrdersPerCustomer(store, readDb).catchUp(5).catch((e: unknown) => e);
    if (restarted instanceof Error) throw new Error(`after a crash at write ${n}, the restarted catchUp failed: ${describeOutcome(restarted)}`);
    expectEqual(new OrdersPerCustomer(store, readDb).all(), EXPECTED, `the counts after a crash at write ${n} and a restart`);
  }
  expect(crashes, 'a catch-up of this history makes at least one write per OrderPlaced').toBeGreaterThan(7);
});

test('rebuild replays from the start and gives the same counts as incremental catch-ups', { task: 4, points: 3 }, async () => {
  const { db, store } = await shop(7);
  const readDb = await sqlite();
  const projection = new OrdersPerCustomer(store, readDb);
  await projection.catchUp(2);
  await writeHistory(db, 7);
  await projection.catchUp(2);
  const incremental = projection.all();
  expectEqual(incremental, EXPECTED, 'all() after two catch-ups');

  // Someone broke the read model; rebuild must not build on what is there.
  readDb.run(`UPDATE customer_orders SET placed = 99`);
  expect(await projection.rebuild(), 'rebuild returns how many events it applied').toBe(HISTORY.length);
  expectEqual(projection.all(), incremental, 'all() after rebuild');
  expect(projection.checkpoint(), 'the checkpoint after rebuild').toBe(await lastPosition(db));

  const fresh = new OrdersPerCustomer(store, await sqlite());
  await fresh.rebuild();
  expectEqual(fresh.all(), incremental, 'all() after rebuilding a new read model');
});
