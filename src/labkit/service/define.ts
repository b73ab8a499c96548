import type { Hono } from 'hono';

/**
 * A service's Hono app. Any Env and routes: the network only calls `fetch` and reads `routes`.
 */
// `any`, not Hono's defaults: an app with a typed Env or Schema must fit too.
export type ServiceApp = Hono<any, any, any>;

/**
 * A service as a recipe rather than a running instance: the network calls `create` on start and
 * again on every restart, so whatever `create` builds (caches, counters, timers' state) is the
 * service's memory and is lost in a crash, while the resources passed in (databases) survive.
 */
export interface ServiceDefinition<R = unknown> {
  /** The service's host name on the network: `orders` is called as `http://orders/...`. */
  readonly name: string;
  /** Builds a fresh app from the service's resources. May be async, e.g. to create tables or recover work on boot. */
  readonly create: (context: R) => ServiceApp | Promise<ServiceApp>;
}

/** Host-name rules: what `new URL('http://<name>/')` keeps as written, so routing by host name is exact. */
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Declares a service. `create(context)` receives the resources given to `network.start` (its
 * database handles and whatever else the lab passes, such as `network.fetch` to call other
 * services) and returns its Hono app.
 *
 * @example
 * export const orders = defineService({
 *   name: 'orders',
 *   create: ({ db }: { db: Pg }) => {
 *     let served = 0; // in memory: gone after a crash
 *     return new Hono().get('/orders/:id', async (c) => { served++; ... });
 *   },
 * });
 */
export function defineService<R>(definition: ServiceDefinition<R>): ServiceDefinition<R> {
  const { name, create } = definition;
  if (typeof name !== 'string' || !SERVICE_NAME.test(name)) {
    throw new Error(
      `defineService: the name ${JSON.stringify(name)} cannot be a host name. Use lowercase letters, digits and hyphens, starting with a letter, e.g. "orders" or "order-history".`,
    );
  }
  if (typeof create !== 'function') throw new Error(`defineService("${name}"): create must be a function (context) => Hono app.`);
  return Object.freeze({ name, create });
}
