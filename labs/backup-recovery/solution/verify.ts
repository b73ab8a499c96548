import { sqlite } from 'labkit/db';
import { fromJsonLines, fromUtf8, MANIFEST, partKey, type BackupStore } from './backup-store.ts';
import { inventoryChecksums, sha256Hex, tableChecksum } from './backup.ts';
import { FORMAT_VERSION, type BackupManifest, type TableChecksum, type VerifyFailure, type VerifyResult } from './types.ts';

/** Thrown inside verification to stop at the first problem; verifyBackup turns it into a result. */
class Failed extends Error {
  readonly part: string;
  readonly reason: VerifyFailure;
  readonly detail: string;
  constructor(part: string, reason: VerifyFailure, detail: string) {
    super(detail);
    this.part = part;
    this.reason = reason;
    this.detail = detail;
  }
}

/** The manifest of backup `id`, checked for the fields everything else relies on. */
async function readManifest(store: BackupStore, id: string): Promise<BackupManifest> {
  const bytes = await store.get(partKey(id, MANIFEST));
  if (!bytes) throw new Failed(MANIFEST, 'missing', 'there is no manifest: the backup was never finished, or the manifest was lost');
  let manifest: BackupManifest | null;
  try {
    manifest = JSON.parse(fromUtf8(bytes)) as BackupManifest | null;
  } catch (error) {
    throw new Failed(MANIFEST, 'unreadable', `the manifest is not valid JSON (${(error as Error).message})`);
  }
  // Optional chaining: JSON that is not an object (null, a number, a string) has none of these fields.
  if (manifest?.formatVersion !== FORMAT_VERSION) throw new Failed(MANIFEST, 'unreadable', `formatVersion is ${String(manifest?.formatVersion)}; this code reads ${FORMAT_VERSION}`);
  if (manifest.id !== id) throw new Failed(MANIFEST, 'unreadable', `the manifest is for backup ${String(manifest.id)}, not ${id}`);
  if (!Array.isArray(manifest.parts) || typeof manifest.tables !== 'object' || manifest.tables === null) {
    throw new Failed(MANIFEST, 'unreadable', 'the manifest has no parts list or no tables');
  }
  return manifest;
}

/** Compares what a part contains with what the manifest says about its tables. */
function compareTable(part: string, table: string, expected: TableChecksum | undefined, actual: TableChecksum): void {
  if (!expected) throw new Failed(part, 'mismatch', `the manifest has no checksum for table ${table}`);
  if (expected.rows !== actual.rows) throw new Failed(part, 'mismatch', `table ${table} has ${actual.rows} rows; the manifest says ${expected.rows}`);
  if (expected.digest !== actual.digest) throw new Failed(part, 'mismatch', `the rows of table ${table} do not match the manifest's digest`);
}

/** Checks the content of one part whose bytes are what the manifest says; adds the tables it holds to `held`. */
async function checkContent(manifest: BackupManifest, name: string, bytes: Uint8Array, held: Set<string>): Promise<void> {
  if (name.endsWith('.jsonl')) {
    let rows: object[];
    try {
      rows = fromJsonLines(fromUtf8(bytes));
    } catch (error) {
      throw new Failed(name, 'unreadable', `not JSON lines (${(error as Error).message})`);
    }
    const table = name.slice(0, -'.jsonl'.length);
    compareTable(name, table, manifest.tables[table], await tableChecksum(rows));
    held.add(table);
  } else if (name.endsWith('.sqlite')) {
    let actual: Record<string, TableChecksum>;
    try {
      actual = await inventoryChecksums(await sqlite(bytes));
    } catch (error) {
      throw new Failed(name, 'unreadable', `SQLite cannot read it (${(error as Error).message})`);
    }
    for (const [table, checksum] of Object.entries(actual)) {
      compareTable(name, table, manifest.tables[table], checksum);
      held.add(table);
    }
  }
}

/**
 * Checks backup `id` before anyone relies on it: the manifest is there and readable, every
 * part it lists is there with the right size and SHA-256, and what the parts contain agrees
 * with the manifest's table checksums. Stops at the first problem and names it.
 */
export async function verifyBackup(store: BackupStore, id: string): Promise<VerifyResult> {
  try {
    const manifest = await readManifest(store, id);
    const held = new Set<string>();
    for (const part of manifest.parts) {
      const bytes = await store.get(partKey(id, part.name));
      if (!bytes) throw new Failed(part.name, 'missing', `the manifest lists ${part.name}, but the store has no such object`);
      // Size first: it is free, and "truncated" tells an operator more than "checksum".
      if (bytes.length < part.bytes) throw new Failed(part.name, 'truncated', `${bytes.length} bytes; the manifest says ${part.bytes}`);
      if (bytes.length > part.bytes) throw new Failed(part.name, 'size', `${bytes.length} bytes; the manifest says ${part.bytes}`);
      const sha256 = await sha256Hex(bytes);
      if (sha256 !== part.sha256) throw new Failed(part.name, 'checksum', `SHA-256 is ${sha256}; the manifest says ${part.sha256}`);
      await checkContent(manifest, part.name, bytes, held);
    }
    // A manifest can also lie by vouching for a table that is not there: every table needs a part that holds it.
    for (const table of Object.keys(manifest.tables)) {
      if (!held.has(table)) throw new Failed(MANIFEST, 'mismatch', `the manifest has a checksum for table ${table} but no part holds it`);
    }
    return { ok: true, id, manifest };
  } catch (error) {
    if (error instanceof Failed) return { ok: false, id, part: error.part, reason: error.reason, detail: error.detail };
    throw error;
  }
}
