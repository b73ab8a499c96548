import type { PgQueries } from 'labkit/db';
import { expect, expectEqual, test } from 'labkit/test';
import { listPayments, recordPayment } from '../src/queries.ts';
import { BadRequest } from '../src/shop.ts';
import { fingerprint, freshPayments, insertPayments, PAYMENTS, thrown } from './helpers.ts';

async function shop() {
  const s = await freshPayments();
  await insertPayments(s.db);
  return s;
}

const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

/** A handle that counts the statements sent through it. */
function counting(db: PgQueries): { db: PgQueries; count: () => number } {
  let n = 0;
  return {
    db: { query: (sql, params) => (n++, db.query(sql, params)), exec: (sql) => (n++, db.exec(sql)) },
    count: () => n,
  };
}

export const HOSTILE = [
  "' OR '1'='1",
  "cust-7' OR 'a'='a",
  "cust-7'--",
  "cust-7' /* */ OR true --",
  "x' UNION SELECT id, order_id, customer_id, amount_cents, status, created_at FROM payments.payments --",
  "x'; DELETE FROM payments.payments; --",
  "x'; DROP TABLE payments.card_vault; --",
  "cust-7\\' OR 1=1 --",
  'cust-7ʼ OR ʼ1ʼ=ʼ1', // U+02BC, a look-alike of the apostrophe
  'cust-7＇ OR ＇1＇=＇1', // U+FF07, a fullwidth apostrophe
  '$$ OR true OR $$',
  '%',
  'cust-%',
  'CUST-7',
  'cust-7 ',
];

test('listPayments returns one customer\'s payments, of one status if asked, sorted by an allowed column with ties by id', { task: 3, points: 5 }, async () => {
  const { db } = await shop();
  const all = await listPayments(db, { customerId: 'cust-7' });
  expectEqual(ids(all), [5, 11, 6, 9], "ids of listPayments({ customerId: 'cust-7' }): by date ascending (times in -05:00, +13:45 and UTC compare as instants)");
  expectEqual(all[0], { id: 5, orderId: 42, customerId: 'cust-7', amountCents: 4990, status: 'captured', createdAt: '2026-03-01T18:20:00.000Z' }, 'the first row: createdAt in ISO 8601 UTC');
  expectEqual(ids(await listPayments(db, { customerId: 'cust-7', sort: 'amount', direction: 'desc' })), [11, 5, 6, 9], 'ids sorted by amount descending, ties (1250 twice) by id ascending');
  expectEqual(ids(await listPayments(db, { customerId: 'cust-7', sort: 'amount', direction: 'asc' })), [6, 9, 5, 11], 'ids sorted by amount ascending, ties by id');
  expectEqual(ids(await listPayments(db, { customerId: 'cust-7', sort: 'date', direction: 'desc' })), [9, 6, 11, 5], 'ids sorted by date descending');
  expectEqual(ids(await listPayments(db, { customerId: 'cust-7', sort: 'id', direction: 'desc' })), [11, 9, 6, 5], 'ids sorted by id descending');
  expectEqual(ids(await listPayments(db, { customerId: 'cust-7', status: 'captured', sort: 'amount' })), [9, 5, 11], "ids of cust-7's captured payments by amount");
  expectEqual(ids(await listPayments(db, { customerId: "cust-O'Brien" })), [12], "ids for the customer cust-O'Brien (a quote in a real id)");
  expectEqual(ids(await listPayments(db, { customerId: 'cust-東京-3', status: 'refunded' })), [20], 'ids for cust-東京-3, refunded');
  expectEqual(await listPayments(db, { customerId: 'cust-99' }), [], 'listPayments for a customer with no payments');
});

