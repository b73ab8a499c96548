import { pgErrorCode, type Pg } from 'labkit/db';
import { expect, expectEqual, test } from 'labkit/test';
import { SPLIT_MIGRATION_SQL } from '../src/migration.ts';
import { prepareReplica, runMigration } from '../src/shop.ts';
import { attempt, monolith, orderRows, type Databases } from './helpers.ts';

/** Runs your migration, turning a failure into a message that says which run failed. */
async function migrate(owner: Pg, run: string): Promise<void> {
  try {
    await runMigration(owner, SPLIT_MIGRATION_SQL);
  } catch (error) {
    throw new Error(`the ${run} run of SPLIT_MIGRATION_SQL failed: ${pgErrorCode(error) ?? ''} ${error instanceof Error ? error.message : String(error)}. Every run must succeed, however often it runs (IF NOT EXISTS, ON CONFLICT).`);
  }
}

async function customerRows(owner: Pg): Promise<Record<string, unknown>[]> {
  const exists = await owner.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'customers' AND tablename = 'customers'`);
  if (exists.rows.length === 0) throw new Error('after SPLIT_MIGRATION_SQL there is no table customers.customers: the migration must create it (see the README, task 1)');
  const { rows } = await owner.query('SELECT id, name, email, country, version FROM customers.customers ORDER BY id');
  return rows;
}

async function ordersOf(owner: Pg): Promise<Record<string, unknown>[]> {
  const exists = await owner.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'orders' AND tablename = 'orders'`);
  if (exists.rows.length === 0) throw new Error('after SPLIT_MIGRATION_SQL there is no table orders.orders: the migration must create it (see the README, task 1)');
  return orderRows(owner);
}

/** What the migration must produce, computed from the monolith's tables as they are now. */
async function expected(owner: Pg): Promise<{ customers: Record<string, unknown>[]; orders: Record<string, unknown>[] }> {
  const customers = (await owner.query('SELECT id, name, email, country, 1 AS version FROM public.customers ORDER BY id')).rows;
  const orders = (
    await owner.query(
      `SELECT o.id, o.customer_id, o.sku, o.quantity, c.name AS ship_to_name, c.country AS ship_to_country, (extract(epoch FROM o.placed_at) * 1000)::float8 AS placed_at_ms
         FROM public.orders o JOIN public.customers c ON c.id = o.customer_id ORDER BY o.id`,
    )
  ).rows;
  return { customers, orders };
}

test('the migration copies every customer and every order into the two schemas', { task: 1, points: 6 }, async () => {
  const { owner } = await monolith();
  const want = await expected(owner);
  await migrate(owner, 'first');
  expectEqual(await customerRows(owner), want.customers, 'customers.customers after the migration (every monolith customer, version 1)');
  expectEqual(await ordersOf(owner), want.orders, "orders.orders after the migration (every monolith order with its customer's name and country)");
});

test('running the migration twice gives the same tables and loses no row', { task: 1, points: 8 }, async () => {
  const { owner } = await monolith();
  const want = await expected(owner);
  await migrate(owner, 'first');
  const afterFirst = { customers: await customerRows(owner), orders: await ordersOf(owner) };
  await migrate(owner, 'second');
  expectEqual({ customers: await customerRows(owner), orders: await ordersOf(owner) }, afterFirst, 'the two schemas after the second run, compared with after the first');
  await migrate(owner, 'third');
  expectEqual({ customers: await customerRows(owner), orders: await ordersOf(owner) }, want, 'the two schemas after a third run, compared with the monolith');
});

test('a second run copies rows the monolith added and keeps what the services changed', { task: 1, points: 6 }, async () => {
  const { owner, customersDb, ordersDb } = await monolith();
  await migrate(owner, 'first');
  // During the cutover the old code still writes to public, and the new services already work.
  await owner.exec(`
    INSERT INTO public.customers (id, name, email, country) VALUES (5, 'Ærøskøbing Ølstad', 'olstad@example.dk', 'DK');
    INSERT INTO public.orders (id, customer_id, sku, quantity, placed_at) VALUES (12, 5, 'MUG-陶器', 4, '2026-03-03 18:00:00+05:30'), (16, 3, 'TEAPOT', 1, '2026-03-04 07:00:00-08:00');`);
  await customersDb.query(`UPDATE customers SET name = 'Amélie Poulain-Dupont', version = 2 WHERE id = 42`);
  await ordersDb.query('UPDATE orders SET quantity = 5 WHERE id = 10');
  await migrate(owner, 'second');
  const customers = await customerRows(owner);
  expectEqual(
    customers.map((c) => c.id),
    [3, 5, 7, 8, 42, 1001],
    'the customer ids after the second run (customer 5 was added to the monolith after the first)',
  );
  expectEqual(customers.find((c) => c.id === 42), { id: 42, name: 'Amélie Poulain-Dupont', email: 'amelie@example.fr', country: 'FR', version: 2 }, 'customer 42, renamed by Customers between the two runs');
  const orders = await ordersOf(owner);
  expectEqual(
    orders.map((o) => o.id),
    [10, 11, 12, 15, 16, 99],
    'the order ids after the second run (orders 12 and 16 were added to the monolith after the first)',
  );
  expectEqual(orders.find((o) => o.id === 10)?.quantity, 5, 'the quantity of order 10, changed by Orders between the two runs (2 in the monolith)');
  expectEqual(orders.find((o) => o.id === 12)?.ship_to_name, 'Ærøskøbing Ølstad', 'the name order 12 ships to');
});

