import type { PGlite, Transaction } from '@electric-sql/pglite';
import { writeFaultsOf } from '../faults/write-faults.ts';
import { runStatement } from './pg-write-probe.ts';
import type { Pg, PgQueries, PgResult, Row, SqlValue } from './types.ts';

type PgliteQueries = Pick<PGlite | Transaction, 'query' | 'exec'>;

/**
 * The course's query and exec on a PGlite instance or one of its transactions. `top` is the
 * instance itself when `target` is it (a statement outside any transaction of the helper).
 */
export function queriesOn(target: PgliteQueries, faultsOwner: object, top?: PGlite): PgQueries {
  return {
    async query<T = Row>(sql: string, params: SqlValue[] = []): Promise<PgResult<T>> {
      const result = await runStatement(sql, target, top, writeFaultsOf(faultsOwner), (on) => on.query<T>(sql, params));
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await runStatement(sql, target, top, writeFaultsOf(faultsOwner), (on) => on.exec(sql));
    },
  };
}

/** Wraps a PGlite instance in the course's `Pg` interface. */
export function wrapPglite(pglite: PGlite): Pg {
  const db = {} as Pg;
  Object.assign(db, queriesOn(pglite, db, pglite), {
    transaction<T>(fn: (tx: PgQueries) => Promise<T>): Promise<T> {
      return pglite.transaction((tx) => fn(queriesOn(tx, db)));
    },
  });
  return db;
}

/**
 * Returns PGlite to the state of its snapshot as far as one cheap round trip can: no user
 * schemas, tables or roles, no temporary objects, prepared statements, cursors, LISTENs or
 * advisory locks (DISCARD ALL), default session settings, no large objects, event triggers or
 * publications. About 1-2 ms, against ~1 s for a new instance from the data directory. What
 * it cannot undo (objects put in pg_catalog or information_schema, a changed postgres role or
 * database, edited catalog rows) the fingerprint below finds, and the instance is replaced.
 */
const RESET_SQL = `
  SET SESSION AUTHORIZATION postgres;
  SET LOCAL event_triggers = off;
  RESET ROLE;
  RESET ALL;
  DO $reset$
  DECLARE r record;
  BEGIN
    FOR r IN SELECT evtname FROM pg_event_trigger LOOP
      EXECUTE format('DROP EVENT TRIGGER %I', r.evtname);
    END LOOP;
    FOR r IN SELECT pubname FROM pg_publication LOOP
      EXECUTE format('DROP PUBLICATION %I', r.pubname);
    END LOOP;
    PERFORM lo_unlink(oid) FROM pg_largeobject_metadata;
    FOR r IN SELECT nspname FROM pg_namespace
             WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
               AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%' LOOP
      EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
    END LOOP;
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' AND rolname <> 'postgres' LOOP
      EXECUTE format('DROP OWNED BY %I CASCADE', r.rolname);
      EXECUTE format('DROP ROLE %I', r.rolname);
    END LOOP;
    CREATE SCHEMA public;
    GRANT ALL ON SCHEMA public TO pg_database_owner;
    GRANT USAGE ON SCHEMA public TO PUBLIC;
  END
  $reset$;`;

export async function resetPglite(pglite: PGlite): Promise<void> {
  if (pglite.isInTransaction?.()) await pglite.exec('ROLLBACK');
  // Not in a transaction block, so a statement of its own. (Its SET SESSION AUTHORIZATION
  // DEFAULT leaves PGlite as it is, hence the explicit one in RESET_SQL.)
  await pglite.exec('DISCARD ALL');
  await pglite.exec(RESET_SQL);
}

