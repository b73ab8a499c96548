import { createClock } from 'labkit/clock';
import { pgSchema } from 'labkit/db';
import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, expectInstanceOf, test } from 'labkit/test';
import { BackupStore, partKey } from '../src/backup-store.ts';
import { backupOrders } from '../src/backup.ts';
import type { ChangeEntry, RowChange } from '../src/orders.ts';
import { applyChange, entriesToReplay, recoverToPointInTime, replay } from '../src/pitr.ts';
import { ChangeLogGapError } from '../src/types.ts';
import { flipByte, iso, MINUTE, modelOf, ordersNode, seedOrders, SECOND, summary, T0, tablesOf } from './helpers.ts';

/**
 * The shop's morning: seven transactions in the first seconds, a base backup at T0 + 10 s
 * (LSN 7), then one transaction a minute, LSN 8 to 12. At T0 + 4 min a clerk deletes order
 * o-01 by mistake. `backupsAt` takes more backups at those times (after the base one).
 */
async function morning(backupsAt: number[] = []) {
  const clock = createClock(T0);
  const node = await ordersNode(clock);
  const store = new BackupStore();
  await seedOrders(node, clock);
  await clock.advance(T0 + 10 * SECOND - clock.now());
  const ids = [(await backupOrders(node.db, store, clock)).id];
  const later: [number, () => Promise<number>][] = [
    [1, () => node.placeOrder('o-05', 'erin', [{ sku: 'MUG', quantity: 1, priceCents: 1250 }])],
    [2, () => node.payOrder('o-04')],
    [3, () => node.placeOrder('o-06', 'frank', [{ sku: 'TEA', quantity: 5, priceCents: 400 }])],
    [4, () => node.deleteOrder('o-01')],
    [5, () => node.placeOrder('o-07', 'grace', [{ sku: 'PEN', quantity: 2, priceCents: 99 }])],
  ];
  const pending = [...backupsAt];
  for (const [minute, write] of later) {
    while (pending.length > 0 && pending[0]! < T0 + minute * MINUTE) {
      await clock.advance(pending.shift()! - clock.now());
      ids.push((await backupOrders(node.db, store, clock)).id);
    }
    await clock.advance(T0 + minute * MINUTE - clock.now());
    await write();
  }
  const log = await node.disk.changesSince(0);
  return { clock, node, store, ids, log };
}

async function tableCount(db: Awaited<ReturnType<typeof pgSchema>>): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()');
  return rows[0]!.n;
}

test('recovers to a point in time: every write at or before it, none after', { task: 5, points: 4 }, async () => {
  const { store, ids, log } = await morning();
  const cases: [string, number, number][] = [
    ['exactly when o-06 was placed (it is in)', T0 + 3 * MINUTE, 10],
    ['one millisecond before the mistaken delete', T0 + 4 * MINUTE - 1, 10],
    ['after the last write', T0 + 5 * MINUTE + 30 * SECOND, 12],
    ['after the base backup, before any later write (nothing to replay)', T0 + 30 * SECOND, 7],
  ];
  for (const [i, [when, until, lastLsn]] of cases.entries()) {
    const target = await pgSchema(`pitr_${i}`);
    const report = await recoverToPointInTime(store, log, target, until);
    const expected = modelOf(log, (entry) => entry.at <= until);
    const recovered = await tablesOf(target);
    expectEqual(recovered, expected, `recovered to ${iso(until)}, ${when}: should hold ${summary(expected)}; holds ${summary(recovered)}`);
    expectEqual(
      { baseBackup: report.baseBackup, restored: report.restore.ok, replay: report.replay },
      { baseBackup: ids[0], restored: true, replay: { applied: lastLsn - 7, lastLsn, lastAt: log.find((e) => e.lsn === lastLsn && lastLsn > 7)?.at } },
      `the report of the recovery to ${iso(until)}: its base backup (LSN 7), the restore drill, and the replay (how many entries, the LSN and time of the last; 7 and undefined when none)`,
    );
  }
});

