/**
 * Databases for lab code and tests, imported as `labkit/db`.
 *
 * Each test gets a clean slate: `pg()` returns the run's PostgreSQL database emptied before
 * the test began, and `sqlite()` a new in-memory SQLite database on every call.
 *
 * @example
 * const db = await pg();
 * await db.query('INSERT INTO events (stream_id, version) VALUES ($1, $2)', ['order-1', 1]);
 */
import { pg as testPg, pgSchema as testPgSchema, sqlite as testSqlite } from './test-databases.ts';
import type { Pg, Sqlite } from './types.ts';

export type { Pg, PgError, PgQueries, PgResult, Row, SqlValue, Sqlite } from './types.ts';

/** The PostgreSQL (PGlite) database of the current test. Every call in one test returns the same one. */
export function pg(): Promise<Pg> {
  return testPg().then(frozen);
}

/**
 * One service's schema in the test's PostgreSQL database, reachable only through that service's
 * role (schema per service): the handle's queries see the tables in schema `name` and nothing
 * else, and naming another service's table fails with SQLSTATE 42501 (insufficient_privilege).
 * Calling it again with the same name gives a handle on the same data, as after a restart.
 *
 * @example
 * const ordersDb = await pgSchema('orders');
 * const paymentsDb = await pgSchema('payments');
 * await ordersDb.exec('CREATE TABLE orders (id text PRIMARY KEY)');
 * await paymentsDb.query('SELECT * FROM orders.orders'); // rejects: permission denied for schema orders
 */
export function pgSchema(name: string): Promise<Pg> {
  return testPgSchema(name).then(frozen);
}

/**
 * A new in-memory SQLite (sql.js) database: empty, or opened from the bytes of an SQLite file
 * (such as `other.export()`), which it copies, so changing one never changes the other.
 */
export function sqlite(file?: Uint8Array): Promise<Sqlite> {
  return testSqlite(file).then(frozen);
}

/**
 * Tests and lab code share these handles: frozen, so code under test cannot swap a handle's
 * `query` for one that shows the test what it expects.
 */
function frozen<T extends object>(db: T): T {
  return Object.freeze(db);
}

/** The PostgreSQL error code (SQLSTATE) of an error, if it has one. @example pgErrorCode(e) === '23505' */
export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