/**
 * A fingerprint of everything a test could leave behind in PGlite that the reset does not
 * undo, taken from a fresh instance (the baseline) and again after every reset.
 *
 * Catalogs: every change to a catalog row (an INSERT, an UPDATE such as CREATE OR REPLACE
 * FUNCTION or GRANT on a system object, ALTER ROLE postgres, ALTER DATABASE ... SET) leaves a
 * row whose xmin is a transaction newer than the instance's start, and every DELETE changes
 * the number of rows. So for each table of pg_catalog and information_schema it reads every
 * row's xmin, and the OID its name resolves to, with no SQL function involved (an ARRAY
 * sub-select and the types' output functions), as a superuser (no row-level security): a
 * submission that redefined a function or an operator, or renamed a catalog to hide another,
 * changes what is read, not how. The counts of
 * all rows and of new rows must match the baseline's (whose new rows are the `public` schema
 * the reset recreates, and the temporary schemas).
 *
 * Then, with the catalogs known to be untouched, what lives outside them: the namespaces' own
 * rows, the session (settings, prepared statements, cursors, LISTEN, advisory locks, the user),
 * replication slots, and the configuration files ALTER SYSTEM writes.
 */
interface CatalogState {
  /** The first transaction id of the instance: rows with an xmin from here on are new. */
  horizon: number;
  /** Schema-qualified names of the catalog tables, and their OIDs. */
  tables: string[];
  oids: number[];
  /** The part that must stay equal, as text. */
  expected: string;
}

const states = new WeakMap<PGlite, CatalogState>();

/**
 * Settings RESET ALL returns to their values at the start, unless the configuration was
 * reloaded (which PGlite cannot do; ALTER SYSTEM's file is checked instead): a few that change
 * what a test's queries see, read as a check (the whole of pg_settings would cost 1 ms more).
 */
const SETTINGS = ['search_path', 'TimeZone', 'DateStyle', 'IntervalStyle', 'default_transaction_isolation', 'default_transaction_read_only', 'session_replication_role', 'row_security', 'statement_timeout', 'standard_conforming_strings', 'check_function_bodies'];

const SESSION_SQL = `SELECT
  (SELECT count(*) FROM pg_catalog.pg_prepared_statements)::int AS prepared,
  (SELECT count(*) FROM pg_catalog.pg_cursors WHERE name <> '')::int AS cursors,
  (SELECT count(*) FROM pg_catalog.pg_listening_channels())::int AS listening,
  (SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory')::int AS advisory,
  (SELECT count(*) FROM pg_catalog.pg_replication_slots)::int AS slots,
  current_user AS "user", session_user AS "session",
  pg_catalog.md5(pg_catalog.pg_read_file('postgresql.auto.conf')) AS auto_conf,
  pg_catalog.md5(pg_catalog.pg_read_file('postgresql.conf')) AS conf,
  ARRAY(SELECT pg_catalog.current_setting(name) FROM pg_catalog.unnest(ARRAY[${SETTINGS.map((name) => `'${name}'`).join(', ')}]) AS name) AS settings`;

function catalogSql(state: Pick<CatalogState, 'tables'>): string {
  const oids = state.tables.map((t) => `'${t}'::pg_catalog.regclass::pg_catalog.oid`).join(', ');
  const xmins = state.tables.map((t, i) => `ARRAY(SELECT xmin FROM ONLY ${t}) AS x${i}`).join(',\n  ');
  return `SELECT ARRAY[${oids}] AS oids,\n  ARRAY(SELECT ROW(xmin, nspname, nspowner, nspacl) FROM pg_catalog.pg_namespace) AS namespaces,\n  ${xmins}`;
}

