/**
 * The shop's shared pieces for this lab: the monolith's tables as the old code left them, the
 * helper that runs a migration as the owner, the events Customers publishes, what Orders
 * stores, and the errors Orders refuses with. Read it; the tests and the other files use it.
 */
import type { Pg, PgQueries } from 'labkit/db';

/**
 * How old a replica entry may be and still be used without asking Customers: 5 minutes on the
 * clock, counted from when Orders last wrote the entry (an event applied, or an answer of
 * Customers' API). An entry exactly this old is still fresh; one millisecond more is stale.
 */
export const STALENESS_BOUND_MS = 5 * 60 * 1000;

/** The bus topic Customers publishes its events on, keyed by the customer id. */
export const CUSTOMER_EVENTS_TOPIC = 'customer-events';

/**
 * What Customers says about a customer, in every event and in its API. Every event carries the
 * whole customer as it is after the change (event-carried state transfer) and the customer's
 * version: 1 at registration, one more with each change.
 */
export interface CustomerSnapshot {
  customerId: number;
  name: string;
  country: string;
  version: number;
}

export type CustomerEventType = 'CustomerRegistered' | 'CustomerRenamed' | 'CustomerMoved';

export interface CustomerEvent extends CustomerSnapshot {
  type: CustomerEventType;
}

/** The columns of Orders' replica table `orders.customer_replica`; `synced_at` is a clock time in ms. */
export interface ReplicaRow {
  customer_id: number;
  name: string;
  country: string;
  version: number;
  synced_at: number;
}

/** Creates Orders' replica table in Orders' own schema (run through Orders' handle, so Orders' role owns it). */
export async function prepareReplica(ordersDb: Pg): Promise<void> {
  await ordersDb.exec(`CREATE TABLE IF NOT EXISTS customer_replica (
    customer_id integer PRIMARY KEY,
    name        text    NOT NULL,
    country     text    NOT NULL,
    version     integer NOT NULL,
    synced_at   bigint  NOT NULL
  )`);
}

/** Reads one replica entry, or undefined. `synced_at` and `version` come back as numbers. */
export async function replicaEntry(db: PgQueries, customerId: number): Promise<ReplicaRow | undefined> {
  const { rows } = await db.query<ReplicaRow>(
    'SELECT customer_id, name, country, version, synced_at::float8 AS synced_at FROM customer_replica WHERE customer_id = $1',
    [customerId],
  );
  return rows[0];
}

/** An order as Orders places it. */
export interface NewOrder {
  orderId: number;
  customerId: number;
  sku: string;
  quantity: number;
}

/** An order as Orders stored it: with the name and country it ships to, copied at order time. */
export interface PlacedOrder extends NewOrder {
  shipToName: string;
  shipToCountry: string;
}

/** Customers has no such customer: its API answered 404. Orders never places the order. */
export class UnknownCustomerError extends Error {
  override readonly name = 'UnknownCustomerError';
  readonly customerId: number;

  constructor(customerId: number) {
    super(`customer ${customerId} does not exist (Customers' API answered 404), so the order is refused`);
    this.customerId = customerId;
  }
}

/**
 * Orders could not learn a customer it may use: its replica entry is missing or older than
 * STALENESS_BOUND_MS, and Customers' API is down or failing. `ageMs` is the entry's age, or
 * undefined when the replica has no entry.
 */
export class CustomersUnavailableError extends Error {
  override readonly name = 'CustomersUnavailableError';
  readonly customerId: number;
  readonly ageMs: number | undefined;

  constructor(customerId: number, ageMs: number | undefined) {
    super(
      ageMs === undefined
        ? `Customers is unavailable and the replica has no entry for customer ${customerId}: the order is refused, try again later`
        : `Customers is unavailable and the replica's entry for customer ${customerId} is ${ageMs} ms old (the bound is ${STALENESS_BOUND_MS} ms): the order is refused, try again later`,
    );
    this.customerId = customerId;
    this.ageMs = ageMs;
  }
}

/**
 * The monolith as the old code left it: everything in `public`, orders joined to customers by
 * a foreign key. Ids have gaps; names are not ASCII; order times were written in Tokyo and
 * New York time. Created through the owner's (superuser) handle, before the services exist.
 */
export async function createMonolith(owner: Pg): Promise<void> {
  await owner.exec(`
    CREATE TABLE public.customers (
      id      integer PRIMARY KEY,
      name    text NOT NULL,
      email   text NOT NULL UNIQUE,
      country text NOT NULL
    );
    CREATE TABLE public.orders (
      id          integer PRIMARY KEY,
      customer_id integer NOT NULL REFERENCES public.customers (id),
      sku         text    NOT NULL,
      quantity    integer NOT NULL,
      placed_at   timestamptz NOT NULL
    );
    INSERT INTO public.customers (id, name, email, country) VALUES
      (3,    'Zoë Kowalska',         'zoe@example.pl',      'PL'),
      (7,    'Jürgen Groß',          'juergen@example.de',  'DE'),
      (8,    '東京 太郎',            'taro@example.jp',     'JP'),
      (42,   'Amélie Poulain 🙂',    'amelie@example.fr',   'FR'),
      (1001, 'Madonna',              'madonna@example.com', 'US');
    INSERT INTO public.orders (id, customer_id, sku, quantity, placed_at) VALUES
      (10, 7,    'MUG-陶器',           2, '2026-03-01 09:15:00+09:00'),
      (11, 42,   'CAFÉ-ÉTHIOPIE-250G', 1, '2026-03-01 23:59:59-05:00'),
      (15, 7,    'TEAPOT',             1, '2026-03-02 00:00:00+09:00'),
      (99, 1001, 'MUG-陶器',           3, '2026-03-29 02:30:00+01:00');
  `);
}

/** Runs a migration's SQL as the owner (the superuser that owns the monolith), in one transaction. */
export async function runMigration(owner: Pg, sql: string): Promise<void> {
  await owner.transaction((tx) => tx.exec(sql));
}

/**
 * Where Customers' name change stands (task 4). `original`: only `name`. `expanded`: EXPAND_SQL
 * ran. `migrated`: MIGRATE_SQL ran too. `contracted`: CONTRACT_SQL ran, `name` is gone.
 * Customers' code is deployed for one phase at a time and reads and writes names through
 * `readName` and `nameColumns` of name-columns.ts in every phase but `original`.
 */
export type Phase = 'original' | 'expanded' | 'migrated' | 'contracted';
