import type { Pg, PgQueries, SqlValue } from 'labkit/db';
import type { BackupStore } from './backup-store.ts';
import { ORDERS_TABLES, type ChangeEntry, type RowChange } from './orders.ts';
import { restoreOrders } from './restore.ts';
import { ChangeLogGapError, type RestoreReport } from './types.ts';
import { verifyBackup } from './verify.ts';

export interface ReplayResult {
  /** How many entries were applied. */
  applied: number;
  /** The LSN of the last entry applied, or `afterLsn` if none was. */
  lastLsn: number;
  /** The `at` of the last entry applied, or undefined if none was. */
  lastAt: number | undefined;
}

export interface PitrReport {
  /** The base backup the recovery started from. */
  baseBackup: string;
  restore: RestoreReport;
  replay: ReplayResult;
}

/** The key columns of a table we know; anything else in a change log is refused. */
function keyOf(table: string): string[] {
  const info = ORDERS_TABLES.find((t) => t.name === table);
  if (!info) throw new Error(`the change log names a table this service does not have: ${table}`);
  return info.key;
}

/**
 * Applies one row change so that applying it again changes nothing: an upsert writes the
 * whole row whether or not it is there, a delete of a missing row does nothing.
 */
export async function applyChange(tx: PgQueries, change: RowChange): Promise<void> {
  // TODO (task 5): for 'delete', DELETE the row whose key columns (keyOf(change.table)) equal
  // change.key. For 'upsert', INSERT change.row, and if a row with that key exists, UPDATE it to
  // change.row instead (INSERT ... ON CONFLICT (key columns) DO UPDATE ...). Bind values as
  // parameters; take table and column names only from keyOf and the row's keys.
  throw new Error('applyChange is not implemented yet (task 5)');
}

/**
 * The entries to apply after `afterLsn` up to time `until`, in LSN order, checked to have no
 * gap. Throws ChangeLogGapError before anything is applied.
 */
export function entriesToReplay(entries: readonly ChangeEntry[], afterLsn: number, until: number): ChangeEntry[] {
  // TODO (task 5): sort by LSN; skip entries at or below afterLsn, and second copies of an
  // entry; stop at the first entry with at > until. The entries kept must be afterLsn + 1,
  // afterLsn + 2, ...: throw new ChangeLogGapError(expected, found) at the first that is not.
  throw new Error('entriesToReplay is not implemented yet (task 5)');
}

/**
 * Replays the change log onto `target`: every entry after `afterLsn` that was acknowledged at
 * or before `until`, one transaction per entry, in LSN order.
 */
export async function replay(target: Pg, entries: readonly ChangeEntry[], afterLsn: number, until: number): Promise<ReplayResult> {
  // TODO (task 5): apply the changes of each entry of entriesToReplay(...) in one transaction
  // per entry, and say how many were applied and the LSN and time of the last one.
  throw new Error('replay is not implemented yet (task 5)');
}

/**
 * Point-in-time recovery of Orders into `target` (an empty schema): the newest verified backup
 * taken at or before `until`, then the change log replayed up to `until`.
 */
export async function recoverToPointInTime(store: BackupStore, log: readonly ChangeEntry[], target: Pg, until: number): Promise<PitrReport> {
  // TODO (task 5): find the newest backup of store.backupIds('orders') that verifies and was
  // taken at or before `until` (throw an Error if there is none). Check the log for gaps
  // (entriesToReplay) BEFORE touching the target. Then restoreOrders, and replay from the
  // backup's manifest.lsn.
  throw new Error('recoverToPointInTime is not implemented yet (task 5)');
}