test('replaying the same log twice, or a log with overlapping copies, gives the same state', { task: 5, points: 2 }, async () => {
  const { store, log } = await morning();
  const until = T0 + 5 * MINUTE;
  const target = await pgSchema('pitr_twice');
  await recoverToPointInTime(store, log, target, until);
  const once = await tablesOf(target);
  const again = await replay(target, log, 7, until).then(() => 'ok', describeOutcome);
  expect(again, 'replaying LSN 8 to 12 a second time onto the recovered database should work').toBe('ok');
  expectEqual(await tablesOf(target), once, 'the tables after replaying the log twice: the same as after once');

  // Two archive files that overlap: LSNs 8 to 10 appear twice.
  const overlapping = await replay(target, [...log.slice(0, 10), ...log.slice(7)], 7, until).then(() => 'ok', describeOutcome);
  expect(overlapping, 'replaying a log in which LSNs 8 to 10 appear twice (two archive files that overlap) should work').toBe('ok');
  expectEqual(await tablesOf(target), once, 'the tables after replaying the overlapping log');
});

test('starts from the newest good backup taken at or before the target time', { task: 5, points: 3 }, async () => {
  const { store, ids, log } = await morning([T0 + 2 * MINUTE + 30 * SECOND, T0 + 4 * MINUTE + 30 * SECOND]);
  expect(ids.length, 'three backups: base, 2:30 and 4:30').toBe(3);
  await flipByte(store, partKey(ids[1]!, 'orders.jsonl')); // the 2:30 one is damaged
  const cases: [number, string, string, ChangeEntry[]][] = [
    [T0 + 3 * MINUTE + 30 * SECOND, ids[0]!, 'the 2:30 backup is damaged and the 4:30 one is too late: the base backup', log],
    [T0 + 4 * MINUTE + 45 * SECOND, ids[2]!, 'the 4:30 backup', log],
    [T0 + 4 * MINUTE + 30 * SECOND, ids[2]!, 'the 4:30 backup, taken exactly at the target time (at or before it counts)', log],
    // The archive no longer has LSN 1 to 5: replay starts after the base backup's LSN 7, so they are not needed.
    [T0 + 3 * MINUTE + 30 * SECOND, ids[0]!, 'the base backup, with a log that starts at LSN 6 (older entries archived away)', log.slice(5)],
  ];
  for (const [i, [until, base, why, entries]] of cases.entries()) {
    const target = await pgSchema(`pitr_base_${i}`);
    const report = await recoverToPointInTime(store, entries, target, until).catch(describeOutcome);
    expect(typeof report === 'string' ? report : report.baseBackup, `the base backup for a recovery to ${iso(until)}: ${why}`).toBe(base);
    expectEqual(await tablesOf(target), modelOf(log, (entry) => entry.at <= until), `the tables recovered to ${iso(until)}`);
  }
  const tooEarly = await recoverToPointInTime(store, log, await pgSchema('pitr_early'), T0 + 5 * SECOND).then(describeOutcome, describeOutcome);
  expect(tooEarly, 'recovering to T0 + 5 s, before the first backup, should throw an Error: no backup can be the base').toMatch(/^it threw/);
});

