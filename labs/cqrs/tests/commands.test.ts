import { crashOnWrite, clearFaults, SimulatedCrash } from 'labkit/faults';
import { pg, pgErrorCode } from 'labkit/db';
import { describeOutcome, expect, expectEqual, expectMatch, test } from 'labkit/test';
import { CommandError, READER_ROLE, type PlaceOrder, type Written } from '../src/orders-types.ts';
import { OrdersWriteModel } from '../src/write-model.ts';
import { lines, openRoles, TIMES } from './helpers.ts';

async function openModel() {
  const { writeDb, reader } = await openRoles();
  const model = new OrdersWriteModel(writeDb);
  await model.init();
  const counts = async () => {
    const { rows } = await writeDb.query<{ orders: number; lines: number; changes: number }>(
      'SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM order_lines) AS lines, (SELECT count(*)::int FROM order_changes) AS changes',
    );
    return rows[0]!;
  };
  const order = async (id: number) => (await writeDb.query<{ status: string; version: number }>('SELECT status, version FROM orders WHERE id = $1', [id])).rows[0];
  return { writeDb, reader, model, counts, order };
}

const place = (customerId: string, placedAt: string, ...items: [number, number][]): PlaceOrder => ({ customerId, placedAt, lines: lines(...items) });

/** Expects a CommandError with this reason; says what happened instead. */
async function expectRefused(action: () => Promise<unknown>, reason: CommandError['reason'], what: string): Promise<void> {
  const outcome = await action().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const ok = 'error' in outcome && outcome.error instanceof CommandError && outcome.error.reason === reason;
  expect(ok, `${what}\n  expected: a CommandError with reason "${reason}"\n  received: ${describeOutcome('error' in outcome ? outcome.error : outcome.value)}${'error' in outcome && outcome.error instanceof CommandError ? ` (reason "${outcome.error.reason}")` : ''}`).toBe(true);
}

test('placing an order writes the order, its lines and one change, and answers the position of that change', { task: 1, points: 4 }, async () => {
  const { writeDb, model } = await openModel();
  // History the feed already holds: positions and order ids with gaps (rolled-back commands).
  await writeDb.query("SELECT setval(pg_get_serial_sequence('orders', 'id'), 1044)");
  await writeDb.query("SELECT setval(pg_get_serial_sequence('order_changes', 'position'), 10)");
  const answers: Written[] = [];
  answers.push(await model.placeOrder(place('zoë', TIMES[0]!, [0, 2], [1, 1])));
  await writeDb.query("SELECT nextval(pg_get_serial_sequence('order_changes', 'position'))");
  await writeDb.query("SELECT nextval(pg_get_serial_sequence('orders', 'id'))");
  answers.push(await model.placeOrder(place('東京-ken', TIMES[3]!, [4, 3])));

  const { rows: changes } = await writeDb.query<{ position: string | number; order_id: number; version: number; kind: string }>('SELECT position, order_id, version, kind FROM order_changes ORDER BY position');
  expectEqual(
    changes.map((c) => ({ position: Number(c.position), orderId: c.order_id, version: c.version, kind: c.kind })),
    answers.map((a) => ({ position: a.position, orderId: a.orderId, version: 1, kind: 'placed' })),
    'order_changes after two placeOrder calls: one "placed" change each, at the positions the commands answered',
  );
  expectEqual(answers.map((a) => a.version), [1, 1], 'the version each placeOrder answered');
  expect(answers[1]!.position, 'the second position: the feed had a gap (12 was used by a rolled-back command)').toBe(13);
  const { rows: orders } = await writeDb.query<{ id: number; customer_id: string; status: string; placed_at: Date; version: number }>('SELECT id, customer_id, status, placed_at, version FROM orders ORDER BY id');
  expectEqual(
    orders.map((o) => ({ ...o, placed_at: o.placed_at.toISOString() })),
    [
      { id: answers[0]!.orderId, customer_id: 'zoë', status: 'placed', placed_at: '2026-03-29T00:30:00.000Z', version: 1 },
      { id: answers[1]!.orderId, customer_id: '東京-ken', status: 'placed', placed_at: '2026-03-29T00:00:00.000Z', version: 1 },
    ],
    'the orders table (placedAt is an instant: 01:30+01:00 is 00:30 UTC)',
  );
  expect(answers[0]!.orderId, 'the first order id after 1044').toBe(1045);
  const { rows: stored } = await writeDb.query<{ order_id: number; sku: string; qty: number; price_cents: number }>('SELECT order_id, sku, qty, price_cents FROM order_lines ORDER BY order_id, sku');
  expectEqual(
    stored,
    [
      { order_id: answers[0]!.orderId, sku: 'CAFÉ-ÉTHIOPIE-250', qty: 2, price_cents: 1_290 },
      { order_id: answers[0]!.orderId, sku: 'MUG-陶器', qty: 1, price_cents: 899 },
      { order_id: answers[1]!.orderId, sku: 'GRAND-PIANO', qty: 3, price_cents: 1_999_999_999 },
    ],
    'order_lines',
  );

  // init runs again on every start and keeps what is there.
  const again = new OrdersWriteModel(writeDb);
  await again.init();
  const third = await again.placeOrder(place('maya', TIMES[4]!, [2, 1]));
  expectMatch(third, { version: 1, position: 14 }, 'placeOrder after init() ran again on a database with orders in it');
});

