import { sqlite, type Pg, type Sqlite } from 'labkit/db';
import { fromJsonLines, fromUtf8, partKey, type BackupStore } from './backup-store.ts';
import { inventoryChecksums, ordersChecksums } from './backup.ts';
import { ORDERS_TABLES } from './orders.ts';
import { BackupInvalidError, type BackupManifest, type RestoreReport, type TableChecksum } from './types.ts';
import { verifyBackup } from './verify.ts';

/** One part of a backup, which verification has just seen. */
async function part(store: BackupStore, id: string, name: string): Promise<Uint8Array> {
  const bytes = await store.get(partKey(id, name));
  if (!bytes) throw new Error(`backup ${id} lost ${name} after it was verified`);
  return bytes;
}

/** The restored tables against the manifest: one TableCheck per table in manifest.tables. */
function compare(manifest: BackupManifest, actual: Record<string, TableChecksum>): RestoreReport {
  // TODO (task 3): a RestoreReport: for each table of manifest.tables, its expected checksum,
  // the actual one (a table missing from `actual` counts as { rows: 0, digest: '' }), and
  // whether they are equal; ok when all are.
  throw new Error('compare is not implemented yet (task 3)');
}

/**
 * Restores logical Orders backup `id` into `target`, an empty schema, and returns the restore
 * drill's report: the restored tables' checksums against the manifest's.
 */
export async function restoreOrders(store: BackupStore, id: string, target: Pg): Promise<RestoreReport> {
  // TODO (task 3): verify the backup first and throw new BackupInvalidError(result) if it is not
  // ok. Then, in one transaction on target: run schema.sql, and insert the rows of each table of
  // ORDERS_TABLES (in that order: parents first) from its .jsonl part. Finally compare
  // ordersChecksums(target) with the manifest.
  throw new Error('restoreOrders is not implemented yet (task 3)');
}

/** Restores physical Inventory backup `id` into a new SQLite database; returns it with the drill's report. */
export async function restoreInventory(store: BackupStore, id: string): Promise<{ db: Sqlite; report: RestoreReport }> {
  // TODO (task 3): verify, then open the file with sqlite(bytes) and compare its checksums.
  throw new Error('restoreInventory is not implemented yet (task 3)');
}