test('a gap in the change log is found before anything is replayed', { task: 5, points: 3 }, async () => {
  const { store, log } = await morning();
  const withoutLsn10 = log.filter((entry) => entry.lsn !== 10);
  const target = await pgSchema('pitr_gap');
  const error = await recoverToPointInTime(store, withoutLsn10, target, T0 + 5 * MINUTE).catch((e: unknown) => e);
  expectInstanceOf(error, ChangeLogGapError, 'recovering across a lost LSN 10 should throw a ChangeLogGapError');
  expectEqual({ expectedLsn: (error as ChangeLogGapError).expectedLsn, foundLsn: (error as ChangeLogGapError).foundLsn }, { expectedLsn: 10, foundLsn: 11 }, 'the LSNs in the error');
  expect(await tableCount(target), 'the target should be untouched (no tables): check the log before restoring').toBe(0);

  const lateStart = await recoverToPointInTime(store, log.slice(9), await pgSchema('pitr_late'), T0 + 5 * MINUTE).catch((e: unknown) => e);
  expectInstanceOf(lateStart, ChangeLogGapError, 'a log that starts at LSN 10, after a base backup at LSN 7, should throw a ChangeLogGapError');
  expectEqual({ expectedLsn: (lateStart as ChangeLogGapError).expectedLsn, foundLsn: (lateStart as ChangeLogGapError).foundLsn }, { expectedLsn: 8, foundLsn: 10 }, 'the LSNs in that error');

  const before = await pgSchema('pitr_before_gap');
  await recoverToPointInTime(store, withoutLsn10, before, T0 + 2 * MINUTE + 30 * SECOND);
  expectEqual(await tablesOf(before), modelOf(log, (entry) => entry.at <= T0 + 2 * MINUTE + 30 * SECOND), 'a recovery to 2:30, which needs nothing past the gap, still works');
});

test('applyChange: an upsert writes the whole row, new or not; a delete removes exactly the row with that key', { task: 5, points: 2 }, async () => {
  const clock = createClock(T0);
  const node = await ordersNode(clock, 'pitr_apply');
  await node.placeOrder('o-41', 'zoë', [{ sku: 'MUG', quantity: 2, priceCents: 1250 }, { sku: 'THÉ', quantity: 1, priceCents: 400 }]);
  const changes: RowChange[] = [
    { table: 'orders', op: 'upsert', key: { id: 'o-41' }, row: { id: 'o-41', customer_id: 'Zoë Łukasiewicz', status: 'paid', total_cents: 2900, placed_at: T0 + 5 * SECOND } },
    { table: 'order_lines', op: 'upsert', key: { order_id: 'o-41', sku: 'MUG' }, row: { order_id: 'o-41', sku: 'MUG', quantity: 3, price_cents: 1000 } },
    { table: 'order_lines', op: 'delete', key: { order_id: 'o-41', sku: 'THÉ' } },
    { table: 'orders', op: 'upsert', key: { id: 'o-97' }, row: { id: 'o-97', customer_id: '東京 🦊', status: 'placed', total_cents: 99, placed_at: T0 + 6 * SECOND } },
    { table: 'order_lines', op: 'upsert', key: { order_id: 'o-97', sku: 'PEN' }, row: { order_id: 'o-97', sku: 'PEN', quantity: 1, price_cents: 99 } },
  ];
  const expected = {
    orders: [changes[0]!, changes[3]!].map((c) => (c as { row: Record<string, unknown> }).row),
    order_lines: [changes[1]!, changes[4]!].map((c) => (c as { row: Record<string, unknown> }).row),
  };
  for (const round of ['once', 'twice']) {
    for (const change of changes) {
      const done = await node.db.transaction((tx) => applyChange(tx, change)).then(() => 'ok', describeOutcome);
      expect(done, `applyChange(${JSON.stringify(change)}) (${round})`).toBe('ok');
    }
    expectEqual(
      await tablesOf(node.db),
      expected,
      `after applying the changes ${round}: o-41 overwritten with its whole new row (customer, status, total, time), its MUG line overwritten, only its THÉ line deleted, o-97 and its line inserted`,
    );
  }
});

