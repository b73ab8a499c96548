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
  const key = keyOf(change.table);
  if (change.op === 'delete') {
    const where = key.map((column, i) => `${column} = $${i + 1}`).join(' AND ');
    await tx.query(`DELETE FROM ${change.table} WHERE ${where}`, key.map((column) => change.key[column] as SqlValue));
    return;
  }
  // Only plain column names go into the SQL; the values are bound as one JSON parameter, which
  // jsonb_populate_record turns into a row of the table's own types. Every column is set on a
  // conflict (the key columns to the values they already have), so the whole row is written.
  const columns = Object.keys(change.row).filter((c) => /^[a-z_][a-z0-9_]*$/.test(c));
  await tx.query(
    `INSERT INTO ${change.table} (${columns.join(', ')})
     SELECT ${columns.join(', ')} FROM jsonb_populate_record(NULL::${change.table}, $1::jsonb)
     ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    [JSON.stringify(change.row)],
  );
}

/**
 * The entries to apply after `afterLsn` up to time `until`, in LSN order, checked to have no
 * gap. Throws ChangeLogGapError before anything is applied.
 */
export function entriesToReplay(entries: readonly ChangeEntry[], afterLsn: number, until: number): ChangeEntry[] {
  const sorted = [...entries].sort((a, b) => a.lsn - b.lsn);
  const chosen: ChangeEntry[] = [];
  let expected = afterLsn + 1;
  for (const entry of sorted) {
    if (entry.lsn < expected) continue; // at or below afterLsn, or the same entry twice (archives overlap): skip it
    if (entry.at > until) break;
    if (entry.lsn !== expected) throw new ChangeLogGapError(expected, entry.lsn);
    chosen.push(entry);
    expected += 1;
  }
  return chosen;
}

/**
 * Replays the change log onto `target`: every entry after `afterLsn` that was acknowledged at
 * or before `until`, one transaction per entry, in LSN order.
 */
export async function replay(target: Pg, entries: readonly ChangeEntry[], afterLsn: number, until: number): Promise<ReplayResult> {
  const chosen = entriesToReplay(entries, afterLsn, until);
  for (const entry of chosen) {
    await target.transaction(async (tx) => {
      for (const change of entry.changes) await applyChange(tx, change);
    });
  }
  const last = chosen.at(-1);
  return { applied: chosen.length, lastLsn: last?.lsn ?? afterLsn, lastAt: last?.at };
}

/**
 * Point-in-time recovery of Orders into `target` (an empty schema): the newest verified backup
 * taken at or before `until`, then the change log replayed up to `until`.
 */
export async function recoverToPointInTime(store: BackupStore, log: readonly ChangeEntry[], target: Pg, until: number): Promise<PitrReport> {
  let base: { id: string; lsn: number } | undefined;
  for (const id of (await store.backupIds('orders')).reverse()) {
    const result = await verifyBackup(store, id);
    if (result.ok && result.manifest.takenAt <= until) {
      base = { id, lsn: result.manifest.lsn ?? 0 };
      break;
    }
  }
  if (!base) throw new Error(`no verified Orders backup was taken at or before ${new Date(until).toISOString()}`);
  // Check the log before touching the target: a gap found halfway would leave it half-recovered.
  entriesToReplay(log, base.lsn, until);
  const restore = await restoreOrders(store, base.id, target);
  return { baseBackup: base.id, restore, replay: await replay(target, log, base.lsn, until) };
}
