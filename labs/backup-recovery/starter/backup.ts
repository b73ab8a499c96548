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
  // TODO (task 1): { rows: how many, digest: the SHA-256 of the rows as JSON lines }.
  // toJsonLines and utf8 in backup-store.ts turn rows into the bytes to hash.
  throw new Error('tableChecksum is not implemented yet (task 1)');
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

/**
 * A logical full backup of Orders: `schema.sql`, then one `<table>.jsonl` per table of
 * ORDERS_TABLES with its rows in key order, and `manifest.json`.
 */
export async function backupOrders(db: Pg, store: BackupStore, clock: Clock): Promise<BackupManifest> {
  // TODO (task 1): read every table of ORDERS_TABLES (SELECT * ... ORDER BY its key) and the
  // last LSN of change_log, all in ONE transaction (db.transaction), so they describe one moment
  // even while orders keep coming in. Then store schema.sql (ORDERS_SCHEMA_SQL) and one
  // <table>.jsonl part per table under backupId('orders', clock.now()), and the manifest
  // (see BackupManifest in types.ts) last. Refuse to overwrite a backup that already exists.
  throw new Error('backupOrders is not implemented yet (task 1)');
}

/** A physical full backup of Inventory: the SQLite file itself (`inventory.sqlite`), and `manifest.json`. */
export async function backupInventory(db: Sqlite, store: BackupStore, clock: Clock): Promise<BackupManifest> {
  // TODO (task 1): the file is db.export(); its tables' checksums come from inventoryChecksums.
  // Store inventory.sqlite, then the manifest, under backupId('inventory', clock.now()).
  // Refuse to overwrite a backup that already exists.
  throw new Error('backupInventory is not implemented yet (task 1)');
}
