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
  // TODO (task 2): read partKey(id, MANIFEST). Throw new Failed(MANIFEST, reason, detail) when
  // it is missing ('missing'), is not JSON, has another formatVersion than FORMAT_VERSION, has
  // another id, or has no parts list or tables ('unreadable').
  throw new Error('readManifest is not implemented yet (task 2)');
}

/**
 * Checks backup `id` before anyone relies on it: the manifest is there and readable, every
 * part it lists is there with the right size and SHA-256, and what the parts contain agrees
 * with the manifest's table checksums. Stops at the first problem and names it.
 */
export async function verifyBackup(store: BackupStore, id: string): Promise<VerifyResult> {
  try {
    const manifest = await readManifest(store, id);
    // TODO (task 2): for every part in manifest.parts, throw a Failed naming the part when it is
    // missing, shorter ('truncated') or longer ('size') than part.bytes, or its SHA-256 differs
    // ('checksum'). Then check what it contains against manifest.tables ('mismatch'; 'unreadable'
    // if it cannot be parsed): a .jsonl part holds the rows of one table (fromJsonLines,
    // tableChecksum), a .sqlite part a whole database (open it with sqlite(bytes), then
    // inventoryChecksums). Also fail when manifest.tables names a table no part holds.
    throw new Error(`verifyBackup is not implemented yet (task 2): cannot check ${manifest.id}`);
  } catch (error) {
    if (error instanceof Failed) return { ok: false, id, part: error.part, reason: error.reason, detail: error.detail };
    throw error;
  }
}
