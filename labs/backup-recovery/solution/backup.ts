import type { Clock } from 'labkit/clock';
import type { Pg, PgQueries, Sqlite } from 'labkit/db';
import { backupId, MANIFEST, partKey, toJsonLines, utf8, type BackupStore } from './backup-store.ts';
import { INVENTORY_TABLES } from './inventory.ts';
import { ORDERS_SCHEMA_SQL, ORDERS_TABLES, type TableInfo } from './orders.ts';
import { FORMAT_VERSION, type BackupManifest, type BackupPart, type TableChecksum } from './types.ts';

/** SHA-256 of `bytes`, as 64 lowercase hex digits. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The checksum of a table's rows, given in primary-key order. */
export async function tableChecksum(rows: readonly object[]): Promise<TableChecksum> {
  // The digest covers the exact JSON lines a logical backup stores, so a restored table can be
  // compared with its source without trusting either side's bytes: both are re-read by SELECT.
  return { rows: rows.length, digest: await sha256Hex(utf8(toJsonLines(rows))) };
}

/** `ORDER BY` for a table's primary key. Column names come from our own table list, never from input. */
function keyOrder(table: TableInfo): string {
  return table.key.join(', ');
}

/** The checksum of every Orders table in `db`. Pass a transaction to checksum a consistent snapshot. */
export async function ordersChecksums(db: PgQueries): Promise<Record<string, TableChecksum>> {
  const result: Record<string, TableChecksum> = {};
  for (const table of ORDERS_TABLES) {
    const { rows } = await db.query(`SELECT * FROM ${table.name} ORDER BY ${keyOrder(table)}`);
    result[table.name] = await tableChecksum(rows);
  }
  return result;
}

/** The checksum of every Inventory table in `db`. */
export async function inventoryChecksums(db: Sqlite): Promise<Record<string, TableChecksum>> {
  // Read every table before the first await: SQLite here is synchronous, so no write can come
  // in between, and the checksums describe one moment.
  const tables = INVENTORY_TABLES.map((table) => [table.name, db.all(`SELECT * FROM ${table.name} ORDER BY ${keyOrder(table)}`)] as const);
  const result: Record<string, TableChecksum> = {};
  for (const [name, rows] of tables) result[name] = await tableChecksum(rows);
  return result;
}

/** Writes the parts, then the manifest; refuses to overwrite an existing backup. */
async function writeBackup(store: BackupStore, manifest: Omit<BackupManifest, 'parts'>, contents: [string, Uint8Array][]): Promise<BackupManifest> {
  if ((await store.list(`${manifest.id}/`)).length > 0) throw new Error(`a backup ${manifest.id} already exists; refusing to overwrite it`);
  const parts: BackupPart[] = [];
  for (const [name, bytes] of contents) {
    await store.put(partKey(manifest.id, name), bytes);
    parts.push({ name, bytes: bytes.length, sha256: await sha256Hex(bytes) });
  }
  const complete: BackupManifest = { ...manifest, parts };
  // The manifest goes last: it is the backup's commit record. If we crash before it, the
  // parts are an unfinished backup that verification rejects, never a silently partial one.
  await store.put(partKey(manifest.id, MANIFEST), utf8(JSON.stringify(complete, null, 2)));
  return complete;
}

/**
 * A logical full backup of Orders: `schema.sql`, then one `<table>.jsonl` per table of
 * ORDERS_TABLES with its rows in key order, and `manifest.json`.
 */
export async function backupOrders(db: Pg, store: BackupStore, clock: Clock): Promise<BackupManifest> {
  const takenAt = clock.now();
  // One transaction for every read: PostgreSQL gives it a single snapshot, so the tables and
  // the LSN agree with each other even while orders keep coming in (pg_dump does the same).
  const snapshot = await db.transaction(async (tx) => {
    const tables: { name: string; rows: object[] }[] = [];
    for (const table of ORDERS_TABLES) {
      const { rows } = await tx.query(`SELECT * FROM ${table.name} ORDER BY ${keyOrder(table)}`);
      tables.push({ name: table.name, rows });
    }
    const { rows } = await tx.query<{ lsn: number }>('SELECT coalesce(max(lsn), 0) AS lsn FROM change_log');
    return { tables, lsn: Number(rows[0]!.lsn) };
  });
  const checksums: Record<string, TableChecksum> = {};
  const contents: [string, Uint8Array][] = [['schema.sql', utf8(ORDERS_SCHEMA_SQL)]];
  for (const { name, rows } of snapshot.tables) {
    checksums[name] = await tableChecksum(rows);
    contents.push([`${name}.jsonl`, utf8(toJsonLines(rows))]);
  }
  return writeBackup(
    store,
    { formatVersion: FORMAT_VERSION, id: backupId('orders', takenAt), service: 'orders', kind: 'logical', takenAt, lsn: snapshot.lsn, tables: checksums },
    contents,
  );
}

/** A physical full backup of Inventory: the SQLite file itself (`inventory.sqlite`), and `manifest.json`. */
export async function backupInventory(db: Sqlite, store: BackupStore, clock: Clock): Promise<BackupManifest> {
  const takenAt = clock.now();
  // export() and the reads in inventoryChecksums run before anything is awaited, so the file
  // and the checksums describe the same moment.
  const file = db.export();
  const tables = await inventoryChecksums(db);
  return writeBackup(
    store,
    { formatVersion: FORMAT_VERSION, id: backupId('inventory', takenAt), service: 'inventory', kind: 'physical', takenAt, tables },
    [['inventory.sqlite', file]],
  );
}
