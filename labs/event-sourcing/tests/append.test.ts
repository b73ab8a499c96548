import { pg, type Pg } from 'labkit/db';
import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, expectInstanceOf, expectMatch, test } from 'labkit/test';
import { ConcurrencyError } from '../src/errors.ts';
import { EventStore } from '../src/event-store.ts';
import { cancelled, insertEvent, lineAdded, MUG, paid, placed, rowsOf, shipped, skipPositions } from './helpers.ts';

async function newStore() {
  const db = await pg();
  const store = new EventStore(db);
  await store.init();
  return { db, store };
}

/** What an append settled with, in words: "succeeded", "ConcurrencyError", or what else it did. */
function outcomeOf(result: PromiseSettledResult<number>): string {
  if (result.status === 'fulfilled') return 'succeeded';
  return result.reason instanceof ConcurrencyError ? 'ConcurrencyError' : describeOutcome(result.reason);
}

test('init creates the events and snapshots tables, and can run twice', { task: 1, points: 1 }, async () => {
  const { db, store } = await newStore();
  await store.init();
  const { rows } = await db.query(`SELECT to_regclass('events')::text AS events, to_regclass('snapshots')::text AS snapshots`);
  expectEqual(rows[0], { events: 'events', snapshots: 'snapshots' }, 'both tables exist');
});

test('appends the first events of a new stream with expected version 0', { task: 1, points: 3 }, async () => {
  const { db, store } = await newStore();
  // The table already holds another order, and its positions have gaps.
  await insertEvent(db, 'order-Łódź-7', 1, placed('Łódź-7', 'Łukasz'));
  await skipPositions(db, 40);
  const first = placed('Zoë-1', 'Zoë', [{ sku: '東京-TEA', quantity: 3, priceCents: 400 }]);
  const version = await store.append('order-Zoë-1', 0, [first, lineAdded('☕-MUG', 2, 1250)]);
  expect(version, 'append returns the new version of the stream').toBe(2);
  expectEqual(
    await rowsOf(db, 'order-Zoë-1'),
    [
      { version: 1, type: 'OrderPlaced', schemaVersion: 2, data: first.data },
      { version: 2, type: 'OrderLineAdded', schemaVersion: 1, data: { sku: '☕-MUG', quantity: 2, priceCents: 1250 } },
    ],
    'the rows of order-Zoë-1 in the events table (schemaVersion is CURRENT_SCHEMA_VERSION of the type)',
  );
  expect((await rowsOf(db, 'order-Łódź-7')).length, 'the other order in the table still holds its 1 event').toBe(1);
});

test('appends to an existing stream when the expected version is its current version', { task: 1, points: 2 }, async () => {
  const { db, store } = await newStore();
  // order-1 already holds 5 events, written before this store existed; order-10 is another order.
  await insertEvent(db, 'order-1', 1, placed('1'));
  for (let v = 2; v <= 5; v++) await insertEvent(db, 'order-1', v, lineAdded(`SKU-${v}`));
  await insertEvent(db, 'order-10', 1, placed('10', 'bob'));
  const version = await store.append('order-1', 5, [lineAdded('TEA'), paid('pay-1', 2900)]);
  expect(version, 'append at expected version 5 of two events returns the new version').toBe(7);
  expect(await store.append('order-1', 7, [shipped('TRACK-Ω-1')]), 'the next append, at expected version 7').toBe(8);
  expectEqual(
    (await rowsOf(db, 'order-1')).map((r) => `${r.version} ${r.type}`),
    ['1 OrderPlaced', '2 OrderLineAdded', '3 OrderLineAdded', '4 OrderLineAdded', '5 OrderLineAdded', '6 OrderLineAdded', '7 OrderPaid', '8 OrderShipped'],
    'the rows of order-1',
  );
  expectEqual((await rowsOf(db, 'order-10')).map((r) => `${r.version} ${r.type}`), ['1 OrderPlaced'], 'the rows of order-10, which should not change');
});