test('replay applies each entry in a transaction of its own: one that fails leaves nothing of itself, the ones before it stay', { task: 5, points: 2 }, async () => {
  const clock = createClock(T0);
  const node = await ordersNode(clock, 'pitr_entries');
  const order = (id: string, customer: string): RowChange => ({ table: 'orders', op: 'upsert', key: { id }, row: { id, customer_id: customer, status: 'placed', total_cents: 1250, placed_at: T0 } });
  const line = (orderId: string, sku: string, quantity: number): RowChange => ({ table: 'order_lines', op: 'upsert', key: { order_id: orderId, sku }, row: { order_id: orderId, sku, quantity, price_cents: 1250 } });
  const log: ChangeEntry[] = [
    { lsn: 41, at: T0 + SECOND, changes: [order('o-41', 'zoë'), line('o-41', 'MUG', 1)] },
    { lsn: 42, at: T0 + 2 * SECOND, changes: [order('o-42', 'łukasz'), line('o-42', 'MUG', 0)] }, // quantity 0 breaks CHECK (quantity > 0)
    { lsn: 43, at: T0 + 3 * SECOND, changes: [order('o-43', '東京')] },
  ];
  crashOnWrite(node.db, 2); // inside LSN 41, which writes two rows
  const crashed = await replay(node.db, log, 40, T0 + MINUTE).catch((e: unknown) => e);
  clearFaults(node.db);
  expectInstanceOf(crashed, SimulatedCrash, 'a crash at the second write of the replay should reach the caller as SimulatedCrash');
  expectEqual(summary(await tablesOf(node.db)), ' | ', 'after a crash in the middle of LSN 41: nothing of LSN 41 (its order and its line commit together or not at all)');

  const failed = await replay(node.db, log, 40, T0 + MINUTE).then(describeOutcome, (e: unknown) => e);
  expect(failed instanceof Error, `LSN 42 breaks a CHECK constraint, so replay should throw; ${describeOutcome(failed)}`).toBe(true);
  const after = await tablesOf(node.db);
  expectEqual(
    after,
    modelOf(log, (entry) => entry.lsn === 41),
    `after LSN 42 failed: LSN 41 stays applied (committed in its own transaction), nothing of LSN 42 (o-42 rolled back with its bad line), and LSN 43 was never reached; holds ${summary(after)}`,
  );
});

test('entriesToReplay: LSN order from shuffled, overlapping archives, up to until, and the first missing LSN named', { task: 5, points: 2 }, () => {
  const entry = (lsn: number): ChangeEntry => ({ lsn, at: T0 + (lsn - 40) * SECOND, changes: [] });
  const archive = [44, 41, 46, 42, 43, 42, 45, 40, 44].map(entry);
  const lsns = (afterLsn: number, until: number, entries = archive) => {
    try {
      return entriesToReplay(entries, afterLsn, until).map((e) => e.lsn);
    } catch (error) {
      return error instanceof ChangeLogGapError ? `ChangeLogGapError(${error.expectedLsn}, ${String(error.foundLsn)})` : describeOutcome(error);
    }
  };
  const cases: [number, number, ChangeEntry[], unknown, string][] = [
    [40, T0 + 4 * SECOND, archive, [41, 42, 43, 44], 'after LSN 40 up to the time of LSN 44, from entries in the order 44 41 46 42 43 42 45 40 44'],
    [42, T0 + 6 * SECOND, archive, [43, 44, 45, 46], 'after LSN 42, up to the time of the last entry'],
    [40, T0 + 4 * SECOND - 1, archive, [41, 42, 43], 'up to one millisecond before LSN 44'],
    [40, T0 + 6 * SECOND, archive.filter((e) => e.lsn !== 43), 'ChangeLogGapError(43, 44)', 'with LSN 43 missing: expected 43, found 44'],
    [40, T0 + 2 * SECOND + 500, archive.filter((e) => e.lsn !== 43), [41, 42], 'with LSN 43 missing but until before its successor: no gap before until'],
  ];
  for (const [afterLsn, until, entries, expected, what] of cases) {
    expectEqual(lsns(afterLsn, until, entries), expected, `entriesToReplay(..., ${afterLsn}, ${iso(until)}) ${what}`);
  }
});
