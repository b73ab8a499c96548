import { expect, expectEqual, test } from 'labkit/test';
import { grantLeastPrivilege } from '../src/roles.ts';
import { ROLES, type Role } from '../src/shop.ts';
import { attempt, codeOf, freshPayments, insertPayments } from './helpers.ts';

async function granted() {
  const s = await freshPayments();
  await insertPayments(s.db);
  await s.db.exec(`INSERT INTO payments.card_vault VALUES (3, 'cust-7', 'payments-kek/v1', '\\x0102', '\\x0304', '\\x0506')`);
  await grantLeastPrivilege(s.db);
  return s;
}

type Check = [sql: string, expected: 'ok' | '42501', why: string];

async function expectOutcomes(db: Awaited<ReturnType<typeof granted>>['db'], role: Role, checks: Check[]): Promise<void> {
  for (const [sql, expected, why] of checks) {
    const outcome = await attempt(db, role, sql);
    expect(codeOf(outcome), `as ${role} (SET LOCAL ROLE; as postgres every grant is bypassed), \`${sql}\` ${why}: it gave ${outcome}`).toBe(expected);
  }
}

const INSERT_PAYMENT = `INSERT INTO payments.payments (order_id, customer_id, amount_cents, status, card_holder, card_last4, card_id) VALUES (47, 'cust-7', 1999, 'captured', 'Mia Novák', '5556', 3) RETURNING id`;

test('payments_service can record and read payments and cards, and can neither change nor delete them', { task: 4, points: 5 }, async () => {
  const { db } = await granted();
  await expectOutcomes(db, 'payments_service', [
    [INSERT_PAYMENT, 'ok', 'records a payment (the API needs it)'],
    ['SELECT id, order_id, customer_id, amount_cents, status, card_holder, card_last4, card_id, created_at FROM payments.payments', 'ok', 'reads payments'],
    [`INSERT INTO payments.card_vault VALUES (5, 'cust-7', 'payments-kek/v1', '\\x01', '\\x02', '\\x03')`, 'ok', 'seals a card'],
    ['SELECT key_id, wrapped_dek, iv, ciphertext FROM payments.card_vault WHERE id = 3', 'ok', 'opens a card'],
    ['UPDATE payments.payments SET amount_cents = 1 WHERE id = 5', '42501', 'must be refused: payments are append-only, a refund is a new row'],
    ['DELETE FROM payments.payments WHERE id = 5', '42501', 'must be refused'],
    ['UPDATE payments.card_vault SET customer_id = \'cust-12\' WHERE id = 3', '42501', 'must be refused: the API never rewrites a vault row'],
    ['DELETE FROM payments.card_vault', '42501', 'must be refused'],
    ['TRUNCATE payments.payments', '42501', 'must be refused'],
  ]);
});

test('payments_support reads the columns its search needs, and no card data and no vault', { task: 4, points: 5 }, async () => {
  const { db } = await granted();
  await expectOutcomes(db, 'payments_support', [
    [`SELECT id, order_id, customer_id, amount_cents, status, created_at FROM payments.payments WHERE customer_id = 'cust-7' ORDER BY created_at, id`, 'ok', 'runs the support search'],
    ['SELECT card_holder FROM payments.payments', '42501', 'must be refused: card data is hidden from support'],
    ['SELECT card_last4 FROM payments.payments', '42501', 'must be refused'],
    ['SELECT card_id FROM payments.payments', '42501', 'must be refused'],
    ['SELECT * FROM payments.payments', '42501', 'must be refused (it names the card columns)'],
    ['SELECT id FROM payments.card_vault', '42501', 'must be refused: the vault holds the wrapped keys'],
    [INSERT_PAYMENT, '42501', 'must be refused: support does not take payments'],
    ["UPDATE payments.payments SET status = 'refunded' WHERE id = 5", '42501', 'must be refused'],
  ]);
});

test('payments_key_rotator reads and rewrites only the key columns of the vault', { task: 4, points: 5 }, async () => {
  const { db } = await granted();
  await expectOutcomes(db, 'payments_key_rotator', [
    [`SELECT id, wrapped_dek FROM payments.card_vault WHERE key_id = 'payments-kek/v1' ORDER BY id LIMIT 100`, 'ok', "reads a batch (the re-wrap job's query)"],
    [`UPDATE payments.card_vault SET key_id = 'payments-kek/v2', wrapped_dek = '\\x0909' WHERE id = 3 AND key_id = 'payments-kek/v1'`, 'ok', 're-wraps a row'],
    [`SELECT count(*) FROM payments.card_vault WHERE key_id = 'payments-kek/v1'`, 'ok', 'counts the rows still under a version before retiring it'],
    ['SELECT ciphertext FROM payments.card_vault', '42501', 'must be refused: the job never needs the card data'],
    ['SELECT iv FROM payments.card_vault', '42501', 'must be refused'],
    ['SELECT customer_id FROM payments.card_vault', '42501', 'must be refused'],
    ["UPDATE payments.card_vault SET ciphertext = '\\x00' WHERE id = 3", '42501', 'must be refused'],
    ["UPDATE payments.card_vault SET customer_id = 'cust-12' WHERE id = 3", '42501', 'must be refused'],
    [`INSERT INTO payments.card_vault VALUES (6, 'cust-7', 'payments-kek/v2', '\\x01', '\\x02', '\\x03')`, '42501', 'must be refused'],
    ['DELETE FROM payments.card_vault WHERE id = 3', '42501', 'must be refused'],
    ['SELECT id FROM payments.payments', '42501', 'must be refused: the job has no business with payments'],
  ]);
});

test("no role can change the schema or read Orders' tables, and each stays an ordinary role", { task: 4, points: 5 }, async () => {
  const { db } = await granted();
  // First what the roles must be able to do, so that refusing everything does not pass.
  expect(codeOf(await attempt(db, 'payments_service', INSERT_PAYMENT)), 'as payments_service, recording a payment (granted in this task)').toBe('ok');
  expect(codeOf(await attempt(db, 'payments_support', 'SELECT id, status FROM payments.payments')), 'as payments_support, reading id and status').toBe('ok');
  for (const role of ROLES) {
    await expectOutcomes(db, role, [
      ['CREATE TABLE payments.stolen (x text)', '42501', 'must be refused: migrations run as the owner, not as a service'],
      ['CREATE TABLE public.stolen (x text)', '42501', 'must be refused'],
      ['CREATE VIEW payments.all_cards AS SELECT 1 AS x', '42501', 'must be refused'],
      ['ALTER TABLE payments.payments ADD COLUMN note text', '42501', 'must be refused'],
      ['DROP TABLE payments.card_vault', '42501', 'must be refused'],
      ['SELECT id FROM orders.orders', '42501', "must be refused: Orders' schema belongs to another service"],
      ["INSERT INTO orders.orders VALUES (99, 'cust-7', 1, 'x')", '42501', 'must be refused'],
    ]);
  }
  const { rows } = await db.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean; rolcreatedb: boolean; member_of: string[] }>(
    `SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,
            ARRAY(SELECT b.rolname::text FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) AS member_of
       FROM pg_roles r WHERE rolname = ANY($1) ORDER BY rolname`,
    [[...ROLES]],
  );
  expectEqual(
    rows,
    [...ROLES].sort().map((rolname) => ({ rolname, rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false, member_of: [] })),
    'the three roles after grantLeastPrivilege: no superuser, no BYPASSRLS, CREATEROLE or CREATEDB, member of no other role',
  );
});
