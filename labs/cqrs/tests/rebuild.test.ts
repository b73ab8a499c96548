import { sqlite } from 'labkit/db';
import { clearFaults, crashOnWrite, scheduleSeeds, seededRandom, SimulatedCrash, withSeed } from 'labkit/faults';
import { expect, expectEqual, test } from 'labkit/test';
import { CustomerOrdersProjector } from '../src/customer-orders.ts';
import { CUSTOMERS, ControlledReader, expectView, History, lines, openRoles, pastHistory, runUntilPaused, TIMES, viewRows } from './helpers.ts';

async function shop() {
  const { writeDb, reader } = await openRoles();
  const h = await History.open(writeDb);
  await pastHistory(h);
  return { h, reader, store: await sqlite() };
}

test('rebuild from position 0 gives exactly the view that incremental updates built, and repairs a view that drifted', { task: 3, points: 8 }, async () => {
  const { h, reader, store } = await shop();
  // Incrementally: batches of different sizes while the orders keep changing.
  const ids = [...h.orders.keys()];
  for (let round = 1; round <= 6; round++) {
    const projector = new CustomerOrdersProjector(reader, store, { batchSize: round });
    projector.init();
    await projector.step();
    await h.place(CUSTOMERS[round % 4]!, TIMES[round % 5]!, lines([round % 5, round]));
    const id = ids[(round * 5) % ids.length]!;
    if (h.orders.get(id)!.status === 'placed') await h.set(id, 'paid');
    await projector.step();
  }
  const incremental = new CustomerOrdersProjector(reader, store, { batchSize: 3 });
  incremental.init();
  await incremental.catchUp();
  const built = viewRows(store);
  expectView(store, h, 'the view built incrementally');

  // A new read store built from position 0 holds the same rows.
  const fresh = await sqlite();
  const fromZero = new CustomerOrdersProjector(reader, fresh, { batchSize: 100 });
  fromZero.init();
  await fromZero.catchUp();
  expectEqual(viewRows(fresh), built, 'a view built from position 0 in a new store, against the one built incrementally');

  // rebuild() on the same store gives the same rows and ends at the head of the feed.
  await incremental.rebuild();
  expectEqual(viewRows(store), built, 'the view after rebuild(), against the one built incrementally');
  expect(incremental.position(), 'position() after rebuild()').toBe(h.head);

  // The view drifted (a bad script, a half-restored backup): rebuild repairs it.
  const [x, y, z] = built;
  store.run('DELETE FROM customer_orders WHERE order_id = ?', [x!.order_id]);
  store.run('UPDATE customer_orders SET total_cents = total_cents + 1, item_count = 99 WHERE order_id = ?', [y!.order_id]);
  store.run("UPDATE customer_orders SET status = 'shipped', placed_at = '1970-01-01T00:00:00.000Z' WHERE order_id = ?", [z!.order_id]);
  store.run("INSERT INTO customer_orders VALUES (7, 'ghost', 'placed', 1, 100, '2026-01-01T00:00:00.000Z', 1)");
  await incremental.rebuild();
  expectView(store, h, 'after rebuild() of a view that had drifted (a row missing, a wrong total, a wrong status and date, an order that does not exist)');
  expect(incremental.position(), 'position() after the second rebuild()').toBe(h.head);

  await h.place('maya', TIMES[0]!, lines([0, 1]));
  expect(await incremental.catchUp(), 'catchUp() after rebuild(): only the one newer change').toBe(1);
  expectView(store, h, 'after catchUp following rebuild');
});

