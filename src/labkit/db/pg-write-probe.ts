/**
 * How a PostgreSQL helper finds out, while a crash is armed (crashOnWrite), whether a statement
 * wrote, from what the engine did rather than from the SQL text: the statement runs inside a
 * savepoint, and it wrote when it changed rows of a table outside the system schemas or took a
 * row-exclusive lock on one (INSERT, UPDATE, DELETE and MERGE take one even when they match no
 * row). A write chosen to crash is undone by rolling back to the savepoint, as if the process
 * had stopped before it. See faults/write-faults.ts.
 *
 * Known gaps, kept small on purpose: TRUNCATE counts as a schema change, and a second write
 * that changes no row of a table the same transaction already wrote is not seen.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { SimulatedCrash, type WriteFaults } from '../faults/write-faults.ts';

type Queries = Pick<PGlite | Transaction, 'query' | 'exec'>;

const USER_RELATIONS = `NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`;
const WRITE_MARKS = `SELECT
  (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_all_tables WHERE schemaname ${USER_RELATIONS})::text AS tuples,
  (SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.mode = 'RowExclusiveLock' AND n.nspname ${USER_RELATIONS})::int AS locks`;

/** Transaction control sent as a statement cannot run inside the probe's own transaction. */
const TRANSACTION_CONTROL = /^\s*(begin|start|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i;

async function writeMarks(target: Queries): Promise<string> {
  const { rows } = await target.query<{ tuples: string; locks: number }>(WRITE_MARKS);
  return `${rows[0]!.tuples}/${rows[0]!.locks}`;
}

/** Runs `statement` on `target` (a transaction or savepoint must be possible there), counting it when it writes. */
async function probeInTransaction<T>(target: Queries, faults: WriteFaults, statement: (on: Queries) => Promise<T>): Promise<T> {
  let before: string;
  try {
    await target.exec('SAVEPOINT labkit_write_probe');
    before = await writeMarks(target);
  } catch {
    // The transaction has already failed; the statement will fail with the learner's real error.
    return statement(target);
  }
  // A failing statement is left to fail the transaction, as it would without the probe.
  const result = await statement(target);
  if ((await writeMarks(target)) !== before && faults.countWrite()) {
    await target.exec('ROLLBACK TO SAVEPOINT labkit_write_probe; RELEASE SAVEPOINT labkit_write_probe');
    throw new SimulatedCrash();
  }
  await target.exec('RELEASE SAVEPOINT labkit_write_probe');
  return result;
}

/**
 * Runs one statement of a helper. `top` is the PGlite instance when the statement is sent
 * outside any helper transaction: it then runs in a short transaction of PGlite's own (which
 * holds PGlite's lock, so no other query of lab code slips in between).
 */
export async function runStatement<T>(sql: string, target: Queries, top: PGlite | undefined, faults: WriteFaults, statement: (on: Queries) => Promise<T>): Promise<T> {
  if (!faults.armed || TRANSACTION_CONTROL.test(sql)) return statement(target);
  if (top && !top.isInTransaction()) return top.transaction((tx) => probeInTransaction(tx, faults, statement));
  return probeInTransaction(target, faults, statement);
}
