/**
 * The databases of the test that is running. The runner ends them between tests; PGlite is
 * reset (not recreated) by the runner, because a new instance costs half a second.
 */
import { engines } from './engines.ts';
import { wrapPglite } from './pg.ts';
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

/** Closes the test's SQLite databases and forgets its Pg handle; says whether PostgreSQL was used. */
export function endTestDatabases(): { usedPg: boolean } {
  const usedPg = current.pg !== undefined;
  for (const database of current.sqlite) database.close();
  current = { sqlite: [] };
  return { usedPg };
}
