import { createClock, type Clock } from 'labkit/clock';
import { pgSchema } from 'labkit/db';
import { expect, test } from 'labkit/test';
import { FencedError, NodeDownError, readChangeLog, type OrdersNode } from '../src/orders.ts';
import { FailoverController, Replica } from '../src/replication.ts';
import { ORDERS_TARGETS } from '../src/targets.ts';
import { ChangeLogGapError } from '../src/types.ts';
import { expectEqual, modelOf, ordersNode, outcome, seedOrders, SECOND, T0, tablesOf } from './helpers.ts';

async function newReplica(): Promise<Replica> {
  const replica = new Replica('orders_replica', await pgSchema('orders_replica'));
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

test('the replica applies the log in order, once, notices gaps and resumes after a restart', { task: 6, points: 5 }, async () => {
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

  const gap = await replica.apply([log[6]!]).then(outcome, (e: unknown) => e);
  expect(gap, `applying LSN 7 to a replica at LSN 5 should throw a ChangeLogGapError; ${outcome(gap)}`).toBeInstanceOf(ChangeLogGapError);
  expectEqual({ expectedLsn: (gap as ChangeLogGapError).expectedLsn, foundLsn: (gap as ChangeLogGapError).foundLsn }, { expectedLsn: 6, foundLsn: 7 }, 'the LSNs in the error');
  expectEqual(await replica.position(), { lsn: 5, at: T0 + 5 * SECOND }, 'position() after the refused entry: still LSN 5');

  // The replica's process restarts: a new Replica on the same schema knows where it was.
  const restarted = new Replica('orders_replica', await pgSchema('orders_replica'));
  await restarted.init();
  expect(await restarted.apply([log[6]!, log[5]!]), 'after a restart, apply(LSN 7, LSN 6) applies both, in LSN order').toBe(2);
  expectEqual(await tablesOf(restarted.db), await tablesOf(primary.db), 'the replica after LSN 7: the same rows as the primary');
  expectEqual(await readChangeLog(restarted.db, 0), log, "the replica's change_log: the primary's entries, so a promoted replica numbers on from there");
});

test('fails over within the targets: promotes after 3 failed checks, routes writes, fences the old primary', { task: 6, points: 6 }, async () => {
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
  const during = await controller.writer().placeOrder('o-04', 'dave', mug).then(outcome, outcome);
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

  const writer: OrdersNode = controller.writer();
  expect(writer.name, 'writes now go to the promoted replica').toBe('orders_replica');
  expect(await writer.placeOrder('o-04', 'dave', mug), 'the first write on the new primary continues the log at LSN 4').toBe(4);
  expectEqual((await tablesOf(replica.db)).orders.map((o) => `${String(o.id)}:${String(o.status)}`), ['o-01:paid', 'o-02:placed', 'o-04:placed'], 'the orders on the new primary');

  primary.restart();
  const zombie = await primary.placeOrder('o-05', 'erin', mug).then(outcome, (e: unknown) => e);
  expect(zombie, `the old primary came back: it must refuse writes with FencedError, or the shop has two primaries; ${outcome(zombie)}`).toBeInstanceOf(FencedError);
});

test('a replica that lags too far: the failover still happens and the report shows both targets missed', { task: 6, points: 5 }, async () => {
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
  const error = await primary.changesSince(0).then(outcome, (e: unknown) => e);
  expect(error, 'the old primary is still down').toBeInstanceOf(NodeDownError);
});