/** Reads the fingerprint; its text, or a reason it cannot match. */
async function fingerprint(pglite: PGlite, state: Omit<CatalogState, 'expected'>): Promise<string> {
  // Raw text, parsed here: nothing of the database's array or type parsing is trusted either.
  const raw = (value: string) => value;
  // As a superuser, row-level security cannot hide rows (SHOW calls no function).
  const [superuser, catalogs, sessionResult] = await pglite.exec(`SHOW is_superuser; ${catalogSql(state)}; ${SESSION_SQL}`, { parsers: { 28: raw, 1011: raw, 1028: raw, 2287: raw } });
  if ((superuser?.rows[0] as { is_superuser?: string } | undefined)?.is_superuser !== 'on') return 'the postgres role is not a superuser';
  const row = catalogs!.rows[0] as Record<string, string>;
  if (row.oids !== `{${state.oids.join(',')}}`) return 'a catalog table was renamed or replaced';
  const parts: string[] = [];
  state.tables.forEach((table, i) => {
    const text = row[`x${i}`]!;
    const xmins = text === '{}' ? [] : text.slice(1, -1).split(',');
    let fresh = 0;
    for (const xmin of xmins) if (Number(xmin) >= state.horizon) fresh += 1;
    parts.push(`${table}: ${xmins.length} rows, ${fresh} written since the start`);
  });
  // The namespaces that are new since the start (public, the temporary ones) must be as the reset makes them.
  const fresh = parseArray(row.namespaces!)
    .map((text) => text.replace(/^\((\d+),/, (_, xmin: string) => (Number(xmin) >= state.horizon ? '(new,' : '(old,')))
    .sort();
  parts.push(`namespaces ${fresh.join(' ')}`);
  // Run after the catalogs were read, in the same round trip: its functions are trusted only when they match.
  const session = sessionResult!.rows[0] as Record<string, unknown>;
  for (const [key, value] of Object.entries(session)) parts.push(`${key} ${JSON.stringify(value)}`);
  return parts.join('\n');
}

/** Splits the text of a one-dimensional PostgreSQL array (`{a,"b c",NULL}`) into its elements. */
function parseArray(text: string): string[] {
  if (text === '{}') return [];
  const items: string[] = [];
  let i = 1;
  while (i < text.length - 1) {
    let item = '';
    if (text[i] === '"') {
      i += 1;
      while (text[i] !== '"') {
        if (text[i] === '\\') i += 1;
        item += text[i];
        i += 1;
      }
      i += 1;
    } else {
      while (text[i] !== ',' && i < text.length - 1) item += text[i++];
    }
    items.push(item);
    i += 1; // the comma
  }
  return items;
}

/**
 * Records what a PGlite just started from the snapshot looks like after a reset: call it before
 * any lab code has used the instance. The engines call it for each instance they start.
 */
export async function rememberSnapshotState(pglite: PGlite): Promise<void> {
  const start = await pglite.query<{ horizon: string }>('SELECT pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text AS horizon');
  const horizon = Number(start.rows[0]!.horizon);
  const tables = await pglite.query<{ name: string; oid: number }>(
    `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS name, c.oid::int AS oid
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('pg_catalog', 'information_schema') AND c.relkind = 'r' ORDER BY c.oid`,
  );
  // The temporary schemas exist from the start, so a test that makes a temporary table adds none.
  await pglite.exec('CREATE TEMP TABLE labkit_probe (); DROP TABLE labkit_probe;');
  await resetPglite(pglite);
  const state = { horizon, tables: tables.rows.map((t) => t.name), oids: tables.rows.map((t) => t.oid) };
  states.set(pglite, { ...state, expected: await fingerprint(pglite, state) });
}

/**
 * Resets PGlite and checks it is back to its snapshot's state. Undefined when it is; else what
 * differs (or why the reset or the check failed, or that the instance's start was never
 * recorded): then only a new instance is clean.
 */
export async function resetAndCheckPglite(pglite: PGlite): Promise<string | undefined> {
  const state = states.get(pglite);
  if (!state) return 'the database was never recorded in its snapshot state';
  const failed = (what: string, error: unknown) => `${what} failed (${error instanceof Error ? error.message : String(error)})`;
  try {
    await resetPglite(pglite);
  } catch (error) {
    return failed('the reset', error);
  }
  let now: string;
  try {
    now = await fingerprint(pglite, state);
  } catch (error) {
    return failed('the check', error);
  }
  if (now === state.expected) return undefined;
  const expected = state.expected.split('\n');
  const lines = now.split('\n');
  const i = Math.max(0, lines.findIndex((line, j) => line !== expected[j]));
  return `the catalog differs from the snapshot's: ${lines[i]?.slice(0, 120)} (at the start: ${expected[i]?.slice(0, 120)})`;
}
