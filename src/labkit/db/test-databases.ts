/**
 * The databases of the test that is running. The runner ends them between tests; PGlite is
 * reset (not recreated) by the runner, because a new instance costs half a second, unless the
 * reset could not bring it back to the snapshot's state (resetTestDatabase).
 */
import { engines } from './engines.ts';
import { resetAndCheckPglite, wrapPglite } from './pg.ts';
import { createServiceSchema } from './schema-per-service.ts';
import { wrapSqlJs } from './sqlite.ts';
import type { Pg, Sqlite } from './types.ts';

interface TestDatabases {
  pg?: Pg;
  sqlite: { close(): void }[];
}

let current: TestDatabases = { sqlite: [] };

export async function pg(): Promise<Pg> {
  if (!current.pg) current.pg = wrapPglite(await engines().pglite());
  return current.pg;
}

export async function pgSchema(name: string): Promise<Pg> {
  await pg(); // the test now uses PostgreSQL, so the runner resets it afterwards
  return createServiceSchema(await engines().pglite(), name);
}

export async function sqlite(file?: Uint8Array): Promise<Sqlite> {
  const SQL = await engines().sqljs();
  const database = new SQL.Database(file);
  current.sqlite.push(database);
  return wrapSqlJs(database);
}

/**
 * Returns the run's PostgreSQL to its snapshot's state, before the first test and after each
 * test that used it: a reset, then a check of the catalog's fingerprint (pg.ts); when the check
 * fails (a test left something the reset cannot undo) or the reset does, the instance is
 * replaced by a new one from the snapshot. Says whether it was, and why.
 */
export async function resetTestDatabase(): Promise<{ reloaded: boolean; why?: string }> {
  const host = engines();
  const why = await resetAndCheckPglite(await host.pglite());
  if (why === undefined) return { reloaded: false };
  // Started, not awaited: a new instance takes about a second, which is no test's time. The
  // runner waits for it between tests (databaseReady); pg() would wait for it in any case.
  const reload = host.reloadPglite().then(
    () => {},
    () => {}, // the next pg() reports it
  );
  reloading = reload;
  void reload.then(() => {
    if (reloading === reload) reloading = undefined;
  });
  return { reloaded: true, why };
}

let reloading: Promise<void> | undefined;

/**
 * Resolves when the database is ready for the next test: at once, unless resetTestDatabase
 * started a new instance, which it then waits for. The runner calls it before each test, so
 * that the wait counts against no test's time limit.
 */
export async function databaseReady(): Promise<void> {
  await reloading;
}

/** Closes the test's SQLite databases and forgets its Pg handle; says whether PostgreSQL was used. */
export function endTestDatabases(): { usedPg: boolean } {
  const usedPg = current.pg !== undefined;
  for (const database of current.sqlite) database.close();
  current = { sqlite: [] };
  return { usedPg };
}
