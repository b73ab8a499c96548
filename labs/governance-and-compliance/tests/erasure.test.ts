import type { Pg } from 'labkit/db';
import { expect, expectEqual, expectMatch, test } from 'labkit/test';
import { KeyStore, OrderEvents } from '../src/crypto-shredding.ts';
import { eraseCustomer, reapplyErasures } from '../src/erasure.ts';
import type { NewOrderEvent, PersonalFields } from '../src/shop.ts';
import { freshShop, tableText } from './helpers.ts';

const AMIRA: PersonalFields = { customerId: 'c-1', name: 'Amira Haddad', address: '12 rue de la Paix, 75002 Paris' };
const BEN: PersonalFields = { customerId: 'c-2', name: 'Ben Okafor', address: 'Müllerstraße 7, 13353 Berlin' };
const ELODIE: PersonalFields = { customerId: 'c-5', name: 'Élodie Martin', address: '3 place Bellecour, 69002 Lyon ♿' };

const EVENTS: NewOrderEvent[] = [
  { streamId: 'order-1001', type: 'OrderPlaced', totalCents: 4990, personal: AMIRA },
  { streamId: 'order-1002', type: 'OrderPlaced', totalCents: 12900, personal: BEN },
  { streamId: 'order-1002', type: 'OrderShipped', totalCents: 12900, personal: BEN },
  { streamId: 'order-1011', type: 'OrderPlaced', totalCents: 2450, personal: ELODIE },
  { streamId: 'order-1005', type: 'OrderPlaced', totalCents: 5600, personal: BEN },
];

async function withEvents() {
  const db = await freshShop();
  const keys = new KeyStore(db);
  const events = new OrderEvents(db, keys);
  // Positions with a gap: a failed append used one up.
  await db.query("SELECT setval(pg_get_serial_sequence('orders.events', 'position'), 16)");
  const positions: number[] = [];
  for (const event of EVENTS) positions.push(await events.append(event));
  return { db, keys, events, positions };
}

async function rawEvents(db: Pg) {
  const { rows } = await db.query('SELECT position::int AS position, stream_id, type, total_cents, key_id, encode(pii, $1) AS pii FROM orders.events ORDER BY position', ['hex']);
  return rows;
}

const hex = (text: string) => Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('');

test('events keep personal fields only as ciphertext, with a fresh IV each, and read them back with the customer\'s key', { task: 4, points: 5 }, async () => {
  const { db, events, positions } = await withEvents();
  expectEqual(positions, [17, 18, 19, 20, 21], 'positions append returned (the sequence was at 16)');
  const expected = EVENTS.map((e, i) => ({ position: 17 + i, streamId: e.streamId, type: e.type, totalCents: e.totalCents, personal: e.personal }));
  expectEqual(await events.read(), expected, 'events.read() after five appends');
  expectEqual(await events.read('order-1002'), expected.slice(1, 3), "events.read('order-1002')");
  const raw = await rawEvents(db);
  const leaks = raw.flatMap((row) =>
    [AMIRA, BEN, ELODIE].flatMap((p) =>
      [p.name, p.address, p.customerId]
        .filter((v) => (v !== p.customerId && JSON.stringify(row).includes(v)) || String(row.pii).includes(hex(v)))
        .map((v) => `position ${row.position}: ${v}`),
    ),
  );
  expectEqual(leaks, [], 'personal fields found in clear in orders.events (as text, or as the hex of their UTF-8 bytes in pii)');
  expect(raw[1]!.pii === raw[2]!.pii, 'pii of two events with the same personal fields (18 and 19): AES-GCM needs a fresh IV for every encryption, so they differ').toBe(false);
  const restarted = new OrderEvents(db, new KeyStore(db));
  expectEqual(await restarted.read(), expected, 'read() of a new OrderEvents and KeyStore on the same database (after a restart): keys are stored, not held in memory');
});

