/**
 * Task 1: the migration that splits the monolith's `public` schema into the two services'
 * schemas. It runs as the owner (runMigration in shop.ts), once for the cutover and again
 * whenever the operator is unsure it finished: every run must leave the same result.
 */
export const SPLIT_MIGRATION_SQL = `
  CREATE SCHEMA IF NOT EXISTS customers;
  CREATE SCHEMA IF NOT EXISTS orders;

  CREATE TABLE IF NOT EXISTS customers.customers (
    id      integer PRIMARY KEY,
    name    text    NOT NULL,
    email   text    NOT NULL UNIQUE,
    country text    NOT NULL,
    version integer NOT NULL
  );
  -- No REFERENCES customers.customers: Orders keeps the id, not a link into Customers' tables.
  CREATE TABLE IF NOT EXISTS orders.orders (
    id              integer PRIMARY KEY,
    customer_id     integer NOT NULL,
    sku             text    NOT NULL,
    quantity        integer NOT NULL,
    ship_to_name    text    NOT NULL,
    ship_to_country text    NOT NULL,
    placed_at       timestamptz NOT NULL
  );

  -- Each service's role owns its tables, and no one else gets a grant.
  ALTER TABLE customers.customers OWNER TO customers;
  ALTER TABLE orders.orders OWNER TO orders;

  -- Copy what is missing; a row already there is the service's now and is left alone.
  INSERT INTO customers.customers (id, name, email, country, version)
  SELECT id, name, email, country, 1 FROM public.customers
  ON CONFLICT (id) DO NOTHING;

  -- The last join across the two services: the name and country each order ships to.
  INSERT INTO orders.orders (id, customer_id, sku, quantity, ship_to_name, ship_to_country, placed_at)
  SELECT o.id, o.customer_id, o.sku, o.quantity, c.name, c.country, o.placed_at
    FROM public.orders o JOIN public.customers c ON c.id = o.customer_id
  ON CONFLICT (id) DO NOTHING;
`;