test('pay, ship and cancel move an order on by one version and answer their change position', { task: 1, points: 3 }, async () => {
  const { writeDb, model, order } = await openModel();
  const a = await model.placeOrder(place('maya', TIMES[1]!, [0, 1]));
  const b = await model.placeOrder(place('lena 🌿', TIMES[2]!, [3, 1]));
  const c = await model.placeOrder(place('zoë', TIMES[2]!, [2, 4]));
  const paid = await model.payOrder(a.orderId, 1);
  const cancelledPlaced = await model.cancelOrder(b.orderId, 1);
  const shipped = await model.shipOrder(a.orderId, 2);
  const paidC = await model.payOrder(c.orderId, 1);
  const cancelledPaid = await model.cancelOrder(c.orderId, 2);
  const answers = [paid, cancelledPlaced, shipped, paidC, cancelledPaid];
  expectEqual(
    answers.map(({ orderId, version }) => ({ orderId, version })),
    [
      { orderId: a.orderId, version: 2 },
      { orderId: b.orderId, version: 2 },
      { orderId: a.orderId, version: 3 },
      { orderId: c.orderId, version: 2 },
      { orderId: c.orderId, version: 3 },
    ],
    'what pay, cancel (placed), ship, pay, cancel (paid) answered',
  );
  const { rows } = await writeDb.query<{ position: string | number; order_id: number; version: number; kind: string }>('SELECT position, order_id, version, kind FROM order_changes WHERE position > $1 ORDER BY position', [c.position]);
  expectEqual(
    rows.map((r) => ({ position: Number(r.position), orderId: r.order_id, version: r.version, kind: r.kind })),
    answers.map((w, i) => ({ position: w.position, orderId: w.orderId, version: w.version, kind: ['paid', 'cancelled', 'shipped', 'paid', 'cancelled'][i] })),
    'the changes the five commands appended, at the positions they answered',
  );
  expectEqual(await order(a.orderId), { status: 'shipped', version: 3 }, 'order a after pay and ship');
  expectEqual(await order(b.orderId), { status: 'cancelled', version: 2 }, 'order b after cancel');
  expectEqual(await order(c.orderId), { status: 'cancelled', version: 3 }, 'order c after pay and cancel');
});

