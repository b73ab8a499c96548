import { expect, expectEqual, test } from 'labkit/test';
import { asAgent, installRowSecurity } from '../src/row-security.ts';
import { AGENT_SETTING } from '../src/shop.ts';
import { asSupport, attempt, codeOf, freshShop, visibleIds } from './helpers.ts';

async function secured() {
  const db = await freshShop();
  await installRowSecurity(db);
  return db;
}

const FR_BE = ['c-1', 'c-14', 'c-5', 'c-6'];

test('as support_app, an agent sees exactly the customers of the countries in its scope', { task: 2, points: 4 }, async () => {
  const db = await secured();
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers.customers');
  expect(rows[0]!.n, 'customers postgres sees: a superuser bypasses row-level security, so the tests query as support_app').toBe(7);
  expectEqual(await visibleIds(db, 17), FR_BE, 'customer ids support_app sees with app.agent_id = 17 (FR and BE)');
  expectEqual(await visibleIds(db, 204), ['c-2', 'c-9'], 'customer ids support_app sees with app.agent_id = 204 (DE)');
  expectEqual(await visibleIds(db, 5), [], 'customer ids support_app sees with app.agent_id = 5 (an agent with no countries yet)');
  expectEqual(await visibleIds(db, 999), [], 'customer ids support_app sees with app.agent_id = 999 (no such agent)');
  await db.query(`INSERT INTO customers.support_scope VALUES (5, 'NL')`);
  expectEqual(await visibleIds(db, 5), ['c-3'], 'customer ids agent 5 sees once support_scope gives it NL: the policy reads the scope table, it does not copy it');
});

test('with no agent set, support_app sees no customer and gets no error, also after a transaction that set one', { task: 2, points: 5 }, async () => {
  const db = await secured();
  const before = await db.query<{ v: string | null }>('SELECT current_setting($1, true) AS v', [AGENT_SETTING]);
  if (before.rows[0]!.v === null) {
    expectEqual(await visibleIds(db, undefined), [], `customers support_app sees in a session that never set ${AGENT_SETTING} (current_setting(..., true) is NULL)`);
  }
  // A request for agent 17 ends; its SET LOCAL leaves the setting defined, with the value ''.
  await asSupport(db, 17, (tx) => tx.query('SELECT 1'));
  const after = await db.query<{ v: string | null }>('SELECT current_setting($1, true) AS v', [AGENT_SETTING]);
  expect(after.rows[0]!.v, `current_setting('${AGENT_SETTING}', true) after a transaction that SET LOCAL it: '' (not NULL)`).toBe('');
  const seen = await attempt(db, undefined, 'SELECT customer_id FROM customers.customers');
  expect(seen, `support_app's SELECT with ${AGENT_SETTING} = '' (no agent): no rows and no error (a policy that casts '' to integer fails here)`).toBe('ok (0 rows)');
  const updated = await attempt(db, undefined, `UPDATE customers.customers SET email = 'x@example.org'`);
  expect(updated, `support_app's UPDATE of every customer with ${AGENT_SETTING} = '': changes nothing, no error`).toBe('ok (0 rows)');
  expectEqual(await visibleIds(db, ''), [], `customers support_app sees with ${AGENT_SETTING} set to '' explicitly`);
});