test("shredding one customer's key masks that customer's events and no other, and the events stay exactly as they were", { task: 4, points: 5 }, async () => {
  const { db, keys, events } = await withEvents();
  const before = await rawEvents(db);
  expectEqual((await events.read('order-1002')).map((e) => e.personal), [BEN, BEN], "Ben's events before the shred");
  expect(await keys.shred('c-2'), "keys.shred('c-2') the first time").toBe(true);
  expect(await keys.shred('c-2'), "keys.shred('c-2') again: nothing left to shred").toBe(false);
  expect(await keys.shred('c-404'), "keys.shred('c-404'), a customer with no key").toBe(false);
  expectEqual(await rawEvents(db), before, 'the rows of orders.events after shredding: untouched (positions, types, totals, ciphertext)');
  expectEqual((await events.read('order-1002')).map((e) => e.personal), [null, null], "Ben's events read through the same OrderEvents and KeyStore after the shred: no copy of the key may survive it, in memory either");
  const read = await new OrderEvents(db, new KeyStore(db)).read();
  expectEqual(
    read.map((e) => [e.position, e.totalCents, e.personal?.name ?? null]),
    [
      [17, 4990, 'Amira Haddad'],
      [18, 12900, null],
      [19, 12900, null],
      [20, 2450, 'Élodie Martin'],
      [21, 5600, null],
    ],
    "read() after shredding c-2's key: [position, totalCents, personal.name]; Ben's events read as masked (personal null), totals still count",
  );
  expectEqual((await events.read('order-1011'))[0]!.personal, ELODIE, "the personal fields of Élodie's event: another customer's key");
  await events.append({ streamId: 'order-1020', type: 'OrderPlaced', totalCents: 100, personal: AMIRA });
  expectEqual((await events.read('order-1020'))[0]!.personal, AMIRA, "a new event of Amira's after Ben's erasure");
});

/** Copies of Ben (c-2) and Amira (c-1) in every service but the event store. */
async function seedServices(db: Pg): Promise<void> {
  await db.exec(`
    INSERT INTO customers.login_events (id, customer_id, ip_address, at) VALUES
      (3, 'c-1', '198.51.100.7', '2026-03-01T09:00:00Z'), (8, 'c-2', '203.0.113.40', '2026-03-02T10:00:00Z'),
      (9, 'c-2', '2001:db8::42', '2026-03-03T11:00:00Z');
    INSERT INTO customers.outbox (topic, payload, published_at) VALUES
      ('CustomerRegistered', '{"customerId": "c-1", "name": "Amira Haddad", "email": "amira@example.org", "country": "FR"}', '2026-01-01T00:00:00Z'),
      ('CustomerRegistered', '{"customerId": "c-2", "name": "Ben Okafor", "email": "ben@example.org", "country": "DE"}', '2026-01-02T00:00:00Z'),
      ('CustomerEmailChanged', '{"customerId": "c-2", "email": "ben.okafor@example.org"}', NULL);
    INSERT INTO orders.customer_replica VALUES ('c-1', 'Amira Haddad', 'FR', '2026-03-01T00:00:00Z'), ('c-2', 'Ben Okafor', 'DE', '2026-03-01T00:00:00Z');
    INSERT INTO orders.order_summaries VALUES
      ('order-1001', 'c-1', 'Amira Haddad', '12 rue de la Paix, 75002 Paris', 4990),
      ('order-1002', 'c-2', 'Ben Okafor', 'Müllerstraße 7, 13353 Berlin', 12900),
      ('order-1005', 'c-2', 'Ben Okafor', 'Müllerstraße 7, 13353 Berlin', 5600);
    INSERT INTO payments.invoices VALUES
      ('inv-2026-0007', 'c-2', 'Ben Okafor', 'Müllerstraße 7, 13353 Berlin', 12900, '2026-02-01T12:00:00Z'),
      ('inv-2026-0009', 'c-1', 'Amira Haddad', '12 rue de la Paix, 75002 Paris', 4990, '2026-02-03T12:00:00Z');
    INSERT INTO notifications.recipients VALUES ('c-1', 'amira@example.org'), ('c-2', 'ben@example.org');
    INSERT INTO notifications.sent_emails (customer_id, recipient, subject, sent_at) VALUES
      ('c-2', 'ben@example.org', 'Your order order-1002 has shipped', '2026-02-02T08:00:00Z'),
      ('c-1', 'amira@example.org', 'Votre commande est partie', '2026-02-04T08:00:00Z');`);
}