test('a command the rules refuse throws its CommandError and writes nothing', { task: 1, points: 3 }, async () => {
  const { model, counts, order } = await openModel();
  const a = await model.placeOrder(place('maya', TIMES[0]!, [0, 1]));
  const shipped = await model.placeOrder(place('maya', TIMES[1]!, [1, 1]));
  await model.payOrder(shipped.orderId, 1);
  await model.shipOrder(shipped.orderId, 2);
  const before = await counts();
  const bad = (changes: Partial<PlaceOrder>): PlaceOrder => ({ ...place('maya', TIMES[0]!, [0, 1]), ...changes });
  await expectRefused(() => model.placeOrder(bad({ lines: [] })), 'invalid', 'placeOrder with no lines');
  await expectRefused(() => model.placeOrder(bad({ lines: [{ sku: 'MUG-陶器', qty: 0, priceCents: 899 }] })), 'invalid', 'placeOrder with qty 0');
  await expectRefused(() => model.placeOrder(bad({ lines: [{ sku: 'MUG-陶器', qty: 1.5, priceCents: 899 }] })), 'invalid', 'placeOrder with qty 1.5');
  await expectRefused(() => model.placeOrder(bad({ lines: [{ sku: 'MUG-陶器', qty: 1, priceCents: -1 }] })), 'invalid', 'placeOrder with priceCents -1');
  await expectRefused(() => model.placeOrder(bad({ lines: [{ sku: 'MUG-陶器', qty: 1, priceCents: 9.99 }] })), 'invalid', 'placeOrder with priceCents 9.99');
  await expectRefused(() => model.placeOrder(bad({ lines: [{ sku: 'TEA-07', qty: 1, priceCents: 0 }, { sku: 'MUG-陶器', qty: 2, priceCents: 899 }, { sku: 'TEA-07', qty: 3, priceCents: 0 }] })), 'invalid', 'placeOrder with the same sku twice');
  await expectRefused(() => model.payOrder(9_999, 1), 'not-found', 'payOrder of an order that does not exist');
  await expectRefused(() => model.cancelOrder(9_999, 1), 'not-found', 'cancelOrder of an order that does not exist');
  await expectRefused(() => model.shipOrder(a.orderId, 1), 'not-allowed', 'shipOrder of a placed (unpaid) order');
  await expectRefused(() => model.cancelOrder(shipped.orderId, 3), 'not-allowed', 'cancelOrder of a shipped order');
  await expectRefused(() => model.payOrder(shipped.orderId, 3), 'not-allowed', 'payOrder of a shipped order');
  await model.payOrder(a.orderId, 1);
  await expectRefused(() => model.payOrder(a.orderId, 2), 'not-allowed', 'payOrder of a paid order');
  await expectRefused(() => model.shipOrder(shipped.orderId, 3), 'not-allowed', 'shipOrder of a shipped order');
  const cancelled = await model.cancelOrder(a.orderId, 2);
  await expectRefused(() => model.cancelOrder(a.orderId, 3), 'not-allowed', 'cancelOrder of a cancelled order');
  await expectRefused(() => model.payOrder(a.orderId, 3), 'not-allowed', 'payOrder of a cancelled order');
  expectEqual(await counts(), { ...before, changes: before.changes + 2 }, 'rows after the refused commands (and one pay and one cancel that went through)');
  expectEqual(await order(shipped.orderId), { status: 'shipped', version: 3 }, 'the shipped order after the refused commands');
  expect(cancelled.version, 'the cancelled order\'s version').toBe(3);
});

test('a stale expected version is refused as a conflict, also when two commands race for the same version', { task: 1, points: 4 }, async () => {
  const { writeDb, model, counts, order } = await openModel();
  const a = await model.placeOrder(place('maya', TIMES[0]!, [0, 1]));
  await model.payOrder(a.orderId, 1);
  const before = await counts();
  await expectRefused(() => model.shipOrder(a.orderId, 1), 'conflict', 'shipOrder with expected version 1 of an order at version 2');
  await expectRefused(() => model.cancelOrder(a.orderId, 3), 'conflict', 'cancelOrder with expected version 3 of an order at version 2');
  await expectRefused(() => model.payOrder(a.orderId, 1), 'conflict', 'payOrder with a stale version of an order already paid (the client did not know)');
  expectEqual(await counts(), before, 'rows after the refused commands');
  expectEqual(await order(a.orderId), { status: 'paid', version: 2 }, 'the order after the refused commands');

  // Two clients act on the same version at the same time: one wins, the other gets a conflict.
  const pairs = [
    ['pay', 'cancel'],
    ['cancel', 'pay'],
    ['pay', 'pay'],
    ['cancel', 'cancel'],
  ] as const;
  for (const [first, second] of pairs) {
    const o = await model.placeOrder(place('zoë', TIMES[1]!, [1, 2]));
    const run = (what: 'pay' | 'cancel') => (what === 'pay' ? model.payOrder(o.orderId, 1) : model.cancelOrder(o.orderId, 1));
    const outcomes = await Promise.allSettled([run(first), run(second)]);
    const won = outcomes.filter((r) => r.status === 'fulfilled');
    const lost = outcomes.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    const why = `${first} and ${second} of order ${o.orderId}, both with expected version 1, at the same time: ${outcomes.map((r) => (r.status === 'fulfilled' ? 'succeeded' : describeOutcome(r.reason))).join('; ')}`;
    expect(won.length === 1 && lost.length === 1 && lost[0]!.reason instanceof CommandError && lost[0]!.reason.reason === 'conflict', `${why}\n  expected: one succeeds, the other throws CommandError "conflict"`).toBe(true);
    const { rows } = await writeDb.query<{ n: number }>('SELECT count(*)::int AS n FROM order_changes WHERE order_id = $1', [o.orderId]);
    expect(rows[0]!.n, `${why}: the order's changes (placed and the winner's)`).toBe(2);
    expect((await order(o.orderId))!.version, `${why}: the order's version`).toBe(2);
  }
});

