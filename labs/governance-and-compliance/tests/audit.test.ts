import type { Pg } from 'labkit/db';
import { expect, expectEqual, expectMatch, test } from 'labkit/test';
import { installAudit, verifyAuditLog } from '../src/audit.ts';
import { asSupport, attempt, codeOf, freshShop, grantPlainAccess, outcome, tableText } from './helpers.ts';

interface Entry {
  id: number;
  actor: string;
  action: string;
  table_name: string;
  row_key: string | null;
  changed_columns: string[];
}

async function audited(): Promise<Pg> {
  const db = await freshShop();
  await grantPlainAccess(db);
  await installAudit(db);
  return db;
}

async function entries(db: Pg): Promise<Entry[]> {
  const { rows } = await db.query<Entry>('SELECT id::int AS id, actor, action, table_name, row_key, changed_columns FROM customers.audit_log ORDER BY id');
  return rows.map((r) => ({ ...r, changed_columns: [...r.changed_columns].sort() }));
}

const withoutIds = (list: Entry[]) => list.map(({ id: _id, ...rest }) => rest);

/** Some changes by support_app and by postgres, and one that rolls back. */
async function someChanges(db: Pg): Promise<void> {
  await asSupport(db, 17, (tx) => tx.query(`UPDATE customers.customers SET email = 'amira.haddad@example.org' WHERE customer_id = 'c-1'`));
  await asSupport(db, 17, (tx) => tx.query(`UPDATE customers.customers SET delivery_notes = 'fauteuil roulant : rampe à gauche', loyalty_tier = 'gold' WHERE customer_id = 'c-5'`));
  await outcome(
    asSupport(db, 17, async (tx) => {
      await tx.query(`UPDATE customers.customers SET name = 'Rolled Back' WHERE customer_id = 'c-6'`);
      throw new Error('the request failed after its update');
    }),
  );
  await asSupport(db, 17, (tx) => tx.query(`INSERT INTO customers.customers (customer_id, name, email, country) VALUES ('c-30', 'Søren Ærø', 'soren@example.org', 'BE')`));
  await db.query(`UPDATE customers.customers SET country = 'NL' WHERE customer_id = 'c-30'`);
  await asSupport(db, 17, (tx) => tx.query(`DELETE FROM customers.customers WHERE customer_id = 'c-30'`));
}

test('every change to a customer writes an audit entry in the same transaction: who, what, which row, which columns', { task: 3, points: 6 }, async () => {
  const db = await audited();
  await someChanges(db);
  const all = ['country', 'customer_id', 'delivery_notes', 'email', 'loyalty_tier', 'name'];
  expectEqual(
    withoutIds(await entries(db)),
    [
      { actor: 'support_app', action: 'UPDATE', table_name: 'customers', row_key: 'c-1', changed_columns: ['email'] },
      { actor: 'support_app', action: 'UPDATE', table_name: 'customers', row_key: 'c-5', changed_columns: ['delivery_notes', 'loyalty_tier'] },
      { actor: 'support_app', action: 'INSERT', table_name: 'customers', row_key: 'c-30', changed_columns: all },
      { actor: 'postgres', action: 'UPDATE', table_name: 'customers', row_key: 'c-30', changed_columns: ['country'] },
      { actor: 'support_app', action: 'DELETE', table_name: 'customers', row_key: 'c-30', changed_columns: all },
    ],
    'customers.audit_log after five changes (the rename of c-6 rolled back, so it has no entry; actor is the role set with SET ROLE, not the function\'s owner)',
  );
});

test('the audit log holds column names, never the values', { task: 3, points: 3 }, async () => {
  const db = await audited();
  await someChanges(db);
  const text = await tableText(db, 'customers.audit_log');
  const values = ['amira.haddad@example.org', 'amira@example.org', 'fauteuil roulant', 'wheelchair', 'gold', 'Søren', 'soren@example.org', 'Rolled Back'];
  expectEqual(values.filter((v) => text.includes(v)), [], 'values of the changed columns found in customers.audit_log');
  expect(text.length, 'customers.audit_log as text: it has entries').toBeGreaterThan(0);
});

test('the audit log is append-only: support_app can neither write nor change it, and a trigger refuses UPDATE and DELETE even to postgres', { task: 3, points: 4 }, async () => {
  const db = await audited();
  await someChanges(db);
  const forge = await attempt(db, 17, `INSERT INTO customers.audit_log (actor, action, table_name, changed_columns, hash) VALUES ('nobody', 'UPDATE', 'customers', '{}', 'x')`);
  expect(codeOf(forge), `support_app inserts an audit entry of its own: ${forge}`).toBe('42501');
  const edit = await attempt(db, 17, `UPDATE customers.audit_log SET actor = 'someone else'`);
  expect(codeOf(edit), `support_app updates audit entries: ${edit}`).toBe('42501');
  const erase = await attempt(db, 17, 'DELETE FROM customers.audit_log');
  expect(codeOf(erase), `support_app deletes audit entries: ${erase}`).toBe('42501');
  const asOwnerUpdate = await outcome(db.query(`UPDATE customers.audit_log SET changed_columns = '{}' WHERE row_key = 'c-1'`));
  expect(asOwnerUpdate.error, 'postgres updates an audit entry: a trigger must refuse it (a superuser ignores grants)').toBeDefined();
  const asOwnerDelete = await outcome(db.query(`DELETE FROM customers.audit_log WHERE row_key = 'c-30'`));
  expect(asOwnerDelete.error, 'postgres deletes audit entries: a trigger must refuse it').toBeDefined();
  expect((await db.query('SELECT 1 FROM customers.audit_log')).rows.length, 'audit entries after the refused attempts').toBe(5);
});