const BEN_TRACES = ['Ben Okafor', 'ben@example.org', 'ben.okafor@example.org', 'Müllerstraße', '203.0.113.40', '2001:db8::42'];

/** Where Ben's data is still found, table by table, outside the tables that may keep it. */
async function benTraces(db: Pg): Promise<string[]> {
  const tables = ['customers.customers', 'customers.login_events', 'customers.outbox', 'orders.customer_replica', 'orders.order_summaries', 'notifications.recipients', 'notifications.sent_emails'];
  const found: string[] = [];
  for (const table of tables) {
    const text = await tableText(db, table);
    for (const trace of BEN_TRACES) if (text.includes(trace)) found.push(`${table}: ${trace}`);
  }
  return found;
}

/** What Amira (c-1) has everywhere: an erasure of Ben must leave it exactly so. */
async function amiraEverywhere(db: Pg): Promise<string> {
  const parts: string[] = [];
  for (const table of ['customers.customers', 'customers.login_events', 'customers.outbox', 'orders.customer_replica', 'orders.order_summaries', 'payments.invoices', 'notifications.recipients', 'notifications.sent_emails']) {
    const { rows } = await db.query<{ t: string }>(`SELECT x::text AS t FROM ${table} x WHERE x::text LIKE '%c-1%' ORDER BY 1`);
    parts.push(`${table}: ${rows.map((r) => r.t).join(' ; ')}`);
  }
  return parts.join('\n');
}

const REQUEST = { requestId: 'er-2026-0042', customerId: 'c-2', requestedAt: new Date('2026-03-10T09:30:00+01:00') };

test("eraseCustomer removes Ben from every service's copies, masks the read model, keeps the invoices, and records each service's answer in the ledger", { task: 4, points: 6 }, async () => {
  const { db, keys, events } = await withEvents();
  await seedServices(db);
  const amira = await amiraEverywhere(db);
  const report = await eraseCustomer(db, keys, REQUEST);
  expectEqual(await benTraces(db), [], "Ben's name, emails, address and IP addresses still found after eraseCustomer (payments.invoices may keep them)");
  const { rows: summaries } = await db.query('SELECT order_id, customer_id, ship_to_name, ship_to_address, total_cents FROM orders.order_summaries ORDER BY order_id');
  expectEqual(summaries.slice(1), [
    { order_id: 'order-1002', customer_id: 'c-2', ship_to_name: null, ship_to_address: null, total_cents: 12900 },
    { order_id: 'order-1005', customer_id: 'c-2', ship_to_name: null, ship_to_address: null, total_cents: 5600 },
  ], "Ben's rows in orders.order_summaries: masked (name and address NULL), orders and totals kept");
  const { rows: invoices } = await db.query(`SELECT invoice_id, billed_name FROM payments.invoices WHERE customer_id = 'c-2'`);
  expectEqual(invoices, [{ invoice_id: 'inv-2026-0007', billed_name: 'Ben Okafor' }], "Ben's invoice: kept, as tax law requires (Article 17(3))");
  expectEqual((await events.read()).filter((e) => e.streamId === 'order-1002' || e.streamId === 'order-1005').map((e) => e.personal), [null, null, null], "Ben's events after eraseCustomer: his key is shredded");
  expectEqual(await amiraEverywhere(db), amira, "Amira's rows everywhere: another customer's erasure must not touch them");
  const { rows: ledger } = await db.query('SELECT request_id, customer_id FROM governance.erasure_ledger');
  expectEqual(ledger, [{ request_id: 'er-2026-0042', customer_id: 'c-2' }], 'governance.erasure_ledger');
  const { rows: steps } = await db.query<{ service: string; action: string }>(`SELECT service, action FROM governance.erasure_steps WHERE request_id = 'er-2026-0042' ORDER BY service`);
  expectEqual(steps.map((s) => s.service), ['customers', 'keys', 'notifications', 'orders', 'payments'], 'services with a step in governance.erasure_steps: every service in SERVICES answers');
  expectMatch(steps.find((s) => s.service === 'payments'), { action: expect.stringMatching(/^kept/) }, "payments' step: its invoices are kept");
  expectEqual([...report.steps].sort((a, b) => a.service.localeCompare(b.service)), steps, "eraseCustomer's report: the steps the ledger recorded");
  expect(report.requestId, "the report's requestId").toBe('er-2026-0042');
});

