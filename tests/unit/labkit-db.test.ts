/** The labkit's database helpers on the real engines: PGlite from the cached snapshot, sql.js. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { installEngines } from '../../src/labkit/db/engines.ts';
import { pgErrorCode } from '../../src/labkit/db/index.ts';
import { resetPglite, wrapPglite } from '../../src/labkit/db/pg.ts';
import { endTestDatabases, pg, pgSchema, sqlite } from '../../src/labkit/db/test-databases.ts';
import { clearFaults, crashOnWrite, SimulatedCrash } from '../../src/labkit/faults/index.ts';
import { ensurePgSnapshot, nodeEngines } from '../../src/runner/node/engines.ts';

let pglite: PGlite;
before(async () => {
  const engines = nodeEngines(await ensurePgSnapshot());
  installEngines(engines);
  pglite = await engines.pglite();
});
after(() => pglite.close());

test('resetting PGlite removes schemas, tables and roles a test made, and session settings', async () => {
  const db = wrapPglite(pglite);
  const initialPath = (await db.query<{ search_path: string }>('SHOW search_path')).rows[0]!.search_path;
  await db.exec(`CREATE TABLE t (id int); CREATE SCHEMA orders; CREATE TABLE orders.o (id int);
    CREATE ROLE orders_service NOLOGIN; GRANT USAGE ON SCHEMA orders TO orders_service; SET search_path TO orders;`);
  await resetPglite(pglite);
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`);
  assert.equal(rows[0]!.n, 0);
  const roles = await db.query(`SELECT 1 FROM pg_roles WHERE rolname = 'orders_service'`);
  assert.equal(roles.rows.length, 0);
  const path = await db.query<{ search_path: string }>('SHOW search_path');
  assert.equal(path.rows[0]!.search_path, initialPath);
  assert.notEqual(initialPath, 'orders');
  await db.exec('CREATE TABLE t (id int)');
});

test('a Pg transaction rolls back when its function throws, and errors carry their SQLSTATE', async () => {
  await resetPglite(pglite);
  const db = await pg();
  await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', [1]);
      await tx.query('INSERT INTO t VALUES ($1)', [1]);
    }),
    (error) => pgErrorCode(error) === '23505',
  );
  assert.equal((await db.query('SELECT * FROM t')).rows.length, 0);
  endTestDatabases();
});

test('crashOnWrite stops the chosen write, inside or outside a transaction, until cleared', async () => {
  const db = await sqlite();
  db.exec('CREATE TABLE t (n INTEGER)');
  crashOnWrite(db, 2);
  db.run('INSERT INTO t VALUES (1)');
  assert.throws(() => db.transaction(() => db.run('INSERT INTO t VALUES (2)')), SimulatedCrash);
  db.run('INSERT INTO t VALUES (3)');
  crashOnWrite(db, 1);
  clearFaults(db);
  db.run('INSERT INTO t VALUES (4)');
  assert.deepEqual(db.all('SELECT n FROM t ORDER BY n'), [{ n: 1 }, { n: 3 }, { n: 4 }]);
  endTestDatabases();
});

// A write is what the engine does, not what the SQL text starts with: each of these statements
// writes, each is the one chosen to crash, and none of its rows may be there afterwards.
const SQLITE_WRITES = [
  'INSERT INTO t VALUES (10)',
  '/* a comment first */ insert into t values (11)',
  'WITH x AS (SELECT 12 AS n) INSERT INTO t SELECT n FROM x',
  'INSERT INTO t VALUES (13) ON CONFLICT DO NOTHING',
  'UPDATE t SET n = n + 1 WHERE n = -1',
  'REPLACE INTO t VALUES (14)',
  'DELETE FROM t WHERE n = 1',
];

test('crashOnWrite in SQLite counts every statement the engine runs as a write, and no schema change or read', async () => {
  const db = await sqlite();
  db.exec('CREATE TABLE t (n INTEGER)');
  db.run('INSERT INTO t VALUES (1)');
  for (const sql of SQLITE_WRITES) {
    crashOnWrite(db, 1);
    assert.throws(() => db.run(sql), SimulatedCrash, sql);
    assert.deepEqual(db.all('SELECT n FROM t'), [{ n: 1 }], `after the crash of: ${sql}`);
  }
  crashOnWrite(db, 1);
  db.exec('CREATE TABLE u (n INTEGER); CREATE INDEX t_n ON t (n)');
  db.all('SELECT * FROM t');
  assert.throws(() => db.exec('SELECT 1; INSERT INTO u VALUES (1)'), SimulatedCrash, 'the second statement of an exec writes');
  clearFaults(db);
  endTestDatabases();
});

const PG_WRITES = [
  'INSERT INTO t VALUES (10)',
  '-- a comment first\ninsert into t values (11)',
  'WITH x AS (SELECT 12 AS n) INSERT INTO t SELECT n FROM x',
  'WITH gone AS (DELETE FROM t WHERE n = 1 RETURNING n) SELECT count(*) FROM gone',
  'SELECT add_row(13)',
  'UPDATE t SET n = n + 1 WHERE n = -1',
  'INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING',
];

