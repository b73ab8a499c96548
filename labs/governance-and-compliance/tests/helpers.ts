/**
 * Helpers shared by the test files: the shop's databases with their rows, and running SQL as
 * the ordinary role support_app (never as postgres, which bypasses every grant and policy).
 */
import { pg, pgErrorCode, type Pg, type PgQueries, type SqlValue } from 'labkit/db';
import { showValue } from 'labkit/test';
import { AGENT_SETTING, createShop, SUPPORT_ROLE } from '../src/shop.ts';

/** The customers every test starts from: ids with gaps, names and notes that are not ASCII. */
export const CUSTOMERS = [
  { customer_id: 'c-1', name: 'Amira Haddad', email: 'amira@example.org', country: 'FR', delivery_notes: null },
  { customer_id: 'c-2', name: 'Ben Okafor', email: 'ben@example.org', country: 'DE', delivery_notes: 'leave with neighbour' },
  { customer_id: 'c-3', name: 'Chen Li 李晨', email: 'chen@example.org', country: 'NL', delivery_notes: null },
  { customer_id: 'c-5', name: 'Élodie Martin', email: 'elodie@example.org', country: 'FR', delivery_notes: 'wheelchair user, please use the ramp' },
  { customer_id: 'c-6', name: 'Hugo Peeters', email: 'hugo@example.org', country: 'BE', delivery_notes: null },
  { customer_id: 'c-9', name: 'Jonas Weber', email: 'jonas@example.org', country: 'DE', delivery_notes: null },
  { customer_id: 'c-14', name: 'Zoë Lefèvre-Ødegård', email: 'zoe@example.org', country: 'FR', delivery_notes: 'sonnez deux fois ☎' },
] as const;

/** Agents and their countries: 17 handles France and Belgium, 204 Germany, 5 nothing yet. */
export const SCOPE = [
  [17, 'FR'],
  [17, 'BE'],
  [204, 'DE'],
] as const;

/** The shop's schemas, empty but for the customers, the support scope and the retention policies. */
export async function freshShop(): Promise<Pg> {
  const db = await pg();
  await db.exec('RESET ROLE; RESET ALL');
  await createShop(db);
  for (const c of CUSTOMERS) {
    await db.query('INSERT INTO customers.customers (customer_id, name, email, country, delivery_notes) VALUES ($1, $2, $3, $4, $5)', [
      c.customer_id,
      c.name,
      c.email,
      c.country,
      c.delivery_notes,
    ]);
  }
  for (const [agent, country] of SCOPE) await db.query('INSERT INTO customers.support_scope VALUES ($1, $2)', [agent, country]);
  return db;
}

/**
 * Runs `fn` in a transaction as support_app, with app.agent_id set for that transaction when
 * `agent` is given. Written here, not with your asAgent, so a policy is tested on its own.
 */
export function asSupport<T>(db: Pg, agent: number | string | undefined, fn: (tx: PgQueries) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    if (agent !== undefined) await tx.query('SELECT set_config($1, $2, true)', [AGENT_SETTING, String(agent)]);
    await tx.exec(`SET LOCAL ROLE ${SUPPORT_ROLE}`);
    return fn(tx);
  });
}

/** Runs one statement as support_app and says how it ended: `ok (n rows)` or `SQLSTATE (message)`. */
export async function attempt(db: Pg, agent: number | undefined, sql: string, params: SqlValue[] = []): Promise<string> {
  try {
    const { affectedRows, rows } = await asSupport(db, agent, (tx) => tx.query(sql, params));
    return `ok (${affectedRows || rows.length} rows)`;
  } catch (error) {
    return `${pgErrorCode(error) ?? 'error'} (${error instanceof Error ? error.message : showValue(error)})`;
  }
}

/** The SQLSTATE an `attempt` ended with, or 'ok'. */
export function codeOf(outcome: string): string {
  return outcome.startsWith('ok') ? 'ok' : outcome.split(' ')[0]!;
}

/** Customer ids support_app sees with this agent set (or none), sorted. */
export async function visibleIds(db: Pg, agent: number | string | undefined): Promise<string[]> {
  const { rows } = await asSupport(db, agent, (tx) => tx.query<{ customer_id: string }>('SELECT customer_id FROM customers.customers'));
  return rows.map((r) => r.customer_id).sort();
}

/** Grants support_app plain access to customers.customers, without any policy: tasks 3 to 5 do not depend on task 2. */
export async function grantPlainAccess(db: Pg): Promise<void> {
  await db.exec(`GRANT USAGE ON SCHEMA customers TO support_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON customers.customers TO support_app;`);
}

/** What a promise did: its value or its error. */
export async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/** Every row of a table as JSON text, to search for values that must not be there. */
export async function tableText(db: Pg, table: string): Promise<string> {
  const { rows } = await db.query<{ t: string | null }>(`SELECT string_agg(x::text, ' | ') AS t FROM ${table} x`);
  return rows[0]?.t ?? '';
}
