/**
 * The Orders service for `npm start` in the full environment: commands and the "My orders"
 * query over HTTP, with both projectors running every 200 ms on real time. Given: the tests do
 * not use this file. Try
 *
 *   curl -s -X POST localhost:3000/orders -H 'content-type: application/json' \
 *     -d '{"customerId":"maya","placedAt":"2026-03-29T03:30:00+02:00","lines":[{"sku":"MUG-01","qty":2,"priceCents":1250}]}'
 *   curl -s 'localhost:3000/customers/maya/orders?minVersion=1'
 *   curl -s -X POST localhost:3000/orders/1/pay -H 'content-type: application/json' -d '{"expectedVersion":1}'
 *   curl -s localhost:3000/analytics/sku-sales
 */
import { systemClock } from 'labkit/clock';
import { pgSchema, sqlite } from 'labkit/db';
import { defineService, Hono, type Network, type ServiceHandle } from 'labkit/service';
import { CustomerOrdersProjector } from './customer-orders.ts';
import { myOrders } from './my-orders.ts';
import { CommandError, READER_ROLE, type PlaceOrder, type Written } from './orders-types.ts';
import { SkuSalesProjector } from './sku-sales.ts';
import { OrdersWriteModel } from './write-model.ts';

const STATUS = { invalid: 422, 'not-found': 404, conflict: 409, 'not-allowed': 409 } as const;

export default async function startServices(network: Network): Promise<ServiceHandle[]> {
  const clock = systemClock();
  const reader = await pgSchema(READER_ROLE);
  const model = new OrdersWriteModel(await pgSchema('orders'));
  await model.init();
  const store = await sqlite();
  const customerOrders = new CustomerOrdersProjector(reader, store);
  const skuSales = new SkuSalesProjector(reader, store);
  customerOrders.init();
  skuSales.init();

  // The projectors follow the feed on their own, a little behind the commands.
  const follow = () => {
    Promise.all([customerOrders.catchUp(), skuSales.catchUp()])
      .catch((error: unknown) => console.error('a projector failed:', error))
      .finally(() => clock.setTimeout(follow, 200));
  };
  follow();

  const orders = defineService({
    name: 'orders',
    create: () => {
      const app = new Hono();
      const answer = async (run: () => Promise<Written>, created = false) => {
        try {
          return { status: created ? 201 : 200, body: (await run()) as object };
        } catch (error) {
          if (error instanceof CommandError) return { status: STATUS[error.reason], body: { reason: error.reason, message: error.message } };
          throw error;
        }
      };
      app.post('/orders', async (c) => {
        const cmd = (await c.req.json().catch(() => undefined)) as PlaceOrder | undefined;
        if (!cmd || typeof cmd.customerId !== 'string' || !Array.isArray(cmd.lines)) return c.json({ message: 'send { customerId, placedAt, lines: [{ sku, qty, priceCents }] }' }, 400);
        const { status, body } = await answer(() => model.placeOrder({ ...cmd, placedAt: cmd.placedAt ?? new Date(clock.now()).toISOString() }), true);
        return c.json(body, status as 201);
      });
      app.post('/orders/:id/:command', async (c) => {
        const id = Number(c.req.param('id'));
        const body = (await c.req.json().catch(() => undefined)) as { expectedVersion?: unknown } | undefined;
        const expected = body?.expectedVersion;
        if (!Number.isInteger(id) || typeof expected !== 'number') return c.json({ message: 'POST /orders/:id/pay|ship|cancel with { expectedVersion }' }, 400);
        const command = c.req.param('command');
        const run = command === 'pay' ? model.payOrder : command === 'ship' ? model.shipOrder : command === 'cancel' ? model.cancelOrder : undefined;
        if (!run) return c.json({ message: `no command ${command}: pay, ship or cancel` }, 404);
        const { status, body: out } = await answer(() => run.call(model, id, expected));
        return c.json(out, status as 200);
      });
      app.get('/customers/:id/orders', async (c) => {
        const minVersion = Number(c.req.query('minVersion') ?? 0);
        return c.json(await myOrders(store, clock, c.req.param('id'), Number.isFinite(minVersion) ? minVersion : 0));
      });
      app.get('/analytics/sku-sales', (c) => c.json({ asOf: skuSales.position(), rows: store.all('SELECT sku, units, revenue_cents FROM sku_sales ORDER BY sku') }));
      return app;
    },
  });
  return [await network.start(orders)];
}