test('rejects an append with a stale expected version and writes nothing', { task: 1, points: 3 }, async () => {
  const { db, store } = await newStore();
  await store.append('order-1', 0, [placed('1'), lineAdded('TEA')]);
  const error = await store.append('order-1', 1, [paid('pay-1', 2600), cancelled()]).catch((e: unknown) => e);
  expectInstanceOf(error, ConcurrencyError, 'appending at expected version 1 to a stream at version 2 should throw a ConcurrencyError');
  expectMatch(error, { streamId: 'order-1', expectedVersion: 1, actualVersion: 2 }, 'the error says which stream, and both versions');
  const again = await store.append('order-1', 0, [placed('1')]).catch((e: unknown) => e);
  expectInstanceOf(again, ConcurrencyError, 'appending at expected version 0 (a new stream) to a stream at version 2 should throw a ConcurrencyError');
  expectMatch(again, { streamId: 'order-1', expectedVersion: 0, actualVersion: 2 }, 'the error says which stream, and both versions');
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

test('lets exactly one of two concurrent appends with the same expected version win', { task: 1, points: 3 }, async () => {
  const { db, store } = await newStore();
  await store.append('order-old', 0, [placed('old')]);
  // Two cases: racing to create a stream, and racing to extend one.
  for (const [streamId, expected] of [['order-new', 0], ['order-old', 1]] as const) {
    const fromA = [lineAdded('A1'), lineAdded('A2')];
    const fromB = [lineAdded('B1'), lineAdded('B2')];
    const [a, b] = await Promise.allSettled([store.append(streamId, expected, fromA), store.append(streamId, expected, fromB)]);
    const outcomes = [a!, b!].map(outcomeOf);
    outcomes.sort();
    expect(outcomes.join(' / '), `of two appends racing to ${streamId} at expected version ${expected}, one should succeed and one throw a ConcurrencyError; here: ${outcomes.join('; ')}`).toBe(
      'ConcurrencyError / succeeded',
    );
    const winner = a!.status === 'fulfilled' ? fromA : fromB;
    const added = (await rowsOf(db, streamId)).filter((r) => r.version > expected);
    expectEqual(added.map((r) => r.data), winner.map((e) => e.data), `the new events in ${streamId}: exactly the winner's two`);
  }
});

test('appends racing with other appends and with reads of the same stream: one winner, and no reader sees half an append', { task: 1, points: 3 }, async () => {
  const { db, store } = await newStore();
  const stream = 'order-Łódź';
  await insertEvent(db, stream, 1, placed('Łódź', 'Łukasz'));
  await insertEvent(db, stream, 2, lineAdded('TEA'));
  await insertEvent(db, stream, 3, lineAdded('CUP'));
  await skipPositions(db, 7);

  // Different appends at once: one event and three events at the current version 3, a stale
  // one at version 2, and one to another stream.
  const one = [paid('pay-Ł', 2700)];
  const three = [lineAdded('X1'), lineAdded('X2'), lineAdded('X3')];
  const [a, b, stale, other] = await Promise.allSettled([
    store.append(stream, 3, one),
    store.append(stream, 3, three),
    store.append(stream, 2, [cancelled('stale')]),
    store.append('order-東京', 0, [placed('東京', 'Zoë')]),
  ]);
  const pair = [outcomeOf(a!), outcomeOf(b!)].sort();
  expect(pair.join(' / '), `of an append of 1 event and one of 3 events, both at expected version 3 of ${stream}, one should succeed and one throw a ConcurrencyError; here: ${pair.join('; ')}`).toBe(
    'ConcurrencyError / succeeded',
  );
  expect(outcomeOf(stale!), `an append at the stale expected version 2, racing with them, should throw a ConcurrencyError`).toBe('ConcurrencyError');
  expect(outcomeOf(other!), `an append to another stream (order-東京) at expected version 0, at the same time, should succeed`).toBe('succeeded');
  const winner = a!.status === 'fulfilled' ? one : three;
  const rows = await rowsOf(db, stream);
  expectEqual(rows.map((r) => r.version), Array.from({ length: 3 + winner.length }, (_, i) => i + 1), `the versions in ${stream}: 1, 2, 3, then the winner's, without gaps`);
  expectEqual(rows.slice(3).map((r) => r.data), winner.map((e) => e.data), `the new events in ${stream}: exactly the winner's`);

  // A reader that keeps reading the stream while a three-event append runs sees the stream
  // before the append or after it, never in between.
  const watched = 'order-Zoë';
  await insertEvent(db, watched, 1, placed('Zoë', 'Zoë'));
  let done = false;
  const appending = store.append(watched, 1, [lineAdded('R1'), lineAdded('R2'), lineAdded('R3')]).then(
    (version) => version,
    (error: unknown) => error,
  );
  void appending.finally(() => {
    done = true;
  });
  const seen = new Set<number>();
  while (!done) seen.add((await rowsOf(db, watched)).length);
  seen.add((await rowsOf(db, watched)).length);
  const outcome = await appending;
  expect(outcome, `the three-event append at expected version 1 of ${watched} should succeed (${describeOutcome(outcome)})`).toBe(4);
  const partial = [...seen].filter((count) => count !== 1 && count !== 4);
  expectEqual(partial, [], `the numbers of events a reader saw in ${watched} while the append ran (${[...seen].join(', ')}), other than 1 (before) and 4 (after): an append is seen whole or not at all`);
});

/**
 * Plays a competing writer from inside the database, whatever SQL the code under test sends: a
 * trigger that, the first time a row of `streamId` is about to be inserted, inserts a row with
 * the same stream and version itself. To the code under test this is the race PostgreSQL
 * allows between two transactions: its check said the version was free, and by the time its
 * insert runs, it is taken. Runs `fn`, then removes the trigger.
 */
async function withCompetingWriter<T>(db: Pg, streamId: string, fn: () => Promise<T>): Promise<T> {
  const literal = `'${streamId.replaceAll("'", "''")}'`;
  await db.exec(`
    CREATE SEQUENCE lab_competitor_fired;
    CREATE FUNCTION lab_competing_writer() RETURNS trigger LANGUAGE plpgsql AS $competitor$
    BEGIN
      IF NEW.stream_id = ${literal} THEN
        -- nextval is never rolled back: this fires once, even if the code under test retries.
        IF nextval('lab_competitor_fired') = 1 THEN
          INSERT INTO events (stream_id, version, type, schema_version, data)
          VALUES (NEW.stream_id, NEW.version, 'OrderCancelled', 1, '{"reason": "the other writer"}');
        END IF;
      END IF;
      RETURN NEW;
    END
    $competitor$;
    CREATE TRIGGER lab_competing_writer BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION lab_competing_writer();
  `);
  try {
    return await fn();
  } finally {
    await db.exec('DROP TRIGGER lab_competing_writer ON events; DROP FUNCTION lab_competing_writer(); DROP SEQUENCE lab_competitor_fired;');
  }
}

test('turns a unique violation from a writer that got in first into a ConcurrencyError', { task: 1, points: 3 }, async () => {
  const { db, store } = await newStore();
  await insertEvent(db, 'order-Zoë', 1, placed('Zoë', 'Zoë'));
  // Two cases: another writer extends the stream, and another writer creates a new one.
  for (const [streamId, expected] of [['order-Zoë', 1], ['order-Łódź', 0]] as const) {
    const error = await withCompetingWriter(db, streamId, () => store.append(streamId, expected, [paid('pay-1', 2500), lineAdded('TEA')])).catch((e: unknown) => e);
    expectInstanceOf(
      error,
      ConcurrencyError,
      `another writer's event took version ${expected + 1} of ${streamId} just before your insert of it (a trigger on the events table plays that writer), so the database refused your insert with unique_violation (SQLSTATE 23505); append at expected version ${expected} should turn that into a ConcurrencyError`,
    );
    expectMatch(error, { streamId, expectedVersion: expected }, 'the stream and the expected version in the error');
    const mine = (await rowsOf(db, streamId)).filter((r) => !(r.type === 'OrderCancelled' && (r.data as { reason?: string }).reason === 'the other writer'));
    expectEqual(mine.map((r) => `${r.version} ${r.type}`), expected === 0 ? [] : ['1 OrderPlaced'], `the rows of ${streamId} besides the other writer's: none of your events should be written`);
  }
});

test('a crash in the middle of a multi-event append leaves none of its events behind', { task: 1, points: 4 }, async () => {
  const { db } = await newStore();
  const events = [lineAdded('A'), lineAdded('B'), lineAdded('C')];
  for (let n = 1; n <= 50; n++) {
    const streamId = `order-crash-${n}`;
    await insertEvent(db, streamId, 1, placed(String(n), 'alice', [MUG]));
    const store = new EventStore(db);
    crashOnWrite(db, n); // the nth write from now fails
    const outcome = await store.append(streamId, 1, events).catch((e: unknown) => e);
    clearFaults(db);
    const count = (await rowsOf(db, streamId)).length;
    if (outcome === 4) break; // the append made fewer than n writes: a crash at every one of them has been tried
    if (count === 1) {
      expectInstanceOf(outcome, SimulatedCrash, `with a crash at write ${n}, append should fail with the SimulatedCrash itself`);
    } else {
      expect(count, `with a crash at write ${n}: the stream should hold 1 event (all rolled back) or 4 (all written), not a part`).toBe(4);
      continue;
    }
    // The service restarts: a new store retries the same append, and it goes through whole.
    const retried = await new EventStore(db).append(streamId, 1, events).catch((e: unknown) => e);
    expect(retried, `after a crash at write ${n} and a restart, the same append at expected version 1 should succeed (${describeOutcome(retried)})`).toBe(4);
    expectEqual((await rowsOf(db, streamId)).map((r) => r.version), [1, 2, 3, 4], `the versions of ${streamId} after the retry`);
  }
});
