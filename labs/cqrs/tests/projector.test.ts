import { sqlite } from 'labkit/db';
import { clearFaults, crashOnWrite, SimulatedCrash, SimulatedFailure } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, test } from 'labkit/test';
import { CustomerOrdersProjector } from '../src/customer-orders.ts';
import { checkpointOf, ControlledReader, expectView, History, lines, openRoles, pastHistory, runUntilPaused, TIMES, viewRows } from './helpers.ts';

async function shop() {
  const { writeDb, reader } = await openRoles();
  const h = await History.open(writeDb);
  await pastHistory(h);
  return { h, reader, store: await sqlite() };
}

test('catchUp builds "My orders" from the whole history, in batches, across gaps in the positions', { task: 2, points: 6 }, async () => {
  const { h, reader, store } = await shop();
  const projector = new CustomerOrdersProjector(reader, store, { batchSize: 4 });
  projector.init();
  expect(projector.position(), 'position() of a new projector').toBe(0);
  expect(await projector.step(), 'step(): one batch of at most batchSize (4) changes').toBe(4);
  expect(projector.position(), 'position() after one batch: the position of its last change').toBe(h.written[3]!.position);
  expect(await projector.catchUp(), `catchUp(): the ${h.written.length - 4} changes left`).toBe(h.written.length - 4);
  expectView(store, h, 'after catchUp over the past (12 orders in five time zones, two grand pianos, gaps in the feed)');
  expect(projector.position(), 'position() after catchUp: the last change\'s position (not how many changes there were)').toBe(h.head);
  expect(checkpointOf(store, 'customer_orders'), 'the checkpoints row customer_orders').toBe(h.head);
  expect(await projector.catchUp(), 'catchUp() with nothing new').toBe(0);

  const ids = [...h.orders.keys()];
  await h.gap(4);
  await h.set(ids[1]!, 'paid');
  await h.place('maya', TIMES[3]!, lines([3, 1], [1, 5]));
  await h.set(ids[1]!, 'shipped');
  expect(await projector.catchUp(), 'catchUp() after three more commands').toBe(3);
  expectView(store, h, 'after three more commands');
  expect(projector.position(), 'position() after them').toBe(h.head);
});

test('a restarted projector carries on from its checkpoint, also on a store opened again from its file', { task: 2, points: 3 }, async () => {
  const { h, reader, store } = await shop();
  const first = new CustomerOrdersProjector(reader, store, { batchSize: 5 });
  first.init();
  await first.step();
  await first.step();
  const reopened = await sqlite(store.export());
  const restarted = new CustomerOrdersProjector(reader, reopened, { batchSize: 5 });
  restarted.init(); // init on a store that already holds the view keeps it
  expect(restarted.position(), 'position() of a projector restarted after two batches').toBe(h.written[9]!.position);
  expect(await restarted.catchUp(), 'catchUp() of the restarted projector: only the changes after its checkpoint').toBe(h.written.length - 10);
  expectView(reopened, h, 'after the restarted projector caught up');
});

