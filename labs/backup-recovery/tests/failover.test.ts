import { createClock, type Clock } from 'labkit/clock';
import { pgErrorCode, pgSchema } from 'labkit/db';
import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, expectInstanceOf, test } from 'labkit/test';
import { FencedError, NodeDownError, readChangeLog, type OrdersNode } from '../src/orders.ts';
import { FailoverController, Replica } from '../src/replication.ts';
import { ORDERS_TARGETS } from '../src/targets.ts';
import { ChangeLogGapError } from '../src/types.ts';
import { modelOf, ordersNode, seedOrders, SECOND, summary, T0, tablesOf } from './helpers.ts';

async function newReplica(name = 'orders_replica'): Promise<Replica> {
  const replica = new Replica(name, await pgSchema(name));
  await replica.init();
  return replica;
}

const mug = [{ sku: 'MUG', quantity: 1, priceCents: 1250 }];

/** Moves the clock to T0 + `ms` and lets the health checks that came due finish. */
function timeline(clock: Clock, controller: FailoverController) {
  return async (ms: number) => {
    await clock.advance(T0 + ms - clock.now());
    await controller.idle();
  };
}

test('the replica applies the log in order, once, notices gaps and resumes after a restart', { task: 6, points: 3 }, async () => {
  const clock = createClock(T0);
  const primary = await ordersNode(clock);
  await seedOrders(primary, clock);
  const log = await primary.changesSince(0);
  const replica = await newReplica();

  expect(await replica.apply(log.slice(0, 3)), 'apply(LSN 1-3) to a new replica applies 3').toBe(3);
  expect(await replica.apply(log.slice(0, 5)), 'apply(LSN 1-5) after that applies only 4 and 5').toBe(2);
  expect(await replica.apply(log.slice(0, 5)), 'apply(LSN 1-5) again applies nothing').toBe(0);
  expectEqual(await tablesOf(replica.db), modelOf(log, (e) => e.lsn <= 5), 'the replica after LSN 1 to 5');
  expectEqual(await replica.position(), { lsn: 5, at: T0 + 5 * SECOND }, 'position() after LSN 5');

  const gap = await replica.apply([log[6]!]).catch((e: unknown) => e);
  expectInstanceOf(gap, ChangeLogGapError, 'applying LSN 7 to a replica at LSN 5 should throw a ChangeLogGapError');
  expectEqual({ expectedLsn: (gap as ChangeLogGapError).expectedLsn, foundLsn: (gap as ChangeLogGapError).foundLsn }, { expectedLsn: 6, foundLsn: 7 }, 'the LSNs in the error');
  expectEqual(await replica.position(), { lsn: 5, at: T0 + 5 * SECOND }, 'position() after the refused entry: still LSN 5');

  // The replica's process restarts: a new Replica on the same schema knows where it was.
  const restarted = new Replica('orders_replica', await pgSchema('orders_replica'));
  await restarted.init();
  expect(await restarted.apply([log[6]!, log[5]!]), 'after a restart, apply(LSN 7, LSN 6) applies both, in LSN order').toBe(2);
  expectEqual(await tablesOf(restarted.db), await tablesOf(primary.db), 'the replica after LSN 7: the same rows as the primary');
  expectEqual(await readChangeLog(restarted.db, 0), log, "the replica's change_log: the primary's entries, so a promoted replica numbers on from there");
});

