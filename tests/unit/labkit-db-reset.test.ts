/**
 * Between tests the runner returns PGlite to its snapshot's state (resetTestDatabase): a cheap
 * reset, then a fingerprint of the catalog compared with the one taken when the instance
 * started; what the reset cannot undo makes it start a new instance from the snapshot. Each
 * kind of leftover a submission could plant, on the real engine.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { engines, installEngines } from '../../src/labkit/db/engines.ts';
import { databaseReady, endTestDatabases, resetTestDatabase } from '../../src/labkit/db/test-databases.ts';
import { ensurePgSnapshot, nodeEngines } from '../../src/runner/node/engines.ts';

before(async () => {
  installEngines(nodeEngines(await ensurePgSnapshot()));
  await engines().pglite();
});
after(async () => (await engines().pglite()).close());

const db = () => engines().pglite();
const one = async <T>(sql: string): Promise<T> => (await (await db()).query<T>(sql)).rows[0]!;

/** Resets as the runner does between tests; says why the instance was replaced, if it was. */
async function reset(): Promise<string | undefined> {
  endTestDatabases();
  const { reloaded, why } = await resetTestDatabase();
  await databaseReady();
  return reloaded ? why : undefined;
}

test('honest work, in public, in a service schema and in temporary tables, is undone without a new instance', async () => {
  const pglite = await db();
  await pglite.exec(`
    CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL UNIQUE); INSERT INTO notes (text) VALUES ('a');
    CREATE INDEX ON notes (text); CREATE VIEW v AS SELECT * FROM notes; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
    CREATE TYPE mood AS ENUM ('ok'); CREATE SEQUENCE s; ANALYZE notes;
    CREATE ROLE orders NOLOGIN; CREATE SCHEMA orders AUTHORIZATION orders; CREATE TABLE orders.o (id int); GRANT SELECT ON orders.o TO orders;
    CREATE TEMP TABLE scratch (x int);`);
  await pglite.exec('BEGIN; CREATE TABLE half (x int);');
  assert.equal(await reset(), undefined);
  assert.equal(await db(), pglite);
  assert.deepEqual(await one(`SELECT to_regclass('notes') AS notes, to_regclass('scratch') AS scratch, to_regnamespace('orders') AS orders, (SELECT count(*)::int FROM pg_roles WHERE rolname = 'orders') AS roles`), { notes: null, scratch: null, orders: null, roles: 0 });
});

test('session leftovers the reset undoes itself: temporary objects, prepared statements, cursors, LISTEN, advisory locks, large objects, publications, event triggers, settings and the role', async () => {
  const pglite = await db();
  await pglite.exec(`
    CREATE TEMP TABLE notes (text text); CREATE TEMP VIEW tv AS SELECT 1;
    PREPARE p AS SELECT 1; LISTEN chan; SELECT pg_advisory_lock(42); SELECT lo_create(4242);
    CREATE PUBLICATION pub FOR ALL TABLES;
    CREATE FUNCTION public.refuse() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no DDL'; END $$;
    CREATE EVENT TRIGGER refuse ON ddl_command_start EXECUTE FUNCTION public.refuse();
    CREATE ROLE intruder; SET search_path = pg_temp; SET statement_timeout = 1;`);
  await pglite.exec('BEGIN; DECLARE c CURSOR WITH HOLD FOR SELECT 1; COMMIT; SET SESSION AUTHORIZATION intruder;');
  assert.equal(await reset(), undefined);
  assert.deepEqual(
    await one(`SELECT to_regclass('notes') AS notes, (SELECT count(*)::int FROM pg_prepared_statements) AS prepared, (SELECT count(*)::int FROM pg_cursors WHERE name <> '') AS cursors,
      (SELECT count(*)::int FROM pg_listening_channels()) AS listening, (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory') AS advisory,
      (SELECT count(*)::int FROM pg_largeobject_metadata) AS large_objects, (SELECT count(*)::int FROM pg_publication) AS publications,
      (SELECT count(*)::int FROM pg_event_trigger) AS event_triggers, current_setting('search_path') AS path, current_setting('statement_timeout') AS timeout, session_user AS who`),
    { notes: null, prepared: 0, cursors: 0, listening: 0, advisory: 0, large_objects: 0, publications: 0, event_triggers: 0, path: 'public', timeout: '0', who: 'postgres' },
  );
});

/** Each plants something the reset cannot undo; then the instance must be a new one, without it. */
const planted: [string, string, string][] = [
  ['a table in pg_catalog', `CREATE TABLE pg_catalog.notes AS SELECT 'hello'::text AS text`, `SELECT to_regclass('notes') IS NULL AS clean`],
  ['a table in information_schema', 'CREATE TABLE information_schema.notes (text text)', `SELECT to_regclass('information_schema.notes') IS NULL AS clean`],
  ['a built-in function redefined', `CREATE OR REPLACE FUNCTION pg_catalog.to_regnamespace(text) RETURNS regnamespace LANGUAGE sql AS 'SELECT NULL::regnamespace'`, `SELECT to_regnamespace('public') IS NOT NULL AS clean`],
  ['the postgres role and the database altered', `ALTER ROLE postgres SET search_path = evil; ALTER DATABASE postgres SET work_mem = '1MB'`, `SELECT (SELECT count(*) FROM pg_db_role_setting) = 0 AS clean`],
  ['ALTER SYSTEM', 'ALTER SYSTEM SET search_path = evil', `SELECT pg_read_file('postgresql.auto.conf') NOT LIKE '%evil%' AS clean`],
  ['privileges and a comment on system objects', `REVOKE EXECUTE ON FUNCTION pg_catalog.now() FROM PUBLIC; COMMENT ON FUNCTION pg_catalog.now() IS 'evil'`, `SELECT (SELECT proacl IS NULL FROM pg_proc WHERE oid = 'pg_catalog.now'::regproc) AND obj_description('pg_catalog.now'::regproc, 'pg_proc') <> 'evil' AS clean`],
  ['a catalog row deleted', `DELETE FROM pg_catalog.pg_description WHERE objoid = 'pg_catalog.now'::regproc`, `SELECT obj_description('pg_catalog.now'::regproc, 'pg_proc') IS NOT NULL AS clean`],
  ['two catalogs swapped by name', `ALTER TABLE pg_catalog.pg_transform RENAME TO swap; ALTER TABLE pg_catalog.pg_user_mapping RENAME TO pg_transform; ALTER TABLE pg_catalog.swap RENAME TO pg_user_mapping`, `SELECT 'pg_catalog.pg_transform'::regclass::oid = 3576 AS clean`],
  ['the postgres role no longer a superuser (by editing pg_authid)', `UPDATE pg_authid SET rolsuper = false WHERE rolname = 'postgres'`, `SELECT rolsuper AS clean FROM pg_roles WHERE rolname = 'postgres'`],
  ['the procedural language dropped, so the reset itself fails', 'DROP EXTENSION plpgsql', `SELECT EXISTS (SELECT FROM pg_language WHERE lanname = 'plpgsql') AS clean`],
];

test('leftovers the reset cannot undo are found, and the test after gets a new instance without them', async () => {
  for (const [what, plant, check] of planted) {
    const before = await db();
    await before.exec(plant);
    const why = await reset();
    assert.ok(why, `${what}: not found`);
    const now = await db();
    assert.notEqual(now, before, what);
    // Closed in the background, so the new one is not kept waiting.
    for (let i = 0; i < 100 && !before.closed; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(before.closed, `${what}: the old instance is still open`);
    assert.deepEqual(await one(check), { clean: true }, what);
  }
});
