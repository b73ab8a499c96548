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
import { pg as testPg, sqlite as testSqlite } from './test-databases.ts';
import type { Pg, Sqlite } from './types.ts';

export type { Pg, PgError, PgQueries, PgResult, Row, SqlValue, Sqlite } from './types.ts';

/** The PostgreSQL (PGlite) database of the current test. Every call in one test returns the same one. */
export function pg(): Promise<Pg> {
  return testPg();
}

/** A new, empty in-memory SQLite (sql.js) database. */
export function sqlite(): Promise<Sqlite> {
  return testSqlite();
}

/** The PostgreSQL error code (SQLSTATE) of an error, if it has one. @example pgErrorCode(e) === '23505' */
export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
