/**
 * Mini microservices for lab code and tests, imported as `labkit/service`.
 *
 * A service is a Hono app built by `create` from its resources. A network starts services by
 * name and routes `fetch('http://<service>/...')` to them, in memory (every runtime) or over
 * HTTP on 127.0.0.1 (Node). Tests crash and restart services to check behaviour under faults: a
 * crash loses the service's memory, a restart keeps its database.
 *
 * Labs import Hono from here, because lab code can import only relative files and labkit modules.
 *
 * @example
 * import { Hono, createNetwork, defineService, ServiceUnavailableError } from 'labkit/service';
 *
 * const orders = defineService({
 *   name: 'orders',
 *   create: ({ db }: { db: Pg }) => new Hono().get('/orders/:id', async (c) => {
 *     const { rows } = await db.query('SELECT * FROM orders WHERE id = $1', [c.req.param('id')]);
 *     return rows[0] ? c.json(rows[0]) : c.json({ error: 'not found' }, 404);
 *   }),
 * });
 *
 * const network = createNetwork();
 * await network.start(orders, { db: await pg() });
 * const res = await network.fetch('http://orders/orders/42');
 * await network.crash('orders');
 * await expect(network.call('orders', '/orders/42')).rejects.toBeInstanceOf(ServiceUnavailableError);
 * await network.restart('orders');
 * await network.close();
 */
export { Hono } from 'hono';
export type { Context } from 'hono';
export { defineService } from './define.ts';
export type { ServiceApp, ServiceDefinition } from './define.ts';
export { ServiceUnavailableError } from './errors.ts';
export type { UnavailableReason } from './errors.ts';
export { LABKIT_PAGE_PATH } from './labkit-page.ts';
export { createNetwork } from './network.ts';
export type { Network, NetworkOptions, ServiceFetch, ServiceHandle } from './network.ts';
export type { NetworkTransport, RequestHandler, TransportLink } from './transport.ts';
