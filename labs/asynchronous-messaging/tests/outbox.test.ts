import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { afterEach, describeOutcome, expect, expectEqual, expectMatch, test } from 'labkit/test';
import { closeBuses, CUSTOMERS, newShop, oldPublishedRows, outboxRows, START } from './helpers.ts';

afterEach(closeBuses);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function ordersIn(shop: Awaited<ReturnType<typeof newShop>>) {
  const { rows } = await shop.ordersDb.query<{ id: number; customer_id: string; total_cents: number; status: string }>('SELECT id, customer_id, total_cents, status FROM orders ORDER BY id');
  return rows;
}

test('placing an order stores it and its OrderPlaced message in the outbox', { task: 1, points: 5 }, async () => {
  const shop = await newShop();
  await oldPublishedRows(shop.ordersDb);
  await shop.orders.placeOrder({ id: 1043, customerId: CUSTOMERS[0], totalCents: 1780 });
  await shop.clock.advance(61_000);
  await shop.orders.placeOrder({ id: 1051, customerId: CUSTOMERS[1], totalCents: 0 });

  expectEqual(
    await ordersIn(shop),
    [
      { id: 1001, customer_id: 'Ingrid Ångström', total_cents: 990, status: 'placed' },
      { id: 1004, customer_id: 'Zoë Łódź-東京', total_cents: 4500, status: 'placed' },
      { id: 1043, customer_id: CUSTOMERS[0], total_cents: 1780, status: 'placed' },
      { id: 1051, customer_id: CUSTOMERS[1], total_cents: 0, status: 'placed' },
    ],
    'the orders table after placeOrder(1043) and placeOrder(1051) (orders.ts)',
  );
  const rows = await outboxRows(shop.ordersDb);
  const fresh = rows.filter((r) => r.position > 8);
  expectMatch(
    fresh.map(({ topic, message_key, type, payload, published }) => ({ topic, message_key, type, payload, published })),
    [
      { topic: 'order-events', message_key: 'order-1043', type: 'OrderPlaced', payload: { orderId: 1043, customerId: CUSTOMERS[0], totalCents: 1780, placedAt: new Date(START).toISOString() }, published: false },
      { topic: 'order-events', message_key: 'order-1051', type: 'OrderPlaced', payload: { orderId: 1051, customerId: CUSTOMERS[1], totalCents: 0, placedAt: new Date(START + 61_000).toISOString() }, published: false },
    ],
    'the new outbox rows: one OrderPlaced per order, unpublished, keyed order-<id>, placedAt the clock time in ISO (orders.ts, placeOrder)',
  );
  expect(rows.length, 'outbox rows: the two already published ones are kept, and one per new order').toBe(4);
  for (const row of fresh) expect(row.message_id, 'each message id is a uuid').toMatch(UUID);
  expect(new Set(rows.map((r) => r.message_id)).size, 'message ids are all different').toBe(4);
});

test('a command that fails or crashes leaves neither the change nor its message', { task: 1, points: 5 }, async () => {
  const shop = await newShop();
  await oldPublishedRows(shop.ordersDb);
  const before = await outboxRows(shop.ordersDb);

  // An id that is taken, and a negative total: the database refuses the order.
  const taken = await shop.orders.placeOrder({ id: 1004, customerId: CUSTOMERS[2], totalCents: 100 }).then(
    () => 'resolved',
    () => 'rejected',
  );
  expect(taken, 'placeOrder with an order id that exists (1004) must reject').toBe('rejected');
  await shop.orders.placeOrder({ id: 1060, customerId: CUSTOMERS[2], totalCents: -5 }).catch(() => undefined);

  expectEqual(await outboxRows(shop.ordersDb), before, 'the outbox after refused commands (an order id that exists, a negative total): no message for a change that did not commit');
  expectEqual((await ordersIn(shop)).map((o) => `${o.id} ${o.status}`), ['1001 placed', '1004 placed'], 'the orders after the refused commands');

  // A crash at write 1, 2, ... of each command, until the command makes no more writes and succeeds.
  const commands: [string, () => Promise<void>][] = [
    ['placeOrder(1071)', () => shop.orders.placeOrder({ id: 1071, customerId: CUSTOMERS[3], totalCents: 2550 })],
    ['cancelOrder(1001)', () => shop.orders.cancelOrder(1001, 'customer request')],
  ];
  for (const [what, command] of commands) {
    for (let write = 1; write <= 8; write++) {
      const orders = await ordersIn(shop);
      const outbox = await outboxRows(shop.ordersDb);
      crashOnWrite(shop.ordersDb, write);
      const outcome = await command().catch((e: unknown) => e);
      clearFaults(shop.ordersDb);
      if (write > 1 && outcome === undefined) break; // it made fewer writes than that, and finished
      expect(outcome, `${what} with a crash at its write ${write} must reject with the crash; ${describeOutcome(outcome)}`).toBeInstanceOf(SimulatedCrash);
      expectEqual(
        { orders: await ordersIn(shop), outbox: await outboxRows(shop.ordersDb) },
        { orders, outbox },
        `orders and outbox after ${what} crashed at its write ${write}: nothing may be left of it (one transaction for the change and its outbox row, orders.ts)`,
      );
    }
  }
  const rows = await outboxRows(shop.ordersDb);
  expectEqual(
    rows.filter((r) => r.position > 8).map((r) => `${r.message_key} ${r.type}`),
    ['order-1071 OrderPlaced', 'order-1001 OrderCancelled'],
    'the new outbox rows once the commands ran without a crash: one message each',
  );
});

test('cancelling writes OrderCancelled; an unknown or cancelled order is refused and writes nothing', { task: 1, points: 4 }, async () => {
  const shop = await newShop();
  await oldPublishedRows(shop.ordersDb);
  await shop.orders.placeOrder({ id: 1043, customerId: CUSTOMERS[0], totalCents: 1780 });
  await shop.clock.advance(5 * 60_000);
  await shop.orders.cancelOrder(1043, 'Kundin hat storniert – zu spät');

  for (const [id, what] of [
    [1043, 'an order already cancelled'],
    [1044, 'an order that does not exist'],
  ] as const) {
    const outcome = await shop.orders.cancelOrder(id, 'again').then(
      () => 'resolved',
      () => 'rejected',
    );
    expect(outcome, `cancelOrder(${id}), ${what}, must reject (orders.ts)`).toBe('rejected');
  }
  expectEqual((await ordersIn(shop)).map((o) => `${o.id} ${o.status}`), ['1001 placed', '1004 placed', '1043 cancelled'], 'the orders after cancelOrder(1043)');
  const fresh = (await outboxRows(shop.ordersDb)).filter((r) => r.position > 8);
  expectMatch(
    fresh.map(({ message_key, type, payload, published }) => ({ message_key, type, payload, published })),
    [
      { message_key: 'order-1043', type: 'OrderPlaced', published: false },
      { message_key: 'order-1043', type: 'OrderCancelled', payload: { orderId: 1043, reason: 'Kundin hat storniert – zu spät', cancelledAt: new Date(START + 5 * 60_000).toISOString() }, published: false },
    ],
    'the outbox rows of order 1043: OrderPlaced, then one OrderCancelled, later in position, and none for the refused cancellations',
  );
});
