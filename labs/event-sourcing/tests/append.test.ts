import { pg, type Pg, type PgQueries, type PgResult, type SqlValue } from 'labkit/db';
import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { expect, test } from 'labkit/test';
import { ConcurrencyError } from '../src/errors.ts';
import { EventStore } from '../src/event-store.ts';
import { cancelled, describeOutcome, expectEqual, expectInstanceOf, expectMatch, lineAdded, MUG, paid, placed, rowsOf } from './helpers.ts';

async function newStore() {
  const db = await pg();
  const store = new EventStore(db);
  await store.init();
  return { db, store };
}

test('init creates the events and snapshots tables, and can run twice', { task: 1, points: 2 }, async () => {
  const { db, store } = await newStore();
  await store.init();
  const { rows } = await db.query(`SELECT to_regclass('events')::text AS events, to_regclass('snapshots')::text AS snapshots`);
  expectEqual(rows[0], { events: 'events', snapshots: 'snapshots' }, 'both tables exist');
});

test('appends the first events of a new stream with expected version 0', { task: 1, points: 4 }, async () => {
  const { db, store } = await newStore();
  const version = await store.append('order-1', 0, [placed('1'), lineAdded('TEA', 3, 400)]);
  expect(version, 'append returns the new version of the stream').toBe(2);
  expectEqual(
    await rowsOf(db, 'order-1'),
    [
      { version: 1, type: 'OrderPlaced', schemaVersion: 2, data: placed('1').data },
      { version: 2, type: 'OrderLineAdded', schemaVersion: 1, data: { sku: 'TEA', quantity: 3, priceCents: 400 } },
    ],
    'the rows of order-1 in the events table (schemaVersion is CURRENT_SCHEMA_VERSION of the type)',
  );
});

test('appends to an existing stream when the expected version is its current version', { task: 1, points: 2 }, async () => {
  const { db, store } = await newStore();
  await store.append('order-1', 0, [placed('1')]);
  await store.append('order-2', 0, [placed('2', 'bob')]);
  const version = await store.append('order-1', 1, [paid('pay-1', 2500)]);
  expect(version, 'append returns the new version of the stream').toBe(2);
  expectEqual((await rowsOf(db, 'order-1')).map((r) => `${r.version} ${r.type}`), ['1 OrderPlaced', '2 OrderPaid'], 'the rows of order-1');
  expectEqual((await rowsOf(db, 'order-2')).map((r) => `${r.version} ${r.type}`), ['1 OrderPlaced'], 'the rows of order-2, which should not change');
});

test('rejects an append with a stale expected version and writes nothing', { task: 1, points: 4 }, async () => {
  const { db, store } = await newStore();
  await store.append('order-1', 0, [placed('1'), lineAdded('TEA')]);
  const error = await store.append('order-1', 1, [paid('pay-1', 2600), cancelled()]).catch((e: unknown) => e);
  expectInstanceOf(error, ConcurrencyError, 'appending at expected version 1 to a stream at version 2 should throw a ConcurrencyError');
  expectMatch(error, { streamId: 'order-1', expectedVersion: 1, actualVersion: 2 }, 'the error says which stream, and both versions');
  expect((await rowsOf(db, 'order-1')).length, 'the stream should still hold its 2 events').toBe(2);
});

test('rejects an expected version that is ahead of the stream', { task: 1, points: 2 }, async () => {
  const { db, store } = await newStore();
  await store.append('order-1', 0, [placed('1')]);
  const ahead = await store.append('order-1', 3, [paid('pay-1', 2500)]).catch((e: unknown) => e);
  expectInstanceOf(ahead, ConcurrencyError, 'appending at expected version 3 to a stream at version 1 (it would leave a gap) should throw a ConcurrencyError');
  expectMatch(ahead, { expectedVersion: 3, actualVersion: 1 }, 'the versions in the error');
  const missing = await store.append('order-9', 1, [paid('pay-9', 100)]).catch((e: unknown) => e);
  expectInstanceOf(missing, ConcurrencyError, 'appending at expected version 1 to a stream with no events (at version 0) should throw a ConcurrencyError');
  expectMatch(missing, { expectedVersion: 1, actualVersion: 0 }, 'the versions in the error');
  expect((await rowsOf(db, 'order-1')).length, 'order-1 should still hold 1 event').toBe(1);
  expect((await rowsOf(db, 'order-9')).length, 'order-9 should still be empty').toBe(0);
});