test('crashOnWrite in PostgreSQL counts every statement the engine runs as a write, in or out of a transaction', async () => {
  await resetPglite(pglite);
  const db = await pg();
  await db.exec(`CREATE TABLE t (n int PRIMARY KEY); CREATE TABLE w (n int);
    CREATE FUNCTION add_row(v int) RETURNS void LANGUAGE sql AS 'INSERT INTO t VALUES (v)';`);
  await db.query('INSERT INTO t VALUES (1)');
  for (const sql of PG_WRITES) {
    crashOnWrite(db, 1);
    await assert.rejects(db.query(sql), SimulatedCrash, sql);
    assert.deepEqual((await db.query('SELECT n FROM t')).rows, [{ n: 1 }], `after the crash of: ${sql}`);
    crashOnWrite(db, 2);
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO w VALUES (1)');
        await tx.query(sql);
      }),
      SimulatedCrash,
      `in a transaction: ${sql}`,
    );
    assert.deepEqual((await db.query('SELECT n FROM t UNION ALL SELECT n + 100 FROM w')).rows, [{ n: 1 }], `after the crash in a transaction of: ${sql}`);
  }
  crashOnWrite(db, 1);
  await db.exec('CREATE TABLE u (n int); CREATE INDEX t_n ON t (n)');
  await db.query('SELECT * FROM t FOR UPDATE');
  await db.query('INSERT INTO u VALUES (1)').then(
    () => assert.fail('the first write after the schema changes and the read should have crashed'),
    (error) => assert.ok(error instanceof SimulatedCrash, String(error)),
  );
  clearFaults(db);
  // A statement that fails is the learner's error, not a crash, and leaves its transaction failed as always.
  crashOnWrite(db, 1);
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)').catch(() => {});
      await tx.query('SELECT 1');
    }),
    (error) => pgErrorCode(error) === '25P02',
  );
  clearFaults(db);
  endTestDatabases();
  await resetPglite(pglite);
});

test('Sqlite transactions commit, roll back on a throw, and refuse nesting and async functions', async () => {
  const db = await sqlite();
  db.exec('CREATE TABLE t (n INTEGER)');
  db.transaction(() => db.run('INSERT INTO t VALUES (?)', [1]));
  assert.throws(() => db.transaction(() => { db.run('INSERT INTO t VALUES (2)'); throw new Error('boom'); }), /boom/);
  assert.throws(() => db.transaction(() => db.transaction(() => 1)), /cannot be nested/);
  assert.throws(() => db.transaction((() => Promise.resolve(1)) as unknown as () => number), /must be synchronous/);
  assert.deepEqual(db.all('SELECT n FROM t'), [{ n: 1 }]);
  assert.deepEqual(db.get('SELECT count(*) AS c FROM t WHERE n = ?', [true]), { c: 1 });
  endTestDatabases();
});

test('schema per service: each service sees only its own schema, through its own role, and finds it again', async () => {
  await resetPglite(pglite);
  const orders = await pgSchema('orders');
  const payments = await pgSchema('payments');
  await orders.exec('CREATE TABLE orders (id text PRIMARY KEY, total int)');
  await orders.query('INSERT INTO orders VALUES ($1, $2)', ['o-1', 500]);
  await payments.exec('CREATE TABLE payments (order_id text PRIMARY KEY)');

  assert.equal((await orders.query<{ current_user: string }>('SELECT current_user')).rows[0]!.current_user, 'orders');
  await assert.rejects(payments.query('SELECT * FROM orders.orders'), (error) => pgErrorCode(error) === '42501');
  await assert.rejects(payments.query('SELECT * FROM orders'), (error) => pgErrorCode(error) === '42P01');
  await assert.rejects(orders.exec('CREATE TABLE public.leak (id int)'), (error) => pgErrorCode(error) === '42501');

  const ordersAgain = await pgSchema('orders');
  assert.deepEqual((await ordersAgain.query('SELECT id, total FROM orders')).rows, [{ id: 'o-1', total: 500 }]);
  await assert.rejects(
    orders.transaction(async (tx) => {
      await tx.query('INSERT INTO orders VALUES ($1, $2)', ['o-2', 1]);
      throw new Error('stop');
    }),
    /stop/,
  );
  assert.equal((await orders.query('SELECT * FROM orders')).rows.length, 1);
  // The shared connection is back to the superuser between statements.
  assert.equal((await (await pg()).query<{ current_user: string }>('SELECT current_user')).rows[0]!.current_user, 'postgres');
  await assert.rejects(pgSchema('Orders; DROP'), /cannot name a schema and its role/);
  endTestDatabases();
  await resetPglite(pglite);
});

test('an SQLite database exports to file bytes that open as an independent copy', async () => {
  const original = await sqlite();
  original.exec("CREATE TABLE stock (sku TEXT PRIMARY KEY, qty INTEGER); INSERT INTO stock VALUES ('tea', 3)");
  const copy = await sqlite(original.export());
  copy.run('UPDATE stock SET qty = 0');
  assert.deepEqual(original.all('SELECT sku, qty FROM stock'), [{ sku: 'tea', qty: 3 }]);
  assert.deepEqual(copy.all('SELECT sku, qty FROM stock'), [{ sku: 'tea', qty: 0 }]);
  assert.throws(() => original.transaction(() => original.export()), /inside a transaction/);
  endTestDatabases();
});