/** Changes one entry as a superuser with the table's triggers off, as someone with access to the disk might. */
async function tamper(db: Pg, sql: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.exec('ALTER TABLE customers.audit_log DISABLE TRIGGER USER');
    await tx.exec(sql);
    await tx.exec('ALTER TABLE customers.audit_log ENABLE TRIGGER USER');
  });
}

test('the hash chain verifies across gaps in the ids and time zones, and names the first entry that was tampered with', { task: 3, points: 6 }, async () => {
  const db = await audited();
  await db.exec(`SET TimeZone = 'America/St_Johns'`);
  await someChanges(db);
  const ids = (await entries(db)).map((e) => e.id);
  await db.exec(`SET TimeZone = 'Asia/Kathmandu'`);
  expectEqual(await verifyAuditLog(db), { valid: true, checked: 5, brokenAt: null }, `verifyAuditLog on an untouched log with ids ${ids.join(', ')} (a gap where a change rolled back), written in America/St_Johns and verified in Asia/Kathmandu`);
  const [, second, third, fourth] = ids;
  await tamper(db, `UPDATE customers.audit_log SET changed_columns = '{email}' WHERE id = ${second}`);
  expectMatch(await verifyAuditLog(db), { valid: false, brokenAt: second }, `verifyAuditLog after the changed_columns of entry ${second} were rewritten`);
  await tamper(db, `UPDATE customers.audit_log SET changed_columns = '{delivery_notes,loyalty_tier}' WHERE id = ${second}`);
  expectMatch(await verifyAuditLog(db), { valid: true, brokenAt: null }, `verifyAuditLog once entry ${second} is as it was`);
  await tamper(db, `UPDATE customers.audit_log SET actor = 'support_app' WHERE id = ${fourth}`);
  expectMatch(await verifyAuditLog(db), { valid: false, brokenAt: fourth }, `verifyAuditLog after the actor of entry ${fourth} was rewritten from postgres to support_app`);
  await tamper(db, `UPDATE customers.audit_log SET actor = 'postgres' WHERE id = ${fourth}`);
  await tamper(db, `UPDATE customers.audit_log SET at = at - interval '1 day' WHERE id = ${third}`);
  expectMatch(await verifyAuditLog(db), { valid: false, brokenAt: third }, `verifyAuditLog after the time of entry ${third} was moved a day back`);
  await tamper(db, `UPDATE customers.audit_log SET at = at + interval '1 day' WHERE id = ${third}`);
  await tamper(db, `DELETE FROM customers.audit_log WHERE id = ${third}`);
  expectMatch(await verifyAuditLog(db), { valid: false, brokenAt: fourth }, `verifyAuditLog after entry ${third} was deleted: the entry after it no longer follows its predecessor`);
});

test('the SECURITY DEFINER audit function ignores a temporary audit_log the caller creates to capture its entries', { task: 3, points: 6 }, async () => {
  const db = await audited();
  // The attack comes first in the session: a function's cached plans would hide a weak search path afterwards.
  const before = 0;
  const outcomeText = await asSupport(db, 17, async (tx) => {
    await tx.exec(`CREATE TEMP TABLE audit_log (id bigserial, at timestamptz DEFAULT now(), actor text, action text, table_name text,
        row_key text, changed_columns text[], prev_hash text, hash text);
      INSERT INTO pg_temp.audit_log (actor, action, table_name, changed_columns, hash) VALUES ('decoy', 'UPDATE', 'customers', '{}', 'decoy-hash');
      SET LOCAL search_path = pg_temp, customers, public;`);
    await tx.query(`UPDATE customers.customers SET delivery_notes = 'sonnez deux fois' WHERE customer_id = 'c-6'`);
    const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_temp.audit_log');
    await tx.exec('DROP TABLE pg_temp.audit_log');
    return rows[0]!.n;
  });
  expect(outcomeText, "rows in support_app's temporary pg_temp.audit_log after its update of c-6: only its decoy").toBe(1);
  const after = await entries(db);
  expectEqual(after.length, before + 1, 'entries in customers.audit_log after support_app changed c-6 with its own temporary audit_log in front of the search path');
  expectMatch(after.at(-1), { actor: 'support_app', action: 'UPDATE', row_key: 'c-6', changed_columns: ['delivery_notes'] }, 'the last entry of customers.audit_log');
  const { rows } = await db.query<{ definer: boolean }>(
    `SELECT bool_and(p.prosecdef) AS definer FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE t.tgrelid = 'customers.customers'::regclass AND NOT t.tgisinternal`,
  );
  expect(rows[0]!.definer, 'the trigger functions on customers.customers are SECURITY DEFINER').toBe(true);
  expectMatch(await verifyAuditLog(db), { valid: true }, 'verifyAuditLog: the chain did not take the decoy as its previous entry');
  await someChanges(db);
  expectMatch(await verifyAuditLog(db), { valid: true, checked: 6 }, 'verifyAuditLog after five more changes');
});
