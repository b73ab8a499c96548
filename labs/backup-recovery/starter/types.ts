/**
 * The shapes that backups, verification, restores and failovers share, and their errors.
 * This file is read-only: your code and the tests share these types.
 */

/** Count and digest of a table's rows, computed the same way wherever the table is. */
export interface TableChecksum {
  /** How many rows the table has. */
  rows: number;
  /** SHA-256 (lowercase hex) of the table's rows as JSON lines, in primary-key order. */
  digest: string;
}

/** One object of a backup, as the manifest records it. */
export interface BackupPart {
  /** The object's name inside the backup: 'schema.sql', 'orders.jsonl', 'inventory.sqlite'. */
  name: string;
  /** Its length in bytes. */
  bytes: number;
  /** SHA-256 of its bytes, lowercase hex. */
  sha256: string;
}

/**
 * What a backup contains, stored as `manifest.json` beside its parts. Written last: a backup
 * without a manifest was never finished.
 */
export interface BackupManifest {
  /** The format of this manifest and its parts; this lab writes and reads version 1. */
  formatVersion: 1;
  /** The backup's id, also the prefix of its keys: 'orders/2026-11-26T00-00-00Z'. */
  id: string;
  service: 'orders' | 'inventory';
  /** 'logical': the schema and the rows (Orders). 'physical': the database file (Inventory). */
  kind: 'logical' | 'physical';
  /** When the backup was taken, in clock milliseconds. */
  takenAt: number;
  /** Orders only: the LSN of the last change the backup includes (0 if none); replay continues after it. */
  lsn?: number;
  parts: BackupPart[];
  /** The checksum of each table of the source database when the backup was taken. */
  tables: Record<string, TableChecksum>;
}

/** The manifest format this lab writes and reads. */
export const FORMAT_VERSION = 1;

/**
 * Why a backup failed verification:
 * - `missing`: the object is not in the store (a part, or the manifest itself);
 * - `truncated`: the object is shorter than the manifest says;
 * - `size`: the object is longer than the manifest says;
 * - `checksum`: the right length, but its SHA-256 is not the manifest's;
 * - `unreadable`: the manifest is not a manifest this lab can read (not JSON, another
 *   formatVersion, another backup's id), or a part cannot be parsed or opened;
 * - `mismatch`: the bytes match the manifest, but what they contain does not (row counts or
 *   table digests differ from the manifest's `tables`).
 */
export type VerifyFailure = 'missing' | 'truncated' | 'size' | 'checksum' | 'unreadable' | 'mismatch';

export type VerifyResult =
  | { ok: true; id: string; manifest: BackupManifest }
  | {
      ok: false;
      id: string;
      /** The part at fault: 'manifest.json', 'orders.jsonl', ... */
      part: string;
      reason: VerifyFailure;
      /** A sentence for a human: what was expected and what was found. */
      detail: string;
    };

/** One table compared after a restore. */
export interface TableCheck {
  table: string;
  /** The table's checksum in the manifest: the source when the backup was taken. */
  expected: TableChecksum;
  /** The table's checksum in the restored database. */
  actual: TableChecksum;
  ok: boolean;
}

/** What a restore drill found: the restored database against the manifest, table by table. */
export interface RestoreReport {
  id: string;
  /** True when every table matches. */
  ok: boolean;
  tables: TableCheck[];
}

/** Thrown by a restore that refuses a backup that did not verify. */
export class BackupInvalidError extends Error {
  readonly result: VerifyResult & { ok: false };
  constructor(result: VerifyResult & { ok: false }) {
    super(`backup ${result.id} did not verify: ${result.part}: ${result.reason} (${result.detail})`);
    this.name = 'BackupInvalidError';
    this.result = result;
  }
}

/** Thrown when a change log skips an LSN: the changes in between are lost, and replaying past them would be wrong. */
export class ChangeLogGapError extends Error {
  /** The LSN that should have come next. */
  readonly expectedLsn: number;
  /** The LSN found in its place (or undefined if the log just ends). */
  readonly foundLsn: number | undefined;
  constructor(expectedLsn: number, foundLsn: number | undefined) {
    super(`the change log has a gap: expected LSN ${expectedLsn}, found ${foundLsn === undefined ? 'nothing' : `LSN ${foundLsn}`}`);
    this.name = 'ChangeLogGapError';
    this.expectedLsn = expectedLsn;
    this.foundLsn = foundLsn;
  }
}

/** How long an outage and how much lost data the shop accepts for a service. */
export interface RecoveryTargets {
  /** Recovery point objective: at most this many milliseconds of acknowledged writes may be lost. */
  rpoMs: number;
  /** Recovery time objective: the service must serve again within this many milliseconds. */
  rtoMs: number;
}

/** Grandfather-father-son retention: how many daily and weekly backups to keep. */
export interface RetentionPolicy {
  /** Keep the newest verified backup of each of the last `daily` days that have one. */
  daily: number;
  /** Keep the newest verified backup of each of the last `weekly` weeks (Monday to Sunday, UTC) that have one. */
  weekly: number;
}

/** What a failover did and what it cost, measured, never guessed in the flattering direction. */
export interface FailoverReport {
  /** The node that failed, and the one that serves writes now. */
  oldPrimary: string;
  newPrimary: string;
  /** The last health check the old primary passed: the outage began after this. */
  lastHealthyAt: number;
  /** When the promoted replica took writes. */
  promotedAt: number;
  /** promotedAt - lastHealthyAt: the longest the outage can have lasted. */
  rtoMs: number;
  /** The LSN of the last change the promoted replica had applied (0 if none). */
  recoveredLsn: number;
  /** The `at` of that change: the moment of the shop's history the new primary starts from (0 if none). */
  recoveredTo: number;
  /** Transactions the old primary acknowledged that never reached the replica. */
  lostWrites: number;
  /** The `at` of the first and last lost transaction, or null if nothing was lost. */
  lostWindow: { from: number; to: number } | null;
  /** lostWindow.to - recoveredTo if anything was lost, else 0: how many milliseconds of acknowledged history are gone. */
  rpoMs: number;
  rpoMet: boolean;
  rtoMet: boolean;
}
