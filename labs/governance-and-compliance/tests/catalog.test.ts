import { expectEqual, test } from 'labkit/test';
import { catalogProblems, classifyShop } from '../src/catalog.ts';
import { SERVICES, type ColumnRef } from '../src/shop.ts';
import { freshShop } from './helpers.ts';

const sorted = (refs: readonly ColumnRef[]) =>
  refs.map((r) => ({ service: r.service, table: r.table, column: r.column })).sort((a, b) => `${a.service}.${a.table}.${a.column}`.localeCompare(`${b.service}.${b.table}.${b.column}`));

async function classified() {
  const db = await freshShop();
  await classifyShop(db);
  return db;
}

test('classifyShop classifies every column of every service, and the check then finds nothing', { task: 1, points: 4 }, async () => {
  const db = await classified();
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = ANY($1::text[])`,
    [[...SERVICES]],
  );
  const { rows: catalog } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM governance.data_catalog');
  expectEqual(catalog[0]!.n >= rows[0]!.n, true, `rows in governance.data_catalog (${catalog[0]!.n}) against columns of the services' tables (${rows[0]!.n}): classifyShop must write one row per column`);
  expectEqual(await catalogProblems(db), { unclassified: [], stale: [] }, 'catalogProblems(db) right after classifyShop(db) on the shop as src/shop.ts creates it');
});

test('the catalog follows the lesson: customer ids are personal everywhere, free text and keys are sensitive', { task: 1, points: 3 }, async () => {
  const db = await classified();
  const { rows } = await db.query<{ service: string; table_name: string; column_name: string; classification: string }>(
    'SELECT service, table_name, column_name, classification FROM governance.data_catalog',
  );
  const level = (service: string, table: string, column: string) =>
    rows.find((r) => r.service === service && r.table_name === table && r.column_name === column)?.classification ?? '(no row)';
  const ids = rows.filter((r) => r.column_name === 'customer_id');
  const expected: Record<string, string> = {};
  const got: Record<string, string> = {};
  for (const r of ids) {
    expected[`${r.service}.${r.table_name}.customer_id`] = 'personal';
    got[`${r.service}.${r.table_name}.customer_id`] = r.classification;
  }
  expectEqual(got, expected, 'every customer_id column: a pseudonymous id is still personal data (the lesson, rule 3)');
  expectEqual(
    {
      delivery_notes: level('customers', 'customers', 'delivery_notes'),
      key_bytes: level('keys', 'customer_keys', 'key_bytes'),
    },
    { delivery_notes: 'sensitive', key_bytes: 'sensitive' },
    'a free-text field is as sensitive as the worst thing typed into it; a customer key unlocks their events',
  );
  const personalOrMore = ['personal', 'sensitive'];
  const shouldBePersonal = [
    ['customers', 'customers', 'name'],
    ['customers', 'customers', 'email'],
    ['customers', 'login_events', 'ip_address'],
    ['customers', 'outbox', 'payload'],
    ['orders', 'events', 'pii'],
    ['orders', 'customer_replica', 'name'],
    ['orders', 'order_summaries', 'ship_to_address'],
    ['payments', 'invoices', 'billing_address'],
    ['notifications', 'recipients', 'email'],
    ['notifications', 'sent_emails', 'recipient'],
  ] as const;
  const wrong = shouldBePersonal.map(([s, t, c]) => `${s}.${t}.${c}: ${level(s, t, c)}`).filter((line) => !personalOrMore.some((l) => line.endsWith(`: ${l}`)));
  expectEqual(wrong, [], 'columns holding a name, an email, an address, an IP address or encrypted personal fields, classified below personal (encrypted is still personal for the shop, which holds the key)');
});

test('a column added to a table, or a new table, is named as unclassified', { task: 1, points: 4 }, async () => {
  const db = await classified();
  await db.exec(`ALTER TABLE customers.customers ADD COLUMN referral_code text;
    ALTER TABLE orders.order_summaries ADD COLUMN "Lieferhinweis_ü" text;
    CREATE TABLE payments.refunds (refund_id text PRIMARY KEY, "Invoice" text NOT NULL);
    INSERT INTO payments.refunds VALUES ('r-1', 'inv-1');`);
  expectEqual(
    sorted((await catalogProblems(db)).unclassified),
    sorted([
      { service: 'customers', table: 'customers', column: 'referral_code' },
      { service: 'orders', table: 'order_summaries', column: 'Lieferhinweis_ü' },
      { service: 'payments', table: 'refunds', column: 'Invoice' },
      { service: 'payments', table: 'refunds', column: 'refund_id' },
    ]),
    'catalogProblems(db).unclassified after the tests added customers.referral_code, orders.order_summaries."Lieferhinweis_ü" and a table payments.refunds (names exactly as in the schema)',
  );
  await db.query(`INSERT INTO governance.data_catalog VALUES ('customers', 'customers', 'referral_code', 'personal', NULL)`);
  expectEqual(
    sorted((await catalogProblems(db)).unclassified).map((r) => r.column).sort(),
    ['Invoice', 'Lieferhinweis_ü', 'refund_id'],
    'unclassified columns once referral_code has its catalog row',
  );
});

test('a catalog row for a column or a table that no longer exists is named as stale', { task: 1, points: 4 }, async () => {
  const db = await classified();
  await db.exec(`ALTER TABLE customers.customers DROP COLUMN loyalty_tier;
    INSERT INTO governance.data_catalog VALUES
      ('orders', 'legacy_orders', 'order_id', 'internal', 'dropped last year'),
      ('analytics', 'revenue', 'customer_id', 'personal', 'no such service in this shop'),
      ('customers', 'Customers', 'name', 'personal', 'wrong case: no such table');`);
  const problems = await catalogProblems(db);
  expectEqual(
    sorted(problems.stale),
    sorted([
      { service: 'customers', table: 'customers', column: 'loyalty_tier' },
      { service: 'orders', table: 'legacy_orders', column: 'order_id' },
      { service: 'analytics', table: 'revenue', column: 'customer_id' },
      { service: 'customers', table: 'Customers', column: 'name' },
    ]),
    'catalogProblems(db).stale after the tests dropped customers.loyalty_tier and added catalog rows for a table and a service that do not exist (and a table name in the wrong case)',
  );
  expectEqual(problems.unclassified, [], 'catalogProblems(db).unclassified: nothing was added');
});
