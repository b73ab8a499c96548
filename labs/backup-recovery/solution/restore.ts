import { sqlite, type Pg, type Sqlite } from 'labkit/db';
import { fromJsonLines, fromUtf8, partKey, type BackupStore } from './backup-store.ts';
import { inventoryChecksums, ordersChecksums } from './backup.ts';
import { ORDERS_TABLES } from './orders.ts';
import { BackupInvalidError, type BackupManifest, type RestoreReport, type TableChecksum } from './types.ts';
import { verifyBackup } from './verify.ts';

/** Verifies the backup and returns its manifest, or throws BackupInvalidError. */
async function verified(store: BackupStore, id: string): Promise<BackupManifest> {
  const result = await verifyBackup(store, id);
  if (!result.ok) throw new BackupInvalidError(result);
  return result.manifest;
}

async function part(store: BackupStore, id: string, name: string): Promise<Uint8Array> {
  const bytes = await store.get(partKey(id, name));
  if (!bytes) throw new Error(`backup ${id} lost ${name} after it was verified`);
  return bytes;
}

/** The restored tables against the manifest. */
function compare(manifest: BackupManifest, actual: Record<string, TableChecksum>): RestoreReport {
  const tables = Object.entries(manifest.tables).map(([table, expected]) => {
    const found = actual[table] ?? { rows: 0, digest: '' };
    return { table, expected, actual: found, ok: found.rows === expected.rows && found.digest === expected.digest };
  });
  return { id: manifest.id, ok: tables.every((t) => t.ok), tables };
}

/**
 * Restores logical Orders backup `id` into `target`, an empty schema, and returns the restore
 * drill's report: the restored tables' checksums against the manifest's.
 */
export async function restoreOrders(store: BackupStore, id: string, target: Pg): Promise<RestoreReport> {
  const manifest = await verified(store, id);
  const schema = fromUtf8(await part(store, id, 'schema.sql'));
  const data: [string, string][] = [];
  for (const table of ORDERS_TABLES) data.push([table.name, fromUtf8(await part(store, id, `${table.name}.jsonl`))]);
  // All or nothing: a restore that fails halfway must not leave a database that looks usable.
  await target.transaction(async (tx) => {
    await tx.exec(schema);
    for (const [table, lines] of data) {
      // jsonb_populate_recordset turns each JSON object into a row of the table's own type, so
      // the restored columns get the types the schema says, whatever JSON made of them.
      await tx.query(`INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [JSON.stringify(fromJsonLines(lines))]);
    }
  });
  return compare(manifest, await ordersChecksums(target));
}

/** Restores physical Inventory backup `id` into a new SQLite database; returns it with the drill's report. */
export async function restoreInventory(store: BackupStore, id: string): Promise<{ db: Sqlite; report: RestoreReport }> {
  const manifest = await verified(store, id);
  const db = await sqlite(await part(store, id, 'inventory.sqlite'));
  return { db, report: compare(manifest, await inventoryChecksums(db)) };
}