test('fails over within the targets: promotes after 3 failed checks, routes writes, fences the old primary', { task: 6, points: 3 }, async () => {
  const clock = createClock(T0);
  const primary = await ordersNode(clock);
  const replica = await newReplica();
  const controller = new FailoverController({ primary, replica, clock, targets: ORDERS_TARGETS, checkEveryMs: 5 * SECOND, failuresBeforePromotion: 3 });
  controller.start();
  const at = timeline(clock, controller);

  await at(1 * SECOND);
  await primary.placeOrder('o-01', 'alice', mug);
  await at(2 * SECOND);
  await primary.placeOrder('o-02', 'bob', mug);
  await at(3 * SECOND);
  await primary.payOrder('o-01');
  await replica.pull(primary); // LSN 1 to 3 reach the replica
  await at(4.5 * SECOND);
  primary.crash(); // a blip: the check at 5 s fails...
  await at(6 * SECOND);
  primary.restart(); // ...and the one at 10 s passes
  await at(8 * SECOND);
  await primary.placeOrder('o-03', 'carol', mug); // LSN 4, never replicated
  await at(9 * SECOND);
  await primary.cancelOrder('o-02'); // LSN 5, never replicated
  await at(11 * SECOND);
  primary.crash(); // for good

  await at(20 * SECOND);
  expect(controller.report, 'at 20 s only two checks in a row (15 s, 20 s) have failed (the blip at 5 s was followed by a good check): no failover yet').toBeUndefined();
  const during = await controller.writer().placeOrder('o-04', 'dave', mug).then(describeOutcome, describeOutcome);
  expect(during, 'a write during the outage, before the promotion, fails with NodeDownError').toMatch(/^it threw NodeDownError/);

  await at(30 * SECOND);
  expectEqual(
    controller.report,
    {
      oldPrimary: 'orders',
      newPrimary: 'orders_replica',
      lastHealthyAt: T0 + 10 * SECOND,
      promotedAt: T0 + 25 * SECOND,
      rtoMs: 15 * SECOND,
      recoveredLsn: 3,
      recoveredTo: T0 + 3 * SECOND,
      lostWrites: 2,
      lostWindow: { from: T0 + 8 * SECOND, to: T0 + 9 * SECOND },
      rpoMs: 6 * SECOND,
      rpoMet: true,
      rtoMet: true,
    },
    'the failover report (checks at 15, 20 and 25 s failed; the replica had LSN 1-3; the old primary acknowledged LSN 4 and 5 at 8 s and 9 s)',
  );

  expect(clock.pending(), 'after the promotion no health check is scheduled any more: promote() stops the checks').toBe(0);
  const writer: OrdersNode = controller.writer();
  expect(writer.name, 'writes now go to the promoted replica').toBe('orders_replica');
  expect(await writer.placeOrder('o-04', 'dave', mug), 'the first write on the new primary continues the log at LSN 4').toBe(4);
  expectEqual((await tablesOf(replica.db)).orders.map((o) => `${String(o.id)}:${String(o.status)}`), ['o-01:paid', 'o-02:placed', 'o-04:placed'], 'the orders on the new primary');

  primary.restart();
  const zombie = await primary.placeOrder('o-05', 'erin', mug).catch((e: unknown) => e);
  expectInstanceOf(zombie, FencedError, 'the old primary came back: it must refuse writes with FencedError, or the shop has two primaries');
});

test('a replica that lags too far: the failover still happens and the report shows both targets missed', { task: 6, points: 2 }, async () => {
  const clock = createClock(T0);
  const primary = await ordersNode(clock);
  const replica = await newReplica();
  const controller = new FailoverController({ primary, replica, clock, targets: ORDERS_TARGETS, checkEveryMs: 5 * SECOND, failuresBeforePromotion: 8 });
  controller.start();
  const at = timeline(clock, controller);

  // An order every 20 seconds; the replica's link broke after the first one.
  for (let n = 1; n <= 9; n++) {
    await at(n * 20 * SECOND);
    await primary.placeOrder(`o-0${n}`, 'alice', mug);
    if (n === 1) await replica.pull(primary);
  }
  await at(181 * SECOND);
  primary.crash();
  await at(230 * SECOND);

  expectEqual(
    controller.report,
    {
      oldPrimary: 'orders',
      newPrimary: 'orders_replica',
      lastHealthyAt: T0 + 180 * SECOND,
      promotedAt: T0 + 220 * SECOND,
      rtoMs: 40 * SECOND,
      recoveredLsn: 1,
      recoveredTo: T0 + 20 * SECOND,
      lostWrites: 8,
      lostWindow: { from: T0 + 40 * SECOND, to: T0 + 180 * SECOND },
      rpoMs: 160 * SECOND,
      rpoMet: false,
      rtoMet: false,
    },
    `the failover report against the targets (RPO ${ORDERS_TARGETS.rpoMs / 1000} s, RTO ${ORDERS_TARGETS.rtoMs / 1000} s): 8 checks to promote, a replica 8 orders behind`,
  );
  expect(controller.writer().name, 'missing the targets is reported, not a reason to stay down: the replica serves').toBe('orders_replica');
  const error = await primary.changesSince(0).then(describeOutcome, (e: unknown) => e);
  expect(error, 'the old primary is still down').toBeInstanceOf(NodeDownError);
});

