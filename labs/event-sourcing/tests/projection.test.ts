import { pg, sqlite, type Pg } from 'labkit/db';
import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, expectInstanceOf, test } from 'labkit/test';
import { EventStore } from '../src/event-store.ts';
import type { OrderEvent } from '../src/events.ts';
import { OrdersPerCustomer } from '../src/projection.ts';
import { allPositions, cancelled, insertEvent, lineAdded, paid, placed, shipped, skipPositions } from './helpers.ts';

/** The shop's customers: not all of them have ASCII names. */
const ZOE = 'Zoë';
const OBRIEN = "O'Brien";
const TOKYO = '東京商事';
const LUKASZ = 'Łukasz';

/** The shop's history: [stream, event], in the order it happened. Streams interleave. */
const HISTORY: [string, () => OrderEvent][] = [
  ['order-1', () => placed('1', ZOE)],
  ['order-2', () => placed('2', OBRIEN)],
  ['order-1', () => paid('pay-1', 2500)],
  ['order-3', () => placed('3', ZOE)],
  ['order-2', () => cancelled()],
  ['order-4', () => placed('4', TOKYO)],
  ['order-3', () => lineAdded('TEA')],
  ['order-1', () => shipped('TRACK-1')],
  ['order-4', () => paid('pay-4', 2500)],
  ['order-5', () => placed('5', OBRIEN)],
  ['order-6', () => placed('6', ZOE)],
  ['order-4', () => cancelled('too slow')],
  ['order-6', () => cancelled()],
  ['order-7', () => placed('7', LUKASZ)],
  ['order-8', () => placed('8', TOKYO)],
  ['order-7', () => lineAdded('CUP')],
];

/** all() orders customers by id, as SQLite compares text: by code point. */
const EXPECTED = [
  { customerId: OBRIEN, placed: 2, cancelled: 1 },
  { customerId: ZOE, placed: 3, cancelled: 1 },
  { customerId: LUKASZ, placed: 1, cancelled: 0 },
  { customerId: TOKYO, placed: 2, cancelled: 1 },
];

/**
 * Before these events of HISTORY, positions jump: the log does not start at position 1, and
 * appends that failed, or events that were archived, left gaps (one between events 10 and 11).
 */
const GAPS = new Map([[0, 12], [3, 1], [6, 40], [10, 5], [13, 2]]);

/** Writes HISTORY[from..to) into the events table directly, numbering each stream's events. */
async function writeHistory(db: Pg, from = 0, to = HISTORY.length): Promise<void> {
  const versions = new Map<string, number>();
  for (const [i, [streamId, event]] of HISTORY.entries()) {
    const version = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, version);
    if (i < from || i >= to) continue;
    if (GAPS.has(i)) await skipPositions(db, GAPS.get(i)!);
    await insertEvent(db, streamId, version, event());
  }
}

/** An append that failed: its transaction inserted an event, then rolled back, leaving a gap in the positions. */
async function failedAppend(db: Pg, streamId: string, version: number): Promise<void> {
  const outcome = await db
    .transaction(async (tx) => {
      await tx.query(`INSERT INTO events (stream_id, version, type, schema_version, data) VALUES ($1, $2, 'OrderCancelled', 1, '{"reason": "rolled back"}')`, [streamId, version]);
      throw new Error('rolled back');
    })
    .catch((e: unknown) => e);
  if (!(outcome instanceof Error) || outcome.message !== 'rolled back') throw new Error(`the test's failed append did not roll back as planned: ${describeOutcome(outcome)}`);
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

test('a new read model is empty and its checkpoint is 0', { task: 4, points: 1 }, async () => {
  const { store } = await shop();
  const projection = new OrdersPerCustomer(store, await sqlite());
  expectEqual(projection.all(), [], 'all() of a new read model');
  expect(projection.checkpoint(), 'checkpoint() of a new read model').toBe(0);
  expectEqual(projection.countFor(ZOE), { customerId: ZOE, placed: 0, cancelled: 0 }, `countFor('${ZOE}') of a new read model`);
});

test('readAll returns the events of all streams in the order they were stored, a page at a time', { task: 4, points: 3 }, async () => {
  const { db, store } = await shop();
  const all = await store.readAll(0, 1000);
  expectEqual(all.map((e) => `${e.streamId} ${e.type}`), HISTORY.map(([s, e]) => `${s} ${e().type}`), 'readAll(0, 1000): every event, in the order stored');
  const positions = all.map((e) => e.position);
  expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!), `positions increase: ${positions.join(', ')}`).toBe(true);
  expectEqual((await store.readAll(positions[4]!, 3)).map((e) => e.position), positions.slice(5, 8), `readAll(${positions[4]}, 3): the positions of the 3 events after position ${positions[4]}`);
  expectEqual(await store.readAll(positions[positions.length - 1]!, 10), [], 'readAll after the last position');
  expectEqual(positions, await allPositions(db), 'the positions readAll gives are those of the table');
  const between = positions[5]! + 1; // in a gap: no event has this position
  expectEqual((await store.readAll(between, 2)).map((e) => e.position), positions.slice(6, 8), `readAll(${between}, 2), a position in a gap between two events: the 2 events after it`);

  // More than a page: 120 more orders, written in one statement.
  await db.query(
    `INSERT INTO events (stream_id, version, type, schema_version, data)
     SELECT 'order-bulk-' || g, 1, 'OrderPlaced', 2,
            jsonb_build_object('orderId', 'bulk-' || g, 'customerId', 'Zoë', 'lines', '[]'::jsonb, 'totalCents', 0, 'currency', 'EUR')
     FROM generate_series(1, 120) AS g`,
  );
  const everything = await allPositions(db);
  expectEqual((await store.readAll()).map((e) => e.position), everything.slice(0, 100), 'readAll() with the defaults: the first 100 events (limit = 100), from the start (afterPosition = 0)');
  expectEqual((await store.readAll(everything[99])).map((e) => e.position), everything.slice(100), `readAll(${everything[99]}): the ${everything.length - 100} events after the first page`);
});

