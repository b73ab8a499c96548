import { createClock, type Clock } from 'labkit/clock';
import { describeOutcome, expect, expectEqual, test } from 'labkit/test';
import { BackupStore, MANIFEST, partKey, utf8 } from '../src/backup-store.ts';
import { backupInventory } from '../src/backup.ts';
import { openInventory, restock } from '../src/inventory.ts';
import { applyRetention, planRetention, utcWeek, type BackupInfo } from '../src/retention.ts';
import { RETENTION } from '../src/targets.ts';
import { DAY, flipByte, HOUR, iso, MINUTE, T0 } from './helpers.ts';

/** Inventory backups at the given clock times (ascending), in one store. */
async function backupsAt(times: number[]) {
  const clock: Clock = createClock(Math.min(T0, ...times));
  const db = await openInventory();
  const store = new BackupStore();
  const ids: string[] = [];
  for (const time of times) {
    await clock.advance(time - clock.now());
    restock(db, 'MUG', 1);
    ids.push((await backupInventory(db, store, clock)).id);
  }
  return { clock, db, store, ids };
}

/** "2026-11-26T02-00-00Z" for "inventory/2026-11-26T02-00-00Z": short names for messages. */
const short = (ids: string[]) => ids.map((id) => id.slice(id.indexOf('/') + 1));

test('thirty nightly backups under "7 daily, 4 weekly" leave exactly the right ones', { task: 4, points: 3 }, async () => {
  const clock = createClock(T0);
  const db = await openInventory();
  const store = new BackupStore();
  const night = (n: number) => `inventory/${iso(T0 + n * DAY).replaceAll(':', '-')}`;
  for (let n = 0; n < 30; n++) {
    if (n > 0) await clock.advance(DAY);
    restock(db, 'TEA', 1);
    await backupInventory(db, store, clock);
    // Retention runs after the nightly backup on some nights only: the tests stay fast, and a
    // correct policy gives the same result whichever nights it ran on.
    if (n % 7 !== 0 && n !== 29) continue;
    const result = await applyRetention(store, 'inventory', RETENTION);
    if (n === 7) {
      // Thursday 3 December: 8 nightly backups, Thursday 26 November to Thursday 3 December.
      expectEqual(short(result.deleted), short([night(0)]), 'after 8 nights, the oldest (26 November) falls out of the 7 daily ones, and its week has a newer backup (Sunday 29th)');
      expectEqual(short(await store.backupIds('inventory')), short([1, 2, 3, 4, 5, 6, 7].map(night)), 'the backups left after 8 nights');
    }
  }
  // Friday 25 December. Weeks start on Monday: 30 Nov, 7 Dec, 14 Dec, 21 Dec.
  const expected = ['2026-12-06', '2026-12-13', '2026-12-19', '2026-12-20', '2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24', '2026-12-25'].map((day) => `inventory/${day}T02-00-00Z`);
  expectEqual(
    short(await store.backupIds('inventory')),
    short(expected),
    'after 30 nights: the last 7 days (19-25 Dec) and the newest of each of the last 4 weeks (Sun 6 Dec, Sun 13 Dec, Sun 20 Dec, Fri 25 Dec)',
  );
  const keys = await store.list('inventory/');
  expect(keys.length, `every object of a deleted backup goes, every object of a kept one stays: 2 per backup; found ${keys.join(', ')}`).toBe(2 * expected.length);
  const again = await applyRetention(store, 'inventory', RETENTION);
  expectEqual({ kept: short(again.kept), deleted: again.deleted }, { kept: short(expected), deleted: [] }, 'running retention again at once changes nothing');
});

test('several backups on one day, and the edge between two weeks', { task: 4, points: 4 }, async () => {
  // Saturday 28 Nov 02:00 and 14:00; Sunday 29 Nov 02:00 and 23:30; Monday 30 Nov 00:30 and 02:00.
  const times = [2 * DAY, 2 * DAY + 12 * HOUR, 3 * DAY, 3 * DAY + 21 * HOUR + 30 * MINUTE, 3 * DAY + 22 * HOUR + 30 * MINUTE, 4 * DAY].map((t) => T0 + t);
  const [sat02, sat14, sun02, sun2330, mon0030, mon02] = times.map((t) => `inventory/${iso(t).replaceAll(':', '-')}`) as [string, string, string, string, string, string];

  const weekly = await backupsAt(times);
  const result = await applyRetention(weekly.store, 'inventory', { daily: 1, weekly: 2 });
  expectEqual(
    short(result.kept),
    short([sun2330, mon02]),
    'with { daily: 1, weekly: 2 }: Monday 02:00 (newest of the newest day and of this week) and Sunday 23:30 (newest of last week: weeks start on Monday, in UTC)',
  );
  expectEqual(short(result.deleted), short([sat02, sat14, sun02, mon0030]), 'the backups deleted, oldest first');

  const daily = await backupsAt(times);
  expectEqual(
    short((await applyRetention(daily.store, 'inventory', { daily: 3, weekly: 0 })).kept),
    short([sat14, sun2330, mon02]),
    'with { daily: 3, weekly: 0 }: the newest backup of each of the 3 days (a day is a UTC calendar day)',
  );
});

