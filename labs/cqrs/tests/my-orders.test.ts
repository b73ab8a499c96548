import { createClock } from 'labkit/clock';
import { sqlite } from 'labkit/db';
import { scheduleSeeds, seededRandom, withSeed } from 'labkit/faults';
import { expect, expectEqual, test } from 'labkit/test';
import { CustomerOrdersProjector } from '../src/customer-orders.ts';
import { myOrders } from '../src/my-orders.ts';
import { CUSTOMER_ORDERS_DDL, type CustomerOrder, type MyOrders } from '../src/orders-types.ts';
import { givenView, History, isSettled, lines, openRoles, TIMES, type ViewRow } from './helpers.ts';

/** The test clock starts far past 2^32 ms, as a real one does (2026-03-29T01:30:00.011Z). */
const START = 1_774_747_800_011;

function row(order_id: number, customer_id: string, placed_at: string, changes: Partial<ViewRow> = {}): ViewRow {
  return { order_id, customer_id, status: 'placed', item_count: 2, total_cents: 2_580, placed_at: new Date(placed_at).toISOString(), version: 1, ...changes };
}

function shown(r: ViewRow): CustomerOrder {
  return { orderId: r.order_id, status: r.status as CustomerOrder['status'], itemCount: r.item_count, totalCents: r.total_cents, placedAt: r.placed_at, version: r.version };
}

/** Maya's orders in four time zones (their local texts sort differently), another customer's, and the view at position 10. */
const MAYA = [
  row(1049, 'maya', '2026-03-29T09:00:00+09:00', { status: 'shipped', version: 3 }), // 00:00Z
  row(1046, 'maya', '2026-03-29T01:30:00+01:00', { total_cents: 3_999_999_998, item_count: 2 }), // 00:30Z
  row(1045, 'maya', '2026-03-28T20:15:00-05:00', { status: 'cancelled', version: 2 }), // 01:15Z
  row(1052, 'maya', '2026-03-29T03:30:00+02:00'), // 01:30Z
  row(1053, 'maya', '2026-03-29T01:30:00Z', { status: 'paid', version: 2 }), // 01:30Z, a later id
];
const OTHERS = [row(1047, 'zoë', '2026-03-29T05:00:00Z'), row(1048, 'Maya', '2026-03-29T06:00:00Z')];
const NEWEST_FIRST = [MAYA[4]!, MAYA[3]!, MAYA[2]!, MAYA[1]!, MAYA[0]!].map(shown);

async function given(position = 10) {
  const store = await sqlite();
  givenView(store, [...MAYA, ...OTHERS], position);
  return { store, clock: createClock(START) };
}

test('a query whose token the read model has reached answers at once, newest first, at most 20 orders', { task: 4, points: 5 }, async () => {
  const { store, clock } = await given(10);
  for (const token of [0, 3, 10]) {
    const answer = myOrders(store, clock, 'maya', token);
    expect(await isSettled(answer), `myOrders("maya", ${token}) with the read model at 10: answered without waiting (the clock did not move)`).toBe(true);
    expectEqual(await answer, { orders: NEWEST_FIRST, asOf: 10, behind: false }, `myOrders("maya", ${token}) with the read model at 10 (newest first by instant, ties by the higher order id)`);
  }
  const noToken = myOrders(store, clock, 'maya');
  expect(await isSettled(noToken), 'myOrders("maya") without a token: answered at once').toBe(true);
  expectEqual((await noToken).behind, false, 'myOrders("maya") without a token: behind');
  expectEqual(await myOrders(store, clock, 'nobody', 10), { orders: [], asOf: 10, behind: false }, 'myOrders of a customer with no orders');
  expectEqual((await myOrders(store, clock, 'zoë', 10)).orders, [shown(OTHERS[0]!)], 'myOrders("zoë"): only her orders');

  for (let i = 0; i < 25; i++) givenView(store, [row(2000 + i * 3, 'lena 🌿', `2026-03-${String(1 + i).padStart(2, '0')}T12:00:00+01:00`)], 10);
  const lena = await myOrders(store, clock, 'lena 🌿', 10);
  expectEqual(lena.orders.map((o) => o.orderId), Array.from({ length: 20 }, (_, i) => 2000 + (24 - i) * 3), 'myOrders of a customer with 25 orders: the 20 newest, newest first');
  expect(clock.pending(), 'timers left by the queries that had nothing to wait for').toBe(0);

  // A read store whose projector has not written its checkpoint row yet is at position 0.
  const empty = await sqlite();
  empty.exec(CUSTOMER_ORDERS_DDL);
  expectEqual(await myOrders(empty, clock, 'maya'), { orders: [], asOf: 0, behind: false }, 'myOrders("maya") on a read store with no checkpoint row yet');
});