test('pulls and applies that race, and crashes inside an entry, never put the replica out of step with its log', { task: 6, points: 4, timeoutMs: 15_000 }, async () => {
  const clock = createClock(T0);
  const primary = await ordersNode(clock);
  await seedOrders(primary, clock);
  const log = await primary.changesSince(0);

  // Three deliveries at once: a pull, an overlapping batch with a copy of LSN 2, and the whole log backwards.
  const racing = await newReplica('orders_racing');
  const counts = await Promise.all([racing.pull(primary), racing.apply([...log.slice(0, 4), log[1]!]), racing.apply([...log].reverse())]).catch(describeOutcome);
  expect(Array.isArray(counts) ? counts.reduce((a, b) => a + b, 0) : counts, 'a pull, apply(LSN 1-4 and a second copy of 2) and apply(LSN 7 down to 1) at the same time: between them they apply each of the 7 entries exactly once').toBe(7);
  expectEqual(await readChangeLog(racing.db, 0), log, "the racing replica's change_log: each entry once");
  expectEqual(await tablesOf(racing.db), await tablesOf(primary.db), 'the racing replica: the same rows as the primary');

  // The replica's process dies at its 1st, 2nd, ... write from where it is; after each crash its
  // tables must be exactly what its change_log says it has applied.
  const replica = await newReplica();
  let crashes = 0;
  for (let i = 0; i < 80; i++) {
    const n = (i % 5) + 1;
    crashOnWrite(replica.db, n);
    const result = await replica.pull(primary).catch((e: unknown) => e);
    clearFaults(replica.db);
    const position = await replica.position();
    const applied = await readChangeLog(replica.db, 0);
    expectEqual(applied, log.slice(0, position.lsn), `after a pull that ${result instanceof SimulatedCrash ? `crashed at its write ${n}` : 'finished'}: the replica's change_log holds LSN 1 to ${position.lsn}`);
    const tables = await tablesOf(replica.db);
    expectEqual(tables, modelOf(log, (e) => e.lsn <= position.lsn), `after a pull that ${result instanceof SimulatedCrash ? `crashed at its write ${n}` : 'finished'}: the replica's rows should be those of LSN 1 to ${position.lsn}, the entries its change_log holds (an entry's changes and its change_log row commit together); it holds ${summary(tables)}`);
    if (result instanceof SimulatedCrash) {
      crashes += 1;
      continue;
    }
    expect(result instanceof Error ? describeOutcome(result) : position.lsn, 'a pull after the crashes should bring the replica to LSN 7').toBe(7);
    break;
  }
  expect(crashes, 'test setup: some pulls should have crashed').toBeGreaterThan(5);
});