test('catchUp counts placed and cancelled orders per customer', { task: 4, points: 5 }, async () => {
  const { db, store } = await shop();
  const projection = new OrdersPerCustomer(store, await sqlite());
  expect(await projection.catchUp(), 'catchUp returns how many events it applied').toBe(HISTORY.length);
  expectEqual(projection.all(), EXPECTED, 'all() after catchUp');
  expectEqual(projection.countFor(OBRIEN), { customerId: OBRIEN, placed: 2, cancelled: 1 }, `countFor("${OBRIEN}")`);
  expect(projection.checkpoint(), 'the checkpoint is the position of the last event applied').toBe(await lastPosition(db));
});

test('catchUp is incremental: a later call applies only the new events', { task: 4, points: 4 }, async () => {
  const { db, store: realStore } = await shop(10);
  // A store that notes how many events each readAll gives catchUp.
  const pages: number[] = [];
  const store = Object.create(realStore) as EventStore;
  store.readAll = async (afterPosition?: number, limit?: number) => {
    const events = await realStore.readAll(afterPosition, limit);
    pages.push(events.length);
    return events;
  };
  const readDb = await sqlite();
  const projection = new OrdersPerCustomer(store, readDb);
  expect(await projection.catchUp(4), 'the first catchUp applies the first 10 events, 4 at a time').toBe(10);
  expect(Math.max(...pages), `catchUp(4) reads a batch of at most 4 events at a time; the batches it read held ${pages.join(', ')} events`).toBeLessThanOrEqual(4);
  const firstCheckpoint = projection.checkpoint();
  expect(firstCheckpoint, 'the checkpoint after the first catchUp: the position of the 10th event').toBe(await lastPosition(db));

  // Between the two, an append failed and rolled back (a gap in the positions), then the rest of the history came.
  await failedAppend(db, 'order-4', 3);
  expect(await projection.catchUp(4), 'a catchUp after an append that failed has nothing to apply').toBe(0);
  expect(projection.checkpoint(), 'the checkpoint after a catchUp that applied nothing').toBe(firstCheckpoint);
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

  // Someone broke the read model, its counts and its memory of whose order is whose; rebuild
  // must not build on what is there.
  readDb.run(`UPDATE customer_orders SET placed = 99`);
  readDb.run(`UPDATE order_customers SET customer_id = 'mallory'`);
  readDb.run(`INSERT INTO customer_orders (customer_id, placed, cancelled) VALUES ('mallory', 5, 5)`);
  expect(await projection.rebuild(), 'rebuild returns how many events it applied').toBe(HISTORY.length);
  expectEqual(projection.all(), incremental, 'all() after rebuild');
  expect(projection.checkpoint(), 'the checkpoint after rebuild').toBe(await lastPosition(db));

  const fresh = new OrdersPerCustomer(store, await sqlite());
  await fresh.rebuild();
  expectEqual(fresh.all(), incremental, 'all() after rebuilding a new read model');

  // The service can crash during a rebuild too: after a restart, catchUp must carry on to the
  // right counts. The log is served from memory, as in the crash test above.
  const log = await store.readAll(0, 1000);
  const memory = Object.create(store) as EventStore;
  memory.readAll = async (afterPosition: number, limit?: number) => log.filter((e) => e.position > afterPosition).slice(0, limit ?? log.length);
  for (let n = 1; n <= 1000; n++) {
    const model = await sqlite();
    await new OrdersPerCustomer(memory, model).catchUp();
    crashOnWrite(model, n);
    const outcome = await new OrdersPerCustomer(memory, model).rebuild().then(
      () => 'finished',
      (error: unknown) => error,
    );
    clearFaults(model);
    if (outcome === 'finished') break; // a rebuild makes fewer than n writes: every write has been tried
    expectInstanceOf(outcome, SimulatedCrash, `with a crash at write ${n} of a rebuild, rebuild should fail with the SimulatedCrash itself`);
    const restarted = await new OrdersPerCustomer(memory, model).catchUp().catch((e: unknown) => e);
    if (restarted instanceof Error) throw new Error(`after a crash at write ${n} of a rebuild, the restarted catchUp failed: ${describeOutcome(restarted)}`);
    expectEqual(new OrdersPerCustomer(memory, model).all(), EXPECTED, `the counts after a crash at write ${n} of a rebuild and a restart that caught up`);
  }
});
