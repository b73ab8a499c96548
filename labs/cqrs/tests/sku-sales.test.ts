import { sqlite } from 'labkit/db';
import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, test } from 'labkit/test';
import { CustomerOrdersProjector } from '../src/customer-orders.ts';
import { SkuSalesProjector } from '../src/sku-sales.ts';
import { checkpointOf, ControlledReader, CUSTOMERS, expectedView, expectSales, expectView, givenView, History, lines, openRoles, pastHistory, runUntilPaused, salesRows, TIMES, viewRows } from './helpers.ts';

async function shop() {
  const { writeDb, reader } = await openRoles();
  const h = await History.open(writeDb);
  await pastHistory(h);
  return { h, reader, store: await sqlite() };
}

test('a read model added later is built from the whole history, beside the view the store already holds', { task: 5, points: 6 }, async () => {
  const { h, reader, store } = await shop();
  // The read store already serves "My orders", at position 9.
  const existing = expectedView(h).slice(0, 5);
  givenView(store, existing, 9);
  const sales = new SkuSalesProjector(reader, store, { batchSize: 4 });
  sales.init();
  expect(sales.position(), 'position() of the new read model').toBe(0);
  expect(await sales.step(), 'step() of the new read model: one batch of at most batchSize (4) changes').toBe(4);
  expect(await sales.catchUp(), 'catchUp() of the new read model over the rest of the history').toBe(h.written.length - 4);
  expectSales(store, h, 'after the new read model caught up (cancelled orders do not count; a sku whose every order was cancelled has no row)');
  expect(sales.position(), 'position() after catchUp').toBe(h.head);
  expectEqual(viewRows(store), existing, 'customer_orders, which the new read model must leave alone');
  expect(checkpointOf(store, 'customer_orders'), "the customer_orders checkpoint, which the new read model must leave alone").toBe(9);

  const ids = [...h.orders.keys()];
  const paid = ids.find((id) => h.orders.get(id)!.status === 'paid')!;
  await h.set(paid, 'cancelled');
  await h.place('zoë', TIMES[2]!, lines([2, 3], [3, 1]));
  await h.gap(2);
  const restarted = new SkuSalesProjector(reader, await sqlite(store.export()));
  restarted.init();
  expect(restarted.position(), 'position() of the new read model restarted on its store').toBe(h.written[h.written.length - 3]!.position);
  const again = new SkuSalesProjector(reader, store);
  again.init();
  expect(await again.catchUp(), 'catchUp() after a cancellation and a new order').toBe(2);
  expectSales(store, h, 'after a paid order was cancelled and a new one placed');
});

test('a crash at any write, a replay or an overlapping older batch never counts an order twice', { task: 5, points: 6 }, async () => {
  const { h, reader, store } = await shop();
  let crashes = 0;
  for (let n = 1; n <= 400; n += n < 12 ? 1 : Math.ceil(n / 4)) {
    const fresh = await sqlite();
    const projector = new SkuSalesProjector(reader, fresh, { batchSize: 5 });
    projector.init();
    crashOnWrite(fresh, n);
    const outcome = await projector.catchUp().then((v) => v, (e: unknown) => e);
    clearFaults(fresh);
    if (!(outcome instanceof SimulatedCrash)) {
      expect(typeof outcome, `catchUp() with a crash set at write ${n}, which it never reached: ${describeOutcome(outcome)}`).toBe('number');
      expectSales(fresh, h, 'after a catchUp whose writes all went through');
      break;
    }
    crashes += 1;
    const restarted = new SkuSalesProjector(reader, fresh, { batchSize: 5 });
    restarted.init();
    await restarted.catchUp();
    expectSales(fresh, h, `after a crash at write ${n} of catchUp over the whole history, a restart and catchUp again`);
  }
  expect(crashes > 5, 'catchUp of the whole history makes more than five writes').toBe(true);
  const first = new SkuSalesProjector(reader, store);
  first.init();
  await first.catchUp();
  expectSales(store, h, 'after catching up');

  // A replay: the checkpoint set back by hand to 0, so every change comes again.
  store.run("UPDATE checkpoints SET position = 0 WHERE projector = 'sku_sales'");
  const replay = new SkuSalesProjector(reader, store, { batchSize: 7 });
  replay.init();
  await replay.catchUp();
  expectSales(store, h, 'after every change was applied a second time');

  // Overlap: A reads a batch, an order is cancelled and another placed, B catches up, then A writes what it read.
  for (let pauseAt = 1; pauseAt <= 3; pauseAt++) {
    const placed = await h.place('maya', TIMES[pauseAt]!, lines([pauseAt, 2], [0, 1]));
    const slow = new ControlledReader(reader);
    const a = new SkuSalesProjector(slow, store);
    const b = new SkuSalesProjector(reader, store);
    a.init();
    b.init();
    slow.pauseAfter(pauseAt);
    const running = a.step(); // one batch: what it read before B caught up
    const state = await runUntilPaused(slow, running);
    await h.set(placed.orderId, 'cancelled');
    await h.place('zoë', TIMES[0]!, lines([4, 1]));
    await b.catchUp();
    slow.resume();
    await running;
    const where = `A paused after its query ${pauseAt} (${state}), an order was cancelled and one placed, B caught up, then A went on`;
    expectSales(store, h, where);
    expect(a.position() >= b.position(), `${where}: A's checkpoint ${a.position()} went back below ${b.position()}`).toBe(true);
  }
});

test('writes go on while the new read model catches up: both read models end equal to the write model', { task: 5, points: 6 }, async () => {
  const { h, reader, store } = await shop();
  const orders = new CustomerOrdersProjector(reader, store, { batchSize: 10 });
  orders.init();
  await orders.catchUp();
  // Lots of history before the new read model starts.
  for (let i = 0; i < 30; i++) await h.place(CUSTOMERS[i % 4]!, TIMES[i % 5]!, lines([i % 5, 1 + (i % 3)], [(i + 3) % 5, 1]));
  const sales = new SkuSalesProjector(reader, store, { batchSize: 3 });
  sales.init();
  let steps = 0;
  let writes = 0;
  const ids = () => [...h.orders.keys()];
  for (let n = await sales.step(); steps < 40 || (n > 0 && steps < 300); n = await sales.step()) {
    steps += 1;
    if (steps > 40) continue;
    // Commands go on between its batches, and "My orders" keeps up on its own.
    const all = ids();
    const o = h.orders.get(all[(steps * 7) % all.length]!)!;
    if (o.status === 'placed') await h.set(o.id, steps % 2 === 0 ? 'paid' : 'cancelled');
    else if (o.status === 'paid') await h.set(o.id, steps % 3 === 0 ? 'cancelled' : 'shipped');
    else await h.place(CUSTOMERS[steps % 4]!, TIMES[steps % 5]!, lines([steps % 5, 2]));
    writes += 1;
    if (steps % 4 === 0) await orders.catchUp();
  }
  await sales.catchUp();
  await orders.catchUp();
  expect(writes > 20, 'commands made while the new read model caught up').toBe(true);
  expectSales(store, h, `after the new read model caught up while ${writes} commands went on`);
  expectView(store, h, '"My orders" after the same commands');
  expect(sales.position(), 'the new read model\'s position()').toBe(h.head);
  expect(orders.position(), "the customer_orders projector's position()").toBe(h.head);
  expect(Object.keys(salesRows(store)).length > 0, 'sku_sales has rows').toBe(true);
});
