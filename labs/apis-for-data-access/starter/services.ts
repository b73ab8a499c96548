/**
 * The shop for `npm start` in the full environment: Customers, Shipping and your Orders API on
 * one network, in real time, with a few customers and orders to start from. Try
 *
 *   curl -s 'localhost:3000/orders?page_size=2'
 *   curl -si localhost:3000/orders/3                      (note the ETag)
 *   curl -si -X PATCH localhost:3000/orders/3 -H 'If-Match: "1"' -d '{"note":"ring twice"}'
 *   curl -si -X POST localhost:3000/orders/3/pay -H 'If-Match: "2"'   (the ETag the PATCH answered)
 *   curl -si -X POST localhost:3000/orders -H 'X-Client-Id: web-shop' \
 *     -H 'Idempotency-Key: "a4e1c7d2"' -d '{"customerId":"c-07","lines":[{"sku":"MUG","qty":2}]}'
 *   curl -s localhost:3000/orders/3/details
 *
 * (the port of each service is printed when it starts). The tests do not use this file.
 */
import { systemClock } from 'labkit/clock';
import { pgSchema } from 'labkit/db';
import type { Network, ServiceHandle } from 'labkit/service';
import { CustomerDirectory, customersService } from './customers.ts';
import { ordersService } from './orders-api.ts';
import { ShipmentBook, shippingService } from './shipping.ts';
import { createOrdersTable } from './shop.ts';

export default async function startServices(network: Network): Promise<ServiceHandle[]> {
  const clock = systemClock();
  const directory = new CustomerDirectory(clock);
  directory.add({ id: 'c-07', name: 'Zoë Ça', email: 'zoe@example.com' });
  directory.add({ id: 'c-12', name: 'Ana Łukasiewicz', email: 'ana@example.com' });
  const book = new ShipmentBook(clock);
  book.add({ id: 'sh-1', orderId: 1, carrier: 'DHL', status: 'delivered' });

  const db = await pgSchema('orders');
  await createOrdersTable(db);
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
  if (rows[0]!.n === 0) {
    await db.query(`INSERT INTO orders (customer_id, status, lines, created_at) VALUES
      ('c-07', 'shipped', '[{"sku":"MUG","qty":1}]', now() - interval '3 days'),
      ('c-12', 'paid', '[{"sku":"TEAPOT","qty":1}]', now() - interval '2 days'),
      ('c-07', 'placed', '[{"sku":"CUP","qty":4}]', now() - interval '1 day')`);
  }
  const cursorKey = crypto.getRandomValues(new Uint8Array(32));
  return [
    await network.start(customersService, { directory }),
    await network.start(shippingService, { book }),
    await network.start(ordersService, { db, clock, fetch: network.fetch, cursorKey }),
  ];
}