test('a write outside the agent\'s countries is refused with 42501, and a change to a customer it cannot see changes nothing', { task: 2, points: 5 }, async () => {
  const db = await secured();
  const insertOut = await attempt(db, 17, `INSERT INTO customers.customers (customer_id, name, email, country) VALUES ('c-20', 'Lena Groß', 'lena@example.org', 'DE')`);
  expect(codeOf(insertOut), `agent 17 (FR, BE) inserts a customer in DE: ${insertOut}`).toBe('42501');
  const moveOut = await attempt(db, 17, `UPDATE customers.customers SET country = 'DE' WHERE customer_id = 'c-1'`);
  expect(codeOf(moveOut), `agent 17 moves its customer c-1 to DE (out of its scope): ${moveOut}`).toBe('42501');
  expect(moveOut, 'the refusal of a row outside the scope').toMatch(/row-level security/);
  const hidden = await attempt(db, 17, `UPDATE customers.customers SET email = 'hacked@example.org' WHERE customer_id = 'c-2'`);
  expect(hidden, 'agent 17 updates c-2, a German customer it cannot see').toBe('ok (0 rows)');
  const insertIn = await attempt(db, 17, `INSERT INTO customers.customers (customer_id, name, email, country) VALUES ('c-21', 'Maëlle Dubois', 'maelle@example.org', 'BE')`);
  expect(insertIn, 'agent 17 inserts a customer in BE, in its scope').toBe('ok (1 rows)');
  const within = await attempt(db, 17, `UPDATE customers.customers SET country = 'BE', email = 'amira.h@example.org' WHERE customer_id = 'c-1'`);
  expect(within, 'agent 17 moves c-1 from FR to BE, both in its scope').toBe('ok (1 rows)');
  const { rows } = await db.query<{ customer_id: string; email: string; country: string }>(`SELECT customer_id, email, country FROM customers.customers WHERE customer_id IN ('c-1', 'c-2', 'c-20') ORDER BY customer_id`);
  expectEqual(rows, [
    { customer_id: 'c-1', email: 'amira.h@example.org', country: 'BE' },
    { customer_id: 'c-2', email: 'ben@example.org', country: 'DE' },
  ], 'c-1, c-2 and c-20 afterwards, as postgres');
  const noAgent = await attempt(db, undefined, `INSERT INTO customers.customers (customer_id, name, email, country) VALUES ('c-22', 'Nadia', 'nadia@example.org', 'FR')`);
  expect(codeOf(noAgent), `support_app inserts a customer with no agent set: ${noAgent}`).toBe('42501');
});

test('support_app cannot delete customers or widen its own scope', { task: 2, points: 3 }, async () => {
  const db = await secured();
  const del = await attempt(db, 17, `DELETE FROM customers.customers WHERE customer_id = 'c-1'`);
  expect(codeOf(del), `agent 17 deletes its own customer c-1 (support may read, add and change, not delete): ${del}`).toBe('42501');
  const widen = await attempt(db, 17, `INSERT INTO customers.support_scope VALUES (17, 'DE')`);
  expect(codeOf(widen), `agent 17 adds DE to its own scope: ${widen}`).toBe('42501');
  const change = await attempt(db, 17, `UPDATE customers.support_scope SET country = 'DE' WHERE agent_id = 17`);
  expect(codeOf(change), `agent 17 changes its scope rows: ${change}`).toBe('42501');
  const logins = await attempt(db, 17, 'SELECT * FROM customers.login_events');
  expect(codeOf(logins), `agent 17 reads customers.login_events (not the support tool's business): ${logins}`).toBe('42501');
  expectEqual(await visibleIds(db, 17), FR_BE, 'what agent 17 sees afterwards');
});

test('asAgent runs the work as support_app for that agent, and nothing of it outlives the transaction', { task: 2, points: 3 }, async () => {
  const db = await secured();
  const inside = await asAgent(db, 204, async (tx) => {
    const who = await tx.query<{ user: string; su: string; agent: string }>(`SELECT current_user AS user, current_setting('is_superuser') AS su, current_setting('${AGENT_SETTING}') AS agent`);
    const seen = await tx.query<{ customer_id: string }>('SELECT customer_id FROM customers.customers ORDER BY customer_id');
    return { ...who.rows[0]!, seen: seen.rows.map((r) => r.customer_id) };
  });
  expectEqual(inside, { user: 'support_app', su: 'off', agent: '204', seen: ['c-2', 'c-9'] }, 'inside asAgent(db, 204, ...): current_user, is_superuser, the agent setting and the customers seen');
  const role = await db.query<{ user: string }>('SELECT current_user AS user');
  expect(role.rows[0]!.user, 'current_user after asAgent returned: the role is LOCAL to its transaction').toBe('postgres');
  expectEqual(await visibleIds(db, undefined), [], 'customers support_app sees in the next transaction, which sets no agent: the agent setting must be LOCAL too');
  let failed: unknown;
  try {
    await asAgent(db, 17, async (tx) => {
      await tx.query(`UPDATE customers.customers SET email = 'rolled@example.org' WHERE customer_id = 'c-5'`);
      throw new Error('the request failed');
    });
  } catch (error) {
    failed = error;
  }
  expect(failed, 'asAgent passes on the error fn threw').toBeInstanceOf(Error);
  const { rows } = await db.query<{ email: string }>(`SELECT email FROM customers.customers WHERE customer_id = 'c-5'`);
  expect(rows[0]!.email, 'c-5 after a request that changed it and then failed: asAgent runs fn in one transaction').toBe('elodie@example.org');
});
