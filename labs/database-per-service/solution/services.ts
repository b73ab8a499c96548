/**
 * The shop for `npm start` in the full environment: the monolith split by your migration,
 * Customers' API, and an Orders API that places orders through your code. Try
 *
 *   curl -s localhost:3000/customers/42
 *   curl -s -X POST localhost:3000/orders -H 'content-type: application/json' \
 *     -d '{"orderId":500,"customerId":42,"sku":"MUG","quantity":1}'
 *   curl -s -X POST localhost:3000/orders -H 'content-type: application/json' \
 *     -d '{"orderId":501,"customerId":4,"sku":"MUG","quantity":1}'     (an unknown customer)
 *
 * The tests do not use this file.
 */
import { createBus } from 'labkit/bus';
import { systemClock } from 'labkit/clock';
import { pg, pgSchema } from 'labkit/db';
import { defineService, Hono, type Network, type ServiceHandle } from 'labkit/service';
import { Customers, customersService } from './customers.ts';
import { SPLIT_MIGRATION_SQL } from './migration.ts';
import { Orders } from './orders.ts';
import { createMonolith, CustomersUnavailableError, prepareReplica, runMigration, UnknownCustomerError, type NewOrder } from './shop.ts';
import { connectReplica } from './wiring.ts';

export default async function startServices(network: Network): Promise<ServiceHandle[]> {
  const clock = systemClock();
  const bus = createBus({ clock });
  const owner = await pg();
  await createMonolith(owner);
  const customersDb = await pgSchema('customers');
  const ordersDb = await pgSchema('orders');
  await runMigration(owner, SPLIT_MIGRATION_SQL);
  await prepareReplica(ordersDb);
  const customers = new Customers(customersDb, bus);
  connectReplica(bus, ordersDb, clock);
  const orders = new Orders({ db: ordersDb, clock, fetch: network.fetch });

  const ordersApi = defineService({
    name: 'orders',
    create: () =>
      new Hono().post('/orders', async (c) => {
        const body = (await c.req.json().catch(() => undefined)) as NewOrder | undefined;
        if (!body || typeof body.orderId !== 'number' || typeof body.customerId !== 'number') return c.json({ error: 'send { orderId, customerId, sku, quantity }' }, 400);
        try {
          return c.json(await orders.placeOrder(body), 201);
        } catch (error) {
          if (error instanceof UnknownCustomerError) return c.json({ error: error.message }, 422);
          if (error instanceof CustomersUnavailableError) return c.json({ error: error.message }, 503);
          throw error;
        }
      }),
  });
  return [await network.start(customersService, { customers }), await network.start(ordersApi)];
}