test('a query ahead of the read model waits, and answers as soon as the checkpoint reaches its token', { task: 4, points: 4 }, async () => {
  const { store, clock } = await given(10);
  const answer = myOrders(store, clock, 'maya', 12);
  expect(await isSettled(answer), 'myOrders("maya", 12) with the read model at 10: still waiting').toBe(false);
  await clock.advance(120);
  expect(await isSettled(answer), 'myOrders("maya", 12) 120 ms later, the read model still at 10: still waiting').toBe(false);
  // The projector catches up: Maya's new order, and the checkpoint past 12 (positions 11 to 13 were never used).
  const mine = row(1060, 'maya', '2026-03-29T10:00:00+02:00');
  givenView(store, [mine], 14);
  await clock.advance(50);
  expect(await isSettled(answer), 'myOrders("maya", 12), 50 ms after the checkpoint passed 12 (the default pollMs)').toBe(true);
  expectEqual(await answer, { orders: [shown(mine), ...NEWEST_FIRST], asOf: 14, behind: false }, 'myOrders("maya", 12) once the read model reached 14');

  const other = myOrders(store, clock, 'maya', 15, { pollMs: 10 });
  await clock.advance(30);
  givenView(store, [], 15);
  await clock.advance(10);
  expect(await isSettled(other), 'myOrders("maya", 15, { pollMs: 10 }), 10 ms after the checkpoint reached 15').toBe(true);
  expectMatchAnswer(await other, 15, false, 'myOrders("maya", 15, { pollMs: 10 })');
});

function expectMatchAnswer(answer: MyOrders, asOf: number, behind: boolean, what: string): void {
  expectEqual({ asOf: answer.asOf, behind: answer.behind }, { asOf, behind }, what);
}

test('a query answers "behind" when its time limit runs out, not before and not later', { task: 4, points: 4 }, async () => {
  const { store, clock } = await given(10);
  const answer = myOrders(store, clock, 'maya', 11);
  await clock.advance(499);
  expect(await isSettled(answer), 'myOrders("maya", 11) after 499 ms with the read model at 10 (the limit is 500 ms)').toBe(false);
  await clock.advance(1);
  expect(await isSettled(answer), 'myOrders("maya", 11) after 500 ms: answered').toBe(true);
  expectEqual(await answer, { orders: NEWEST_FIRST, asOf: 10, behind: true }, 'myOrders("maya", 11) when the 500 ms ran out: the rows as they are, and behind');

  const short = myOrders(store, clock, 'maya', 11, { waitMs: 120, pollMs: 50 });
  await clock.advance(119);
  expect(await isSettled(short), 'myOrders with { waitMs: 120, pollMs: 50 } after 119 ms').toBe(false);
  await clock.advance(1);
  expect(await isSettled(short), 'myOrders with { waitMs: 120, pollMs: 50 } after 120 ms: the limit, even between two polls').toBe(true);
  expectMatchAnswer(await short, 10, true, 'myOrders with { waitMs: 120 } when the time ran out');

  const none = myOrders(store, clock, 'maya', 11, { waitMs: 0 });
  expect(await isSettled(none), 'myOrders with { waitMs: 0 }: answered at once').toBe(true);
  expectMatchAnswer(await none, 10, true, 'myOrders with { waitMs: 0 }');
  expect(clock.pending(), 'timers left behind by the queries').toBe(0);
});

test('your own write is never missing from an answer that is not behind', { task: 4, points: 4 }, async () => {
  const { writeDb, reader } = await openRoles();
  const h = await History.open(writeDb);
  const store = await sqlite();
  const clock = createClock(START);
  const projector = new CustomerOrdersProjector(reader, store, { batchSize: 2 });
  projector.init();
  let day = 0;
  for (const seed of scheduleSeeds(8)) {
    const random = seededRandom(seed);
    await withSeed(seed, async () => {
      for (let i = 0; i < 3; i++) {
        if (random() < 0.3) await h.gap(1 + Math.floor(random() * 2));
        day += 1; // each order newer than the last, so it is on the first page
        const mine = await h.place('maya', `2026-04-${String(day).padStart(2, '0')}T${random() < 0.5 ? '23:30:00-04:00' : '06:15:00+05:30'}`, lines([Math.floor(random() * 5), 1]));
        if (random() < 0.3) await h.place('zoë', TIMES[0]!, lines([1, 1]));
        const answer = myOrders(store, clock, 'maya', mine.position, { waitMs: 200, pollMs: 40 });
        // The projector runs some batches, or none, while the query waits.
        for (let t = 0; t < 5; t++) {
          if (random() < 0.4) await projector.step();
          await clock.advance(40);
        }
        const result = await answer;
        const listed = result.orders.some((o) => o.orderId === mine.orderId);
        if (!result.behind) expect(listed, `myOrders("maya", ${mine.position}) answered not behind (asOf ${result.asOf}) without order ${mine.orderId}, placed by the command that returned ${mine.position}`).toBe(true);
        expect(result.behind, `myOrders("maya", ${mine.position}) answered asOf ${result.asOf}: behind`).toBe(result.asOf < mine.position);
      }
    });
  }
});
