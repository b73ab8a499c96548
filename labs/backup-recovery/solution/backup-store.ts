/**
 * The backup store: an object store in memory, like a bucket on S3 or a folder on another
 * machine. It knows nothing about backups; it keeps bytes under keys. This file is read-only.
 *
 * A backup is the set of objects under one prefix, its id:
 *
 *   orders/2026-11-26T00-00-00Z/manifest.json
 *   orders/2026-11-26T00-00-00Z/schema.sql
 *   orders/2026-11-26T00-00-00Z/orders.jsonl
 *   ...
 *
 * The tests reach into it the way a disk, a network or a person would: they flip a byte,
 * cut a file short, or delete an object.
 */

export class BackupStore {
  private readonly objects = new Map<string, Uint8Array>();

  /** Stores a copy of `bytes` under `key`, replacing what was there. */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.objects.set(key, bytes.slice());
  }

  /** A copy of the object's bytes, or undefined if there is no object under `key`. */
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key)?.slice();
  }

  async has(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  /** The keys that start with `prefix`, sorted. */
  async list(prefix = ''): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  /** Removes one object; does nothing if it is not there. */
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  /**
   * The ids of the backups of `service` that have at least one object in the store, complete
   * or not, oldest first (ids sort by time): `['orders/2026-11-26T00-00-00Z', ...]`.
   */
  async backupIds(service: string): Promise<string[]> {
    const ids = new Set<string>();
    for (const key of await this.list(`${service}/`)) ids.add(key.slice(0, key.lastIndexOf('/')));
    return [...ids].sort();
  }
}

/** The manifest's name inside a backup. */
export const MANIFEST = 'manifest.json';

/**
 * The id of a backup of `service` taken at `takenAt` (clock milliseconds):
 * `orders/2026-11-26T00-00-00Z`, with milliseconds only when they are not 0. Colons are
 * replaced, since many object stores and file systems dislike them in names.
 */
export function backupId(service: string, takenAt: number): string {
  const iso = new Date(takenAt).toISOString().replace('.000Z', 'Z').replaceAll(':', '-');
  return `${service}/${iso}`;
}

/** The key of one part of a backup: `orders/2026-11-26T00-00-00Z/orders.jsonl`. */
export function partKey(id: string, part: string): string {
  return `${id}/${part}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Text as UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** UTF-8 bytes as text; throws a TypeError on bytes that are not valid UTF-8. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Rows as JSON lines: one `JSON.stringify(row)` per row, each ended by a newline. This is the
 * format of a logical backup's table parts, and the text a table checksum is computed over.
 */
export function toJsonLines(rows: readonly object[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

/** The rows of a JSON-lines text; throws a SyntaxError on a line that is not JSON. */
export function fromJsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