test('100 seeded schedules of writes, overlapping projectors, crashes and replays: the view always converges on the write model', { task: 3, points: 12, timeoutMs: 60_000 }, async () => {
  const { h, reader, store } = await shop();
  const seenVersion = new Map<number, number>();
  let seenCheckpoint = 0;
  const position = () => store.get<{ position: number }>("SELECT position FROM checkpoints WHERE projector = 'customer_orders'")?.position ?? 0;
  for (const seed of scheduleSeeds(100)) {
    const random = seededRandom(seed);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
    const steps: string[] = [];
    const write = async (prefer?: number) => {
      const open = [...h.orders.values()].filter((o) => o.status === 'placed' || o.status === 'paid');
      const mine = open.find((o) => o.id === prefer);
      const r = random();
      if (mine) {
        const next = mine.status === 'placed' ? 'paid' : pick(['shipped', 'cancelled'] as const);
        await h.set(mine.id, next);
        steps.push(`${next} ${mine.id}`);
      } else if (r < 0.4 || open.length === 0) {
        const customer = pick(CUSTOMERS);
        await h.place(customer, pick(TIMES), lines([Math.floor(random() * 5), 1 + Math.floor(random() * 3)]));
        steps.push(`place (${customer})`);
      } else {
        const o = pick(open);
        const next = o.status === 'placed' ? pick(['paid', 'cancelled'] as const) : pick(['shipped', 'cancelled'] as const);
        await h.set(o.id, next);
        steps.push(`${next} ${o.id}`);
      }
      if (random() < 0.2) {
        await h.gap(1 + Math.floor(random() * 3));
        steps.push('gap');
      }
    };
    await withSeed(seed, async () => {
      try {
        await write();
        // Projector A: a small batch, paused after one of its reads, or crashing at one of its writes.
        const slow = new ControlledReader(reader);
        const a = new CustomerOrdersProjector(slow, store, { batchSize: 1 + Math.floor(random() * 4) });
        a.init();
        const pauseAt = random() < 0.6 ? 1 + Math.floor(random() * 3) : 0;
        if (pauseAt > 0) slow.pauseAfter(pauseAt);
        const crashA = pauseAt === 0 && random() < 0.5 ? 1 + Math.floor(random() * 3) : 0;
        if (crashA > 0) crashOnWrite(store, crashA);
        steps.push(pauseAt > 0 ? `A pauses after read ${pauseAt}` : crashA > 0 ? `A crashes at write ${crashA}` : 'A runs');
        const running = a.catchUp().then(
          () => undefined,
          (e: unknown) => {
            if (!(e instanceof SimulatedCrash)) throw e;
          },
        );
        await runUntilPaused(slow, running);
        clearFaults(store);
        // Meanwhile: more writes, and projector B, which may crash too.
        // Often the order A is projecting: then A holds an older state of it than B will write.
        if (random() < 0.7) await write(random() < 0.7 ? h.written.at(-1)!.orderId : undefined);
        if (random() < 0.7) {
          const b = new CustomerOrdersProjector(reader, store, { batchSize: 1 + Math.floor(random() * 6) });
          b.init();
          const crashB = random() < 0.4 ? 1 + Math.floor(random() * 4) : 0;
          if (crashB > 0) crashOnWrite(store, crashB);
          steps.push(crashB > 0 ? `B catches up, crashing at write ${crashB}` : 'B catches up');
          await b.catchUp().catch((e: unknown) => {
            if (!(e instanceof SimulatedCrash)) throw e;
          });
          clearFaults(store);
        }
        if (random() < 0.3) await write();
        steps.push('A goes on');
        slow.resume();
        await running;

        // Between runs: no row went back to an older version, the checkpoint did not go back,
        // and every change up to the checkpoint is in the view.
        const rows = viewRows(store);
        for (const row of rows) {
          const was = seenVersion.get(row.order_id) ?? 0;
          expect(row.version >= was, `order ${row.order_id} is at version ${row.version} in the view; it was at ${was}\n  expected: a row never goes back to an older version`).toBe(true);
          seenVersion.set(row.order_id, row.version);
        }
        const at = position();
        expect(at >= seenCheckpoint, `the checkpoint is ${at}; it was ${seenCheckpoint}\n  expected: it never goes back`).toBe(true);
        seenCheckpoint = at;
        const held = new Map(rows.map((r) => [r.order_id, r.version]));
        for (const w of h.written) {
          if (w.position > at) break;
          const version = held.get(w.orderId) ?? 0;
          expect(version >= w.version, `the checkpoint is at ${at}, past the change at ${w.position} (order ${w.orderId} version ${w.version}), but the view shows ${version === 0 ? 'no row' : `version ${version}`} of that order\n  expected: the checkpoint never claims a change the view does not hold`).toBe(true);
        }

        steps.push('a new projector catches up');
        const last = new CustomerOrdersProjector(reader, store, { batchSize: 7 });
        last.init();
        await last.catchUp();
        expectView(store, h, 'at the end of the schedule');
        seenCheckpoint = position();
      } catch (error) {
        clearFaults(store);
        if (error instanceof Error) error.message = `${error.message}\n  the schedule: ${steps.join(', ')}`;
        throw error;
      }
    });
  }
  // After all of it, a view rebuilt from position 0 in a new store equals the incremental one.
  const fresh = await sqlite();
  const rebuilt = new CustomerOrdersProjector(reader, fresh);
  rebuilt.init();
  await rebuilt.rebuild();
  expectEqual(viewRows(fresh), viewRows(store), 'a view rebuilt from position 0 after the 100 schedules, against the incremental one');
});
