/**
 * Helpers shared by the test files: the monolith, the shop after a split (done by your
 * migration for task 1, or by the tests themselves for tasks 2 to 4, so each task can be
 * worked on alone), a Customers service on the network, and Orders with a counted fetch.
 */
import { createBus, type Bus } from 'labkit/bus';
import { createClock, type Clock } from 'labkit/clock';
import { pg, pgErrorCode, pgSchema, type Pg, type PgQueries } from 'labkit/db';
import type { MessageFaults } from 'labkit/faults';
import { createNetwork, type Network, type ServiceFetch } from 'labkit/service';
import { showValue } from 'labkit/test';
import { Customers, customersService } from '../src/customers.ts';
import { Orders } from '../src/orders.ts';
import { createMonolith, prepareReplica, type ReplicaRow } from '../src/shop.ts';

/** Where the test clock starts: 2026-01-01T00:00:00.007Z in ms, far past 2^32. */
export const START = 1_767_225_600_007;

export interface Databases {
  owner: Pg;
  customersDb: Pg;
  ordersDb: Pg;
}

/** The monolith's rows in `public`, and the two services' schemas and roles (empty). */
export async function monolith(): Promise<Databases> {
  const owner = await pg();
  // A grader-only check runs again in the same test's database: start over.
  await owner.exec('DROP TABLE IF EXISTS public.orders, public.customers; DROP SCHEMA IF EXISTS customers CASCADE; DROP SCHEMA IF EXISTS orders CASCADE;');
  await createMonolith(owner);
  return { owner, customersDb: await pgSchema('customers'), ordersDb: await pgSchema('orders') };
}

/**
 * The split as the tests of tasks 2 to 4 need it, done without your migration: each service's
 * role creates its own table, and the owner copies the monolith's rows across.
 */
export async function splitByTheTests(): Promise<Databases> {
  const dbs = await monolith();
  await dbs.customersDb.exec(`CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL UNIQUE, country text NOT NULL, version integer NOT NULL)`);
  await dbs.ordersDb.exec(`CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, sku text NOT NULL, quantity integer NOT NULL,
    ship_to_name text NOT NULL, ship_to_country text NOT NULL, placed_at timestamptz NOT NULL)`);
  await dbs.owner.exec(`
    INSERT INTO customers.customers SELECT id, name, email, country, 1 FROM public.customers;
    INSERT INTO orders.orders SELECT o.id, o.customer_id, o.sku, o.quantity, c.name, c.country, o.placed_at FROM public.orders o JOIN public.customers c ON c.id = o.customer_id;`);
  await prepareReplica(dbs.ordersDb);
  return dbs;
}

export interface Shop extends Databases {
  clock: Clock;
  bus: Bus;
  network: Network;
  customers: Customers;
  orders: Orders;
  /** Calls Orders made to Customers' API, as paths: `/customers/42`. */
  calls: string[];
  /** From now on, Orders' calls go to `fetch` instead of the network (a Customers that answers 503). */
  replaceFetch(fetch: ServiceFetch): void;
}

/** The split shop running: Customers on the network and the bus, Orders with a fetch that counts its calls. */
export async function shop(options: { faults?: MessageFaults; fetch?: ServiceFetch } = {}): Promise<Shop> {
  const dbs = await splitByTheTests();
  const clock = createClock(START);
  const bus = createBus({ clock, faults: options.faults });
  const customers = new Customers(dbs.customersDb, bus);
  const network = createNetwork();
  await network.start(customersService, { customers });
  const calls: string[] = [];
  let through = options.fetch ?? network.fetch;
  const fetch: ServiceFetch = (input, init) => {
    calls.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
    return through(input, init);
  };
  return { ...dbs, clock, bus, network, customers, calls, orders: new Orders({ db: dbs.ordersDb, clock, fetch }), replaceFetch: (next) => (through = next) };
}

/** Puts an entry into Orders' replica directly, as if it had been synced at `syncedAt`. */
export async function putReplica(db: PgQueries, row: ReplicaRow): Promise<void> {
  await db.query(
    `INSERT INTO orders.customer_replica (customer_id, name, country, version, synced_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (customer_id) DO UPDATE SET name = EXCLUDED.name, country = EXCLUDED.country, version = EXCLUDED.version, synced_at = EXCLUDED.synced_at`,
    [row.customer_id, row.name, row.country, row.version, row.synced_at],
  );
}

/** Every entry of the replica, by customer id. */
export async function replicaRows(db: PgQueries): Promise<ReplicaRow[]> {
  const { rows } = await db.query<ReplicaRow>(
    'SELECT customer_id, name, country, version, synced_at::float8 AS synced_at FROM orders.customer_replica ORDER BY customer_id',
  );
  return rows;
}

/** Orders' stored orders, by id, with placed_at as epoch ms. */
export async function orderRows(db: PgQueries): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query(
    `SELECT id, customer_id, sku, quantity, ship_to_name, ship_to_country, (extract(epoch FROM placed_at) * 1000)::float8 AS placed_at_ms
       FROM orders.orders ORDER BY id`,
  );
  return rows;
}

/** What a promise did, for a message: `it returned …` or `it threw …`, and the error itself. */
export async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/** Runs a query as a service's role and says how it ended: `ok` or the SQLSTATE (42501) and message. */
export async function attempt(db: PgQueries, sql: string): Promise<string> {
  try {
    await db.query(sql);
    return 'ok';
  } catch (error) {
    return `${pgErrorCode(error) ?? 'error'} (${error instanceof Error ? error.message : showValue(error)})`;
  }
}