test('hostile customer ids and statuses return no other customer\'s rows and change nothing', { task: 3, points: 6 }, async () => {
  const { db } = await shop();
  const before = await fingerprint(db);
  for (const value of HOSTILE) {
    for (const search of [{ customerId: value }, { customerId: 'cust-7', status: value }]) {
      let rows: { id: number; customerId: string; status: string }[];
      try {
        rows = await listPayments(db, search);
      } catch (error) {
        throw new Error(`listPayments(${JSON.stringify(search)}) threw ${String(error)}: a value bound as a parameter is only ever data, so it simply matches nothing`);
      }
      expectEqual(rows, [], `listPayments(${JSON.stringify(search)}): no payment has that ${'status' in search ? 'status' : 'customer id'}`);
    }
  }
  for (const search of [{ customerId: 'cust-7\u0000' }, { customerId: 'cust-7', status: 'captured\u0000 OR 1=1' }]) {
    const error = await thrown(() => listPayments(db, search), `listPayments(${JSON.stringify(search)}): a NUL character, which PostgreSQL text cannot hold`);
    expect(error instanceof BadRequest, `listPayments(${JSON.stringify(search)}) threw ${String(error)}; the README asks for BadRequest`).toBe(true);
  }
  expect(await fingerprint(db), 'every table and role after the hostile searches (the searches must change nothing)').toBe(before);
  expectEqual(ids(await listPayments(db, { customerId: 'cust-7', status: 'failed' })), [6], 'a normal search after the hostile ones');
});

test('a sort or direction outside the allow-list is refused with BadRequest before any SQL is sent', { task: 3, points: 5 }, async () => {
  const { db } = await shop();
  const before = await fingerprint(db);
  const bad = [
    { sort: 'amount_cents' },
    { sort: 'created_at' },
    { sort: 'card_holder' },
    { sort: 'constructor' },
    { sort: '__proto__' },
    { sort: 'toString' },
    { sort: 'amount; DROP TABLE payments.payments' },
    { sort: '(SELECT 1)' },
    { sort: '"amount"' },
    { sort: 'Amount' },
    { sort: 'amount ' },
    { sort: '' },
    { direction: 'ASC' },
    { direction: 'desc, (SELECT pg_sleep(1))' },
    { direction: 'аsc' }, // Cyrillic а
    { direction: 'up' },
    { direction: '' },
    { sort: 'amount', direction: 'desc --' },
  ];
  for (const extra of bad) {
    const c = counting(db);
    const search = { customerId: 'cust-7', ...extra };
    const error = await thrown(() => listPayments(c.db, search), `listPayments(${JSON.stringify(search)})`);
    expect(error instanceof BadRequest, `listPayments(${JSON.stringify(search)}) threw ${String(error)}; the README asks for BadRequest (allow-list the sort and the direction)`).toBe(true);
    expect(c.count(), `statements sent for listPayments(${JSON.stringify(search)}) (refuse before querying)`).toBe(0);
  }
  expect(await fingerprint(db), 'every table after the refused sorts').toBe(before);
});

test('recordPayment stores hostile text exactly as given and changes nothing else', { task: 3, points: 4 }, async () => {
  const { db } = await shop();
  const holders = ["Robert'); DROP TABLE payments.payments; --", "Seán O'Brien-Ñúñez", 'Ҫ\' OR 1=1 --', '$q$ x $q$', '山田 花子 😀'];
  const before = await fingerprint(db);
  const made: number[] = [];
  for (const [i, cardHolder] of holders.entries()) {
    made.push(await recordPayment(db, { orderId: 50 + i, customerId: i === 1 ? "cust-O'Brien" : `cust-'${i}'`, amountCents: 100 + i, status: 'captured', cardHolder, cardLast4: '4242', cardId: 70 + i }));
  }
  const { rows } = await db.query<{ id: number; customer_id: string; card_holder: string; amount_cents: number }>('SELECT id::int AS id, customer_id, card_holder, amount_cents FROM payments.payments WHERE id > 20 ORDER BY id');
  expectEqual(rows.map((r) => r.card_holder), holders, 'card_holder of the new rows, in order: stored exactly as given');
  expectEqual(made, rows.map((r) => r.id), 'the ids recordPayment returned: the new rows\' ids');
  const { rows: old } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM payments.payments WHERE id <= 20');
  expect(old[0]!.n, 'payments that were there before').toBe(PAYMENTS.length);
  const error = await thrown(() => recordPayment(db, { orderId: 60, customerId: 'cust-7', amountCents: 1, status: 'captured', cardHolder: 'Mia\u0000Novák', cardLast4: '5556', cardId: 3 }), 'recordPayment with a NUL character in cardHolder');
  expect(error instanceof BadRequest, `recordPayment with a NUL in cardHolder threw ${String(error)}; the README asks for BadRequest`).toBe(true);
  const after = await fingerprint(db);
  expect(after.split('\n').filter((l) => !l.startsWith('payments.payments')).join('\n'), 'every other table after recordPayment').toBe(before.split('\n').filter((l) => !l.startsWith('payments.payments')).join('\n'));
});