test('an erasure request delivered twice is harmless, and the ledger holds ids, never the data it erased', { task: 4, points: 3 }, async () => {
  const { db, keys, events } = await withEvents();
  await seedServices(db);
  await eraseCustomer(db, keys, REQUEST);
  const first = await benTraces(db);
  await eraseCustomer(db, keys, REQUEST);
  expectEqual(first, [], "Ben's traces after the first delivery");
  expectEqual(await benTraces(db), [], "Ben's traces after the second delivery");
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM governance.erasure_ledger');
  expect(rows[0]!.n, 'entries in governance.erasure_ledger after the same request twice').toBe(1);
  const ledgerText = `${await tableText(db, 'governance.erasure_ledger')} ${await tableText(db, 'governance.erasure_steps')}`;
  expectEqual(BEN_TRACES.filter((t) => ledgerText.includes(t)), [], "Ben's data found in the erasure ledger or its steps");
  expect((await events.read()).filter((e) => e.personal === null).length, 'events read as masked after two deliveries').toBe(3);
});

/** A backup of every service's tables (customers, orders, payments, notifications): the key service and governance are not in it. */
async function backup(db: Pg): Promise<Map<string, string>> {
  const { rows } = await db.query<{ t: string }>(
    `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS t FROM information_schema.tables
      WHERE table_schema IN ('customers', 'orders', 'payments', 'notifications') AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const copy = new Map<string, string>();
  for (const { t } of rows) {
    const { rows: data } = await db.query<{ j: string }>(`SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]')::text AS j FROM ${t} x`);
    copy.set(t, data[0]!.j);
  }
  return copy;
}

async function restore(db: Pg, copy: Map<string, string>): Promise<void> {
  await db.transaction(async (tx) => {
    for (const [t, json] of copy) {
      await tx.exec(`TRUNCATE ${t}`);
      await tx.query(`INSERT INTO ${t} SELECT * FROM jsonb_populate_recordset(NULL::${t}, $1::jsonb)`, [json]);
    }
  });
}

test('after a backup taken before the erasure is restored, reapplyErasures erases Ben again and his events stay unreadable', { task: 4, points: 6 }, async () => {
  const { db, keys } = await withEvents();
  await seedServices(db);
  const nightly = await backup(db);
  await eraseCustomer(db, keys, REQUEST);
  await eraseCustomer(db, keys, { requestId: 'er-2026-0051', customerId: 'c-5', requestedAt: new Date('2026-03-11T00:00:00Z') });
  await restore(db, nightly);
  const restoredRaw = await rawEvents(db);
  expect(await reapplyErasures(db, keys), 'reapplyErasures after the restore: customers it erased again (c-2 and c-5)').toBe(2);
  expectEqual(await benTraces(db), [], "Ben's traces after the restore and reapplyErasures");
  const read = await new OrderEvents(db, new KeyStore(db)).read();
  expectEqual(
    read.map((e) => [e.position, e.personal?.name ?? null]),
    [
      [17, 'Amira Haddad'],
      [18, null],
      [19, null],
      [20, null],
      [21, null],
    ],
    "events after the restore and reapplyErasures, [position, personal.name]: the restored backup must not bring back Ben's or Élodie's key",
  );
  expectEqual(await rawEvents(db), restoredRaw, 'orders.events after reapplyErasures: the event store itself is not rewritten');
  const { rows } = await db.query(`SELECT customer_id FROM customers.customers WHERE customer_id IN ('c-1', 'c-2', 'c-5') ORDER BY 1`);
  expectEqual(rows, [{ customer_id: 'c-1' }], 'customers among c-1, c-2 and c-5 after the restore and reapplyErasures');
});