test('a failover that loses nothing reports an RPO of 0, and meets a target it hits exactly', { task: 6, points: 3 }, async () => {
  type Scenario = { lose: boolean; targets: { rpoMs: number; rtoMs: number }; prefix: string };
  const failover = async ({ lose, targets, prefix }: Scenario) => {
    const clock = createClock(T0);
    const primary = await ordersNode(clock, `${prefix}_primary`);
    const replica = await newReplica(`${prefix}_replica`);
    const controller = new FailoverController({ primary, replica, clock, targets, checkEveryMs: 5 * SECOND, failuresBeforePromotion: 2 });
    controller.start();
    const at = timeline(clock, controller);
    await at(1 * SECOND);
    await primary.placeOrder('o-41', 'zoë', mug);
    await at(2 * SECOND);
    await primary.placeOrder('o-42', '東京', mug);
    await replica.pull(primary); // LSN 1 and 2
    if (lose) {
      await at(3 * SECOND);
      await primary.payOrder('o-41'); // LSN 3, never replicated
      await at(4 * SECOND);
      await primary.cancelOrder('o-42'); // LSN 4, never replicated
    }
    await at(6 * SECOND);
    primary.crash(); // after the good check at 5 s; the checks at 10 s and 15 s fail
    await at(20 * SECOND);
    return controller.report;
  };

  const caughtUp = await failover({ lose: false, targets: { rpoMs: 0, rtoMs: 10 * SECOND }, prefix: 'nolag' });
  expectEqual(
    caughtUp,
    {
      oldPrimary: 'nolag_primary',
      newPrimary: 'nolag_replica',
      lastHealthyAt: T0 + 5 * SECOND,
      promotedAt: T0 + 15 * SECOND,
      rtoMs: 10 * SECOND,
      recoveredLsn: 2,
      recoveredTo: T0 + 2 * SECOND,
      lostWrites: 0,
      lostWindow: null,
      rpoMs: 0,
      rpoMet: true,
      rtoMet: true,
    },
    'a replica that had every write, targets { rpoMs: 0, rtoMs: 10000 }: nothing lost is an RPO of 0, and an RPO of 0 and an RTO of exactly 10 s meet those targets (at most, not less than)',
  );

  const lagging = await failover({ lose: true, targets: { rpoMs: 2 * SECOND, rtoMs: 10 * SECOND - 1 }, prefix: 'lag' });
  expectEqual(
    lagging && { lostWrites: lagging.lostWrites, lostWindow: lagging.lostWindow, rpoMs: lagging.rpoMs, rtoMs: lagging.rtoMs, rpoMet: lagging.rpoMet, rtoMet: lagging.rtoMet },
    { lostWrites: 2, lostWindow: { from: T0 + 3 * SECOND, to: T0 + 4 * SECOND }, rpoMs: 2 * SECOND, rtoMs: 10 * SECOND, rpoMet: true, rtoMet: false },
    "two writes lost, targets { rpoMs: 2000, rtoMs: 9999 } (this controller's targets, not ORDERS_TARGETS): an RPO of exactly 2 s is met, an RTO of 10 s misses 9999 ms",
  );
});

test('an error that is not NodeDownError is no outage: no failure counted, no promotion, and idle() rejects with it', { task: 6, points: 2 }, async () => {
  const clock = createClock(T0);
  const primary = await ordersNode(clock, 'broken_primary');
  const replica = await newReplica('broken_replica');
  await primary.db.exec('DROP TABLE change_log'); // a migration gone wrong: the primary is up, but ping's query fails
  const controller = new FailoverController({ primary, replica, clock, targets: ORDERS_TARGETS, checkEveryMs: 5 * SECOND, failuresBeforePromotion: 1 });
  controller.start();
  await clock.advance(5 * SECOND);
  const settled = await controller.idle().then(() => 'idle() resolved', (e: unknown) => e);
  controller.stop();
  expect(pgErrorCode(settled) ?? describeOutcome(settled), "the check at 5 s: ping failed with PostgreSQL's 42P01 (change_log is gone), not NodeDownError; check should let that error through, so idle() rejects with it").toBe('42P01');
  expect(controller.report, 'one failed check would promote here (failuresBeforePromotion: 1), but a database error is not the primary being down: no failover').toBeUndefined();
  expect(controller.writer().name, 'writes still go to the primary').toBe('broken_primary');
});