test('a damaged backup never takes a good one\'s place, and the only good backup is never deleted', { task: 4, points: 4 }, async () => {
  const nights = Array.from({ length: 10 }, (_, n) => T0 + n * DAY); // 26 Nov to 5 Dec
  const { store, ids } = await backupsAt(nights);
  for (const id of ids.slice(6)) await flipByte(store, partKey(id, 'inventory.sqlite')); // 2 to 5 Dec are damaged
  await store.put('inventory/2026-12-05T03-00-00Z/inventory.sqlite', utf8('an upload that never finished: no manifest'));

  const result = await applyRetention(store, 'inventory', { daily: 3, weekly: 1 });
  expectEqual(
    { kept: short(result.kept), unverified: short(result.unverified) },
    { kept: short(ids.slice(3, 6)), unverified: short([...ids.slice(6), 'inventory/2026-12-05T03-00-00Z']) },
    'with { daily: 3, weekly: 1 } and the last 4 nightly backups damaged: the 3 newest GOOD days are kept (29, 30 Nov, 1 Dec); damaged and unfinished backups are left for a human',
  );
  expectEqual(short(await store.backupIds('inventory')), short([...ids.slice(3), 'inventory/2026-12-05T03-00-00Z']), 'the backups left in the store');
  expect(await store.has(partKey(ids[9]!, MANIFEST)), 'a damaged backup keeps its manifest (someone may need to look at it)').toBe(true);

  const lonely = await backupsAt(nights.slice(0, 5));
  for (const id of lonely.ids.slice(1)) await flipByte(lonely.store, partKey(id, 'inventory.sqlite'));
  const onlyGood = await applyRetention(lonely.store, 'inventory', { daily: 2, weekly: 0 });
  expectEqual(short(onlyGood.kept), short(lonely.ids.slice(0, 1)), 'when only the oldest backup verifies, it is kept, however old');
  expect(await lonely.store.has(partKey(lonely.ids[0]!, 'inventory.sqlite')), 'the only good backup is still in the store').toBe(true);
});

/** The day number (days since 1970-01-01, UTC) of a UTC date. */
const dayOf = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day) / DAY;

test('utcWeek gives the Monday that starts the UTC week, right up to midnight', { task: 4, points: 1 }, () => {
  const cases: [number, number, string][] = [
    [T0, dayOf(2026, 11, 23), 'Thursday 26 Nov 02:00'],
    [Date.UTC(2026, 10, 30, 0, 0, 0, 0), dayOf(2026, 11, 30), 'Monday 30 Nov 00:00:00.000, the first moment of a week'],
    [Date.UTC(2026, 10, 29, 23, 59, 59, 999), dayOf(2026, 11, 23), 'Sunday 29 Nov 23:59:59.999, the last moment of the week before'],
    [Date.UTC(2026, 11, 6, 11, 0), dayOf(2026, 11, 30), 'Sunday 6 Dec 11:00 UTC (already Monday in Auckland or Chatham)'],
    [Date.UTC(2026, 11, 7, 10, 30), dayOf(2026, 12, 7), 'Monday 7 Dec 10:30 UTC'],
    [Date.UTC(2027, 0, 3, 23, 30), dayOf(2026, 12, 28), 'Sunday 3 Jan 2027 23:30, a week that spans two years'],
  ];
  for (const [ms, monday, when] of cases) {
    const got = (() => {
      try {
        return utcWeek(ms);
      } catch (error) {
        return describeOutcome(error);
      }
    })();
    expect(got, `utcWeek(${ms}), ${when} (${iso(ms)}): the day number of Monday ${iso(monday * DAY).slice(0, 10)}, ${monday}`).toBe(monday);
  }
});