test('a crash at any write of a command leaves all of its rows or none of them', { task: 1, points: 3 }, async () => {
  const { writeDb, model, counts, order } = await openModel();
  const a = await model.placeOrder(place('maya', TIMES[0]!, [0, 1]));
  const commands: [string, () => Promise<Written>][] = [
    ['placeOrder with three lines', () => model.placeOrder(place('lena 🌿', TIMES[2]!, [0, 1], [1, 2], [3, 1]))],
    ['payOrder', () => model.payOrder(a.orderId, 1)],
  ];
  for (const [name, run] of commands) {
    for (let n = 1; n <= 8; n++) {
      const before = await counts();
      const status = await order(a.orderId);
      crashOnWrite(writeDb, n);
      const outcome = await run().then((v) => v, (e: unknown) => e);
      clearFaults(writeDb);
      if (!(outcome instanceof SimulatedCrash)) {
        expect(n > 1, `${name} with a crash at its write ${n}: ${describeOutcome(outcome)}`).toBe(true);
        break;
      }
      expectEqual(await counts(), before, `rows after ${name} crashed at its write ${n} (nothing of it may stay)`);
      expectEqual(await order(a.orderId), status, `order ${a.orderId} after ${name} crashed at its write ${n}`);
    }
  }
  const { rows } = await writeDb.query<{ n: number }>('SELECT count(*)::int AS n FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_changes c WHERE c.order_id = o.id)');
  expect(rows[0]!.n, 'orders without a change in the feed').toBe(0);
  const { rows: paid } = await writeDb.query<{ n: number }>("SELECT count(*)::int AS n FROM order_changes WHERE kind = 'paid'");
  expect(paid[0]!.n, "'paid' changes after the crashes and the pay that went through").toBe(1);
});

test('the read role can read the write model and change nothing in it', { task: 1, points: 3 }, async () => {
  const { reader, model } = await openModel();
  await model.placeOrder(place('maya', TIMES[0]!, [0, 1]));
  const db = await pg();
  const { rows: role } = await db.query<{ rolsuper: boolean; rolbypassrls: boolean }>('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1', [READER_ROLE]);
  expectEqual(role, [{ rolsuper: false, rolbypassrls: false }], `the role ${READER_ROLE} (given): an ordinary role, so GRANTs apply to it`);
  // `reader` runs each statement as SET LOCAL ROLE orders_reader: PGlite's own role, postgres, is a superuser that no GRANT limits.
  for (const table of ['orders', 'order_lines', 'order_changes']) {
    const outcome = await reader.query(`SELECT count(*)::int AS n FROM orders.${table}`).then((r) => r.rows[0], (e: unknown) => e);
    expectEqual(outcome, { n: 1 }, `SELECT count(*) FROM orders.${table} as ${READER_ROLE}`);
  }
  const writes = [
    "INSERT INTO orders.order_changes (order_id, version, kind) SELECT id, 9, 'paid' FROM orders.orders",
    "UPDATE orders.orders SET status = 'shipped'",
    'DELETE FROM orders.order_lines',
    'TRUNCATE orders.order_changes CASCADE',
    "INSERT INTO orders.orders (customer_id, status, placed_at, version) VALUES ('x', 'placed', now(), 1)",
    'UPDATE orders.order_lines SET qty = 99',
    'DELETE FROM orders.order_changes',
    'CREATE TABLE orders.shadow (id int)',
  ];
  for (const sql of writes) {
    const outcome = await reader.query(sql).then((r) => r, (e: unknown) => e);
    expect(pgErrorCode(outcome), `${sql} as ${READER_ROLE}: ${describeOutcome(outcome)}\n  expected: permission denied (SQLSTATE 42501)`).toBe('42501');
  }
});