test("each service's role reads and writes its own tables", { task: 1, points: 2 }, async () => {
  const { owner, customersDb, ordersDb } = await monolith();
  await migrate(owner, 'first');
  const checks: [Pg, string, string][] = [
    [customersDb, 'customers', 'SELECT count(*) FROM customers.customers'],
    [customersDb, 'customers', `INSERT INTO customers.customers (id, name, email, country, version) VALUES (2000, 'Šárka Nováková', 'sarka@example.cz', 'CZ', 1)`],
    [customersDb, 'customers', `UPDATE customers.customers SET country = 'AT' WHERE id = 7`],
    [ordersDb, 'orders', 'SELECT count(*) FROM orders.orders'],
    [ordersDb, 'orders', `INSERT INTO orders.orders (id, customer_id, sku, quantity, ship_to_name, ship_to_country, placed_at) VALUES (2000, 3, 'MUG', 1, 'Zoë Kowalska', 'PL', now())`],
    [ordersDb, 'orders', 'UPDATE orders.orders SET quantity = 9 WHERE id = 11'],
  ];
  for (const [db, role, sql] of checks) {
    expect(await attempt(db, sql), `as role ${role}, \`${sql.slice(0, 60)}…\` (the migration runs as the owner: give each role its own tables, with OWNER TO or GRANT)`).toBe('ok');
  }
});

/** The tables, views and sequences in a schema, from the catalog, so a table you added is checked too. */
async function relationsIn(owner: Pg, schema: string): Promise<string[]> {
  const { rows } = await owner.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname`,
    [schema],
  );
  return rows.map((r) => r.relname);
}

async function expectRefused(db: Pg, role: string, tables: string[], owner: string): Promise<void> {
  for (const table of tables) {
    const result = await attempt(db, `SELECT * FROM ${table} LIMIT 1`);
    expect(result.slice(0, 5), `as role ${role}, reading ${table} (a table of ${owner}) must fail with 42501 (insufficient_privilege); it gave ${result}`).toBe('42501');
  }
}

test("Orders' role is refused on every Customers table, and the reverse", { task: 1, points: 4 }, async () => {
  const dbs: Databases = await monolith();
  await migrate(dbs.owner, 'first');
  await prepareReplica(dbs.ordersDb);
  const customersTables = await relationsIn(dbs.owner, 'customers');
  const ordersTables = await relationsIn(dbs.owner, 'orders');
  expect(customersTables.includes('customers') && ordersTables.includes('orders'), `the migration must create customers.customers and orders.orders; the schemas hold customers: ${customersTables.join(', ') || 'nothing'}, orders: ${ordersTables.join(', ') || 'nothing'}`).toBe(true);
  await expectRefused(dbs.ordersDb, 'orders', [...customersTables.map((t) => `customers."${t}"`), 'public.customers'], 'Customers');
  await expectRefused(dbs.customersDb, 'customers', [...ordersTables.map((t) => `orders."${t}"`), 'public.orders'], 'Orders');
});

test("no table of one service references another's tables", { task: 1, points: 2 }, async () => {
  const { owner } = await monolith();
  await migrate(owner, 'first');
  const tables = await owner.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'orders' AND tablename = 'orders'`);
  expect(tables.rows.length, 'the migration must create orders.orders').toBe(1);
  const { rows } = await owner.query<{ constraint: string }>(
    `SELECT format('%s on %s references %s', con.conname, con.conrelid::regclass, con.confrelid::regclass) AS constraint
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
       JOIN pg_class r ON r.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
      WHERE con.contype = 'f' AND tn.nspname IN ('customers', 'orders') AND rn.nspname <> tn.nspname`,
  );
  expectEqual(
    rows.map((r) => r.constraint),
    [],
    "foreign keys from a service's table to a table outside its schema (Orders keeps customer_id as a plain column: Customers' rows are not its to check)",
  );
});