test('days and weeks without a backup take no slot, and the newest good backup stays whatever the policy', { task: 4, points: 3 }, async () => {
  // Backups near midnight UTC, where the UTC date and a local one differ, with gaps: nothing
  // from 2 to 5 Dec, and none at all in the week of 7 Dec (an outage).
  const MON = Date.UTC(2026, 10, 30);
  const times = [
    MON + 10 * MINUTE, // a: Mon 30 Nov 00:10
    MON + 23 * HOUR + 50 * MINUTE, // b: Mon 30 Nov 23:50
    MON + DAY + 10 * MINUTE, // c: Tue 1 Dec 00:10
    MON + 6 * DAY + 23 * HOUR + 30 * MINUTE, // d: Sun 6 Dec 23:30
    MON + 14 * DAY + 10 * HOUR, // e: Mon 14 Dec 10:00
    MON + 14 * DAY + 10 * HOUR + 30 * MINUTE, // f: Mon 14 Dec 10:30
    MON + 16 * DAY + 5 * MINUTE, // g: Wed 16 Dec 00:05
  ];
  const run = await backupsAt(times);
  const [a, b, c, d, e, f, g] = run.ids as [string, string, string, string, string, string, string];
  // A leftover of a retried upload under a's prefix: not in its manifest, but one of its objects.
  await run.store.put(`${a}/inventory.sqlite.upload-1`, utf8('half of an earlier upload'));

  const result = await applyRetention(run.store, 'inventory', { daily: 3, weekly: 2 });
  expectEqual(
    { kept: short(result.kept), deleted: short(result.deleted), unverified: result.unverified },
    { kept: short([d, f, g]), deleted: short([a, b, c, e]), unverified: [] },
    'with { daily: 3, weekly: 2 }: the 3 newest UTC days that have a backup (Wed 16, Mon 14, Sun 6 Dec) and the 2 newest weeks that have one (14 Dec: Wed 16; 30 Nov: Sun 6 Dec 23:30)',
  );
  const left = await run.store.list('inventory/');
  expectEqual(left.filter((key) => key.startsWith(`${a}/`)), [], `every object of a deleted backup goes, also one its manifest does not list; the store holds ${left.join(', ')}`);

  await flipByte(run.store, partKey(g, 'inventory.sqlite'));
  const none = await applyRetention(run.store, 'inventory', { daily: 0, weekly: 0 });
  expectEqual(
    { kept: short(none.kept), deleted: short(none.deleted), unverified: short(none.unverified) },
    { kept: short([f]), deleted: short([d]), unverified: short([g]) },
    'with { daily: 0, weekly: 0 } and the newest backup (g, 16 Dec) damaged: the newest GOOD backup (f, Mon 14 Dec 10:30) is kept anyway, the damaged one is left alone',
  );

  await flipByte(run.store, partKey(f, 'inventory.sqlite'));
  const bad = await applyRetention(run.store, 'inventory', { daily: 3, weekly: 2 }).catch(describeOutcome);
  expectEqual(
    typeof bad === 'string' ? bad : { kept: bad.kept, deleted: bad.deleted, unverified: short(bad.unverified) },
    { kept: [], deleted: [], unverified: short([f, g]) },
    'when no backup verifies (f and g are left, both damaged): nothing is kept, nothing is deleted, both are reported',
  );
});

test('planRetention gives the same plan whatever order the backups come in', { task: 4, points: 1 }, () => {
  const at = (day: number, hour: number) => Date.UTC(2026, 10, day, hour);
  const info = (day: number, hour: number): BackupInfo => ({ id: `inventory/${iso(at(day, hour)).replaceAll(':', '-')}`, takenAt: at(day, hour), verified: true });
  const [a, b, c, d, e] = [info(23, 2), info(23, 20), info(25, 2), info(30, 2), info(31, 2)] as const; // Mon 23, Mon 23 20:00, Wed 25, Mon 30 Nov, Tue 1 Dec
  const damaged: BackupInfo = { id: 'inventory/2026-11-29T02-00-00Z', takenAt: undefined, verified: false };
  const expected = { keep: [c.id, d.id, e.id], remove: [a.id, b.id] };
  for (const order of [[a, b, damaged, c, d, e], [e, d, damaged, c, b, a], [c, e, a, damaged, d, b]]) {
    const plan = (() => {
      try {
        return planRetention(order, { daily: 2, weekly: 2 });
      } catch (error) {
        return describeOutcome(error);
      }
    })();
    expectEqual(
      plan,
      expected,
      `planRetention of backups in the order ${order.map((x) => x.id.slice(10, 23)).join(', ')} with { daily: 2, weekly: 2 }: keep the 2 newest days (1 Dec, 30 Nov) and the newest of the 2 newest weeks (30 Nov-6 Dec: 1 Dec; 23-29 Nov: Wed 25), oldest first; the unverified one in neither list`,
    );
  }
});