test('a crash at any write of a batch, or between its reads, then catchUp again: the view equals the write model', { task: 2, points: 8 }, async () => {
  const { h, reader, store } = await shop();
  const controlled = new ControlledReader(reader);
  const ids = [...h.orders.keys()];
  let caught = 0;
  // A crash at write n of catching up over the whole past, in a new store each time.
  for (let n = 1; n <= 200; n += n < 12 ? 1 : Math.ceil(n / 4)) {
    const fresh = await sqlite();
    const projector = new CustomerOrdersProjector(controlled, fresh, { batchSize: 5 });
    projector.init();
    crashOnWrite(fresh, n);
    const outcome = await projector.catchUp().then((v) => v, (e: unknown) => e);
    clearFaults(fresh);
    if (!(outcome instanceof SimulatedCrash)) {
      expect(typeof outcome, `catchUp() with a crash set at its write ${n}, which it never reached: ${describeOutcome(outcome)}`).toBe('number');
      expectView(fresh, h, `after a catchUp whose writes all went through`);
      break;
    }
    caught += 1;
    const restarted = new CustomerOrdersProjector(controlled, fresh, { batchSize: 5 });
    restarted.init();
    await restarted.catchUp();
    expectView(fresh, h, `after a crash at write ${n} of catchUp, a restart and catchUp again`);
    expect(restarted.position(), `position() after the crash at write ${n} and catching up`).toBe(h.head);
  }
  expect(caught > 5, 'catchUp over the past makes more than five writes').toBe(true);
  const first = new CustomerOrdersProjector(controlled, store);
  first.init();
  await first.catchUp();

  // The connection to PostgreSQL fails at the first, second or third query: between the reads of a batch.
  for (let k = 1; k <= 3; k++) {
    await h.set(ids[(k * 3) % ids.length]!, 'cancelled');
    await h.place('maya', TIMES[k]!, lines([k, k]));
    const before = viewRows(store);
    const at = checkpointOf(store, 'customer_orders');
    const projector = new CustomerOrdersProjector(controlled, store, { batchSize: 1 });
    projector.init();
    controlled.failOn(k);
    const outcome = await projector.catchUp().then((v) => v, (e: unknown) => e);
    controlled.failOn(0);
    if (outcome instanceof SimulatedFailure) {
      // Whatever the batch wrote must be whole: the view and checkpoint of a finished batch, or none.
      const nowAt = checkpointOf(store, 'customer_orders');
      if (nowAt === at) expectEqual(viewRows(store), before, `the view after read ${k} of a batch failed, with the checkpoint unmoved`);
    }
    await projector.catchUp();
    expectView(store, h, `after the read role's query ${k} failed during catchUp, then catchUp again`);
  }
});

test('an older batch applied again changes nothing: no row goes back to an older version, and the checkpoint never goes back', { task: 2, points: 8 }, async () => {
  const { h, reader, store } = await shop();
  const init = new CustomerOrdersProjector(reader, store);
  init.init();
  await init.catchUp();
  const ids = [...h.orders.keys()].filter((id) => h.orders.get(id)!.status === 'placed');

  // The same changes applied twice: the checkpoint is set back by hand, as a restored backup would.
  const caughtUp = viewRows(store);
  store.run("UPDATE checkpoints SET position = 0 WHERE projector = 'customer_orders'");
  expect(await init.catchUp(), 'catchUp() from position 0 over a view that already holds everything').toBe(h.written.length);
  expectEqual(viewRows(store), caughtUp, 'the view after every change was applied a second time');

  // Two projector instances overlap: A reads a batch, the orders change, B catches up, and A writes what it read.
  for (let pauseAt = 1; pauseAt <= 3; pauseAt++) {
    const first = ids[pauseAt]!;
    const second = ids[pauseAt + 3]!;
    await h.set(first, 'paid');
    await h.place('東京-ken', TIMES[pauseAt]!, lines([pauseAt, 2]));
    const slow = new ControlledReader(reader);
    const a = new CustomerOrdersProjector(slow, store, { batchSize: 50 });
    const b = new CustomerOrdersProjector(reader, store, { batchSize: 50 });
    a.init();
    b.init();
    slow.pauseAfter(pauseAt);
    const running = a.step(); // one batch: what it read before B caught up
    const state = await runUntilPaused(slow, running);
    await h.set(first, 'shipped');
    await h.set(second, 'cancelled');
    await b.catchUp();
    const newest = viewRows(store);
    const at = b.position();
    slow.resume();
    await running;
    const where = `projector A paused after its query ${pauseAt} (${state}), the orders changed, projector B caught up, then A went on`;
    for (const row of viewRows(store)) {
      const was = newest.find((r) => r.order_id === row.order_id);
      if (was && row.version < was.version) expectEqual(row, was, `${where}: order ${row.order_id} went back from version ${was.version} to ${row.version}`);
    }
    expect(a.position() >= at, `${where}: the checkpoint is ${a.position()}, it was ${at} after B\n  expected: it never goes back`).toBe(true);
    await a.catchUp();
    expectView(store, h, `${where}, and A caught up`);
  }
});