test('lets exactly one of two concurrent appends with the same expected version win', { task: 1, points: 4 }, async () => {
  const { db, store } = await newStore();
  await store.append('order-old', 0, [placed('old')]);
  // Two cases: racing to create a stream, and racing to extend one.
  for (const [streamId, expected] of [['order-new', 0], ['order-old', 1]] as const) {
    const fromA = [lineAdded('A1'), lineAdded('A2')];
    const fromB = [lineAdded('B1'), lineAdded('B2')];
    const [a, b] = await Promise.allSettled([store.append(streamId, expected, fromA), store.append(streamId, expected, fromB)]);
    const outcomes = [a, b].map((r) => (r.status === 'fulfilled' ? 'succeeded' : r.reason instanceof ConcurrencyError ? 'ConcurrencyError' : describeOutcome(r.reason)));
    outcomes.sort();
    expect(outcomes.join(' / '), `of two appends racing to ${streamId} at expected version ${expected}, one should succeed and one throw a ConcurrencyError; here: ${outcomes.join('; ')}`).toBe(
      'ConcurrencyError / succeeded',
    );
    const winner = a.status === 'fulfilled' ? fromA : fromB;
    const added = (await rowsOf(db, streamId)).filter((r) => r.version > expected);
    expectEqual(added.map((r) => r.data), winner.map((e) => e.data), `the new events in ${streamId}: exactly the winner's two`);
  }
});

/**
 * A Pg that plays a competing writer: just before the first INSERT INTO events that goes
 * through it, it inserts the next version of `streamId` itself, on the same connection or
 * transaction. To the code under test this is the race PostgreSQL allows between two
 * transactions: its check said the version was free, and by the time it inserts, it is not.
 */
function withCompetingWriter(db: Pg, streamId: string): Pg {
  let done = false;
  const intercept = (queries: PgQueries): PgQueries => ({
    async query<T>(sql: string, params?: SqlValue[]): Promise<PgResult<T>> {
      if (!done && /^\s*insert\s+into\s+events\b/i.test(sql)) {
        done = true;
        await queries.query(
          `INSERT INTO events (stream_id, version, type, schema_version, data)
           SELECT $1, coalesce(max(version), 0) + 1, 'OrderCancelled', 1, '{"reason":"the other writer"}' FROM events WHERE stream_id = $1`,
          [streamId],
        );
      }
      return queries.query<T>(sql, params);
    },
    exec: (sql) => queries.exec(sql),
  });
  return { ...intercept(db), transaction: (fn) => db.transaction((tx) => fn(intercept(tx))) };
}

test('turns a unique violation from a writer that got in first into a ConcurrencyError', { task: 1, points: 3 }, async () => {
  const { db, store } = await newStore();
  await store.append('order-1', 0, [placed('1')]);
  const racing = new EventStore(withCompetingWriter(db, 'order-1'));
  const error = await racing.append('order-1', 1, [paid('pay-1', 2500), lineAdded('TEA')]).catch((e: unknown) => e);
  expectInstanceOf(error, ConcurrencyError, 'another writer took version 2 between your check and your insert: append should throw a ConcurrencyError');
  const rows = await rowsOf(db, 'order-1');
  expectEqual(rows.filter((r) => r.type !== 'OrderCancelled').map((r) => `${r.version} ${r.type}`), ['1 OrderPlaced'], 'none of your events should be written');
});

test('a crash in the middle of a multi-event append leaves none of its events behind', { task: 1, points: 4 }, async () => {
  const { db, store } = await newStore();
  for (let n = 1; n <= 3; n++) {
    const streamId = `order-crash-${n}`;
    await store.append(streamId, 0, [placed(String(n), 'alice', [MUG])]);
    crashOnWrite(db, n); // the nth write from now fails
    const outcome = await store.append(streamId, 1, [lineAdded('A'), lineAdded('B'), lineAdded('C')]).catch((e: unknown) => e);
    clearFaults(db);
    const count = (await rowsOf(db, streamId)).length;
    if (count === 1) {
      expectInstanceOf(outcome, SimulatedCrash, `with a crash at write ${n}, append should fail with the SimulatedCrash itself`);
    } else {
      expect(count, `with a crash at write ${n}: the stream should hold 1 event (all rolled back) or 4 (all written), not a part`).toBe(4);
    }
  }
});
