import { createClock } from 'labkit/clock';
import { pgSchema } from 'labkit/db';
import { expect, test } from 'labkit/test';
import { BackupStore, partKey } from '../src/backup-store.ts';
import { backupOrders } from '../src/backup.ts';
import { recoverToPointInTime, replay } from '../src/pitr.ts';
import { ChangeLogGapError } from '../src/types.ts';
import { expectEqual, flipByte, iso, MINUTE, modelOf, ordersNode, outcome, seedOrders, SECOND, summary, T0, tablesOf } from './helpers.ts';

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

test('recovers to a point in time: every write at or before it, none after', { task: 5, points: 6 }, async () => {
  const { store, ids, log } = await morning();
  const cases: [string, number, number][] = [
    ['exactly when o-06 was placed (it is in)', T0 + 3 * MINUTE, 10],
    ['one millisecond before the mistaken delete', T0 + 4 * MINUTE - 1, 10],
    ['after the last write', T0 + 5 * MINUTE + 30 * SECOND, 12],
  ];
  for (const [i, [when, until, lastLsn]] of cases.entries()) {
    const target = await pgSchema(`pitr_${i}`);
    const report = await recoverToPointInTime(store, log, target, until);
    const expected = modelOf(log, (entry) => entry.at <= until);
    const recovered = await tablesOf(target);
    expectEqual(recovered, expected, `recovered to ${iso(until)}, ${when}: should hold ${summary(expected)}; holds ${summary(recovered)}`);
    expectEqual(
      { baseBackup: report.baseBackup, restored: report.restore.ok, lastLsn: report.replay.lastLsn },
      { baseBackup: ids[0], restored: true, lastLsn },
      `the report of the recovery to ${iso(until)}: its base backup, the restore drill, and the last LSN replayed`,
    );
  }
});

test('replaying the same log twice, or a log with overlapping copies, gives the same state', { task: 5, points: 3 }, async () => {
  const { store, log } = await morning();
  const until = T0 + 5 * MINUTE;
  const target = await pgSchema('pitr_twice');
  await recoverToPointInTime(store, log, target, until);
  const once = await tablesOf(target);
  const again = await replay(target, log, 7, until).then(() => 'ok', outcome);
  expect(again, 'replaying LSN 8 to 12 a second time onto the recovered database should work').toBe('ok');
  expectEqual(await tablesOf(target), once, 'the tables after replaying the log twice: the same as after once');

  // Two archive files that overlap: LSNs 8 to 10 appear twice.
  const overlapping = await replay(target, [...log.slice(0, 10), ...log.slice(7)], 7, until).then(() => 'ok', outcome);
  expect(overlapping, 'replaying a log in which LSNs 8 to 10 appear twice (two archive files that overlap) should work').toBe('ok');
  expectEqual(await tablesOf(target), once, 'the tables after replaying the overlapping log');
});

test('starts from the newest good backup taken at or before the target time', { task: 5, points: 3 }, async () => {
  const { store, ids, log } = await morning([T0 + 2 * MINUTE + 30 * SECOND, T0 + 4 * MINUTE + 30 * SECOND]);
  expect(ids.length, 'three backups: base, 2:30 and 4:30').toBe(3);
  await flipByte(store, partKey(ids[1]!, 'orders.jsonl')); // the 2:30 one is damaged
  const cases: [number, string, string][] = [
    [T0 + 3 * MINUTE + 30 * SECOND, ids[0]!, 'the 2:30 backup is damaged and the 4:30 one is too late: the base backup'],
    [T0 + 4 * MINUTE + 45 * SECOND, ids[2]!, 'the 4:30 backup'],
  ];
  for (const [i, [until, base, why]] of cases.entries()) {
    const target = await pgSchema(`pitr_base_${i}`);
    const report = await recoverToPointInTime(store, log, target, until);
    expect(report.baseBackup, `the base backup for a recovery to ${iso(until)}: ${why}`).toBe(base);
    expectEqual(await tablesOf(target), modelOf(log, (entry) => entry.at <= until), `the tables recovered to ${iso(until)}`);
  }
  const tooEarly = await recoverToPointInTime(store, log, await pgSchema('pitr_early'), T0 + 5 * SECOND).then(outcome, outcome);
  expect(tooEarly, 'recovering to T0 + 5 s, before the first backup, should throw an Error: no backup can be the base').toMatch(/^it threw/);
});

test('a gap in the change log is found before anything is replayed', { task: 5, points: 4 }, async () => {
  const { store, log } = await morning();
  const withoutLsn10 = log.filter((entry) => entry.lsn !== 10);
  const target = await pgSchema('pitr_gap');
  const error = await recoverToPointInTime(store, withoutLsn10, target, T0 + 5 * MINUTE).then(outcome, (e: unknown) => e);
  expect(error, `recovering across a lost LSN 10 should throw a ChangeLogGapError; ${outcome(error)}`).toBeInstanceOf(ChangeLogGapError);
  expectEqual({ expectedLsn: (error as ChangeLogGapError).expectedLsn, foundLsn: (error as ChangeLogGapError).foundLsn }, { expectedLsn: 10, foundLsn: 11 }, 'the LSNs in the error');
  expect(await tableCount(target), 'the target should be untouched (no tables): check the log before restoring').toBe(0);

  const lateStart = await recoverToPointInTime(store, log.slice(9), await pgSchema('pitr_late'), T0 + 5 * MINUTE).then(outcome, (e: unknown) => e);
  expect(lateStart, `a log that starts at LSN 10, after a base backup at LSN 7, should throw a ChangeLogGapError; ${outcome(lateStart)}`).toBeInstanceOf(ChangeLogGapError);
  expectEqual({ expectedLsn: (lateStart as ChangeLogGapError).expectedLsn, foundLsn: (lateStart as ChangeLogGapError).foundLsn }, { expectedLsn: 8, foundLsn: 10 }, 'the LSNs in that error');

  const before = await pgSchema('pitr_before_gap');
  await recoverToPointInTime(store, withoutLsn10, before, T0 + 2 * MINUTE + 30 * SECOND);
  expectEqual(await tablesOf(before), modelOf(log, (entry) => entry.at <= T0 + 2 * MINUTE + 30 * SECOND), 'a recovery to 2:30, which needs nothing past the gap, still works');
});
