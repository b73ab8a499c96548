/**
 * Reads a learner's submission zip: the lab's editable files at their bundle paths
 * (`src/event-store.ts`), optionally all under one top folder, plus an optional
 * `submission.json` ({ labId, labVersion, savedAt }) as "Download my work" writes it.
 *
 * A zip comes from someone we do not trust, so it is read by hand from its central directory
 * rather than unpacked: every entry is checked (name, type, declared sizes) before a byte is
 * inflated, and inflation stops as soon as an entry outgrows its cap, whatever its header says.
 * Returns the same `Submission` as a folder, so the grader and the gradebook treat both alike.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Inflate } from 'fflate';
import type { FileMap, LabBundle } from '../labs/bundle.ts';
import { MAX_FILE_BYTES, type Submission } from './submission.ts';

/** A zip of source files is a few kilobytes; anything near this is not a submission. */
export const MAX_ZIP_BYTES = 4 * 1024 * 1024;
/** Entries (files and folders) a zip may list; a lab has a handful of editable files. */
export const MAX_ENTRIES = 200;
/** All inflated bytes together: stops a zip of many files each just under the cap. */
export const MAX_TOTAL_BYTES = 2 * 1024 * 1024;

const MANIFEST = 'submission.json';

interface Entry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Unix mode bits, when the zip was made on a system that records them. */
  mode: number;
}

export function readSubmissionZip(bundle: LabBundle, path: string): Submission {
  if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`The submission zip ${path} does not exist.`);
  if (statSync(path).size > MAX_ZIP_BYTES) throw new Error(`The submission zip ${path} is larger than ${MAX_ZIP_BYTES / 2 ** 20} MB; a submission holds only the lab's source files.`);
  const zip = new Uint8Array(readFileSync(path));
  const entries = centralDirectory(zip, path);

  const editable = bundle.manifest.files.editable;
  const notes: string[] = [];
  const files: FileMap = {};
  const names = entries.filter((e) => !e.name.endsWith('/')).map((e) => e.name);
  const prefix = topFolder(names, editable);
  let inflated = 0;

  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue;
    const unsafe = unsafeName(entry.name);
    if (unsafe) {
      notes.push(`ignored ${JSON.stringify(entry.name)}: ${unsafe}`);
      continue;
    }
    const inner = entry.name.startsWith(prefix) ? entry.name.slice(prefix.length) : entry.name;
    if (inner === MANIFEST) {
      notes.push(...manifestNotes(zip, entry, bundle));
      continue;
    }
    if (!editable.includes(inner)) {
      notes.push(`ignored ${inner}: not one of the lab's editable files`);
      continue;
    }
    const type = entry.mode & 0o170000;
    if (type !== 0 && type !== 0o100000) {
      notes.push(`ignored ${inner}: not a regular file (${type === 0o120000 ? 'a symbolic link' : 'a special file'})`);
      continue;
    }
    if (entry.size > MAX_FILE_BYTES) {
      notes.push(`ignored ${inner}: larger than ${MAX_FILE_BYTES / 1024} KB`);
      continue;
    }
    const bytes = inflate(zip, entry, Math.min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - inflated));
    if (typeof bytes === 'string') {
      notes.push(`ignored ${inner}: ${bytes}`);
      continue;
    }
    inflated += bytes.length;
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    try {
      files[inner] = text.decode(bytes);
    } catch {
      notes.push(`ignored ${inner}: not UTF-8 text`);
    }
  }
  for (const file of editable) {
    if (!(file in files) && !notes.some((n) => n.startsWith(`ignored ${file}:`))) notes.push(`missing ${file}: the starter's version was used`);
  }
  return { files, notes };
}

/**
 * The one folder every file sits under ("my-work/"), or "" when the files are at the top or
 * spread over several folders. A zip made by "Compress" on a folder has such a top folder.
 */
function topFolder(names: string[], editable: string[]): string {
  if (names.some((n) => editable.includes(n) || n === MANIFEST)) return '';
  const first = names[0]?.split('/')[0];
  if (!first || names.some((n) => !n.startsWith(`${first}/`))) return '';
  return `${first}/`;
}

/** Why a path must not be used, or undefined when it is a plain relative path. */
function unsafeName(name: string): string | undefined {
  if (name.includes('\\')) return 'a backslash in its path';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  if (name.split('/').some((part) => part === '..')) return 'a path that leaves the submission (..)';
  if (name.includes('\0')) return 'a NUL in its path';
  return undefined;
}

function manifestNotes(zip: Uint8Array, entry: Entry, bundle: LabBundle): string[] {
  const bytes = entry.size <= 4096 ? inflate(zip, entry, 4096) : 'too large';
  let meta: { labId?: unknown; labVersion?: unknown };
  try {
    if (typeof bytes === 'string') throw new Error(bytes);
    meta = JSON.parse(new TextDecoder().decode(bytes)) as typeof meta;
  } catch {
    return [`ignored ${MANIFEST}: not readable JSON`];
  }
  const { id, version } = bundle.manifest;
  if (meta.labId !== undefined && meta.labId !== id) return [`${MANIFEST} says this work is for the lab "${String(meta.labId)}", not "${id}"`];
  if (typeof meta.labVersion === 'number' && meta.labVersion !== version) return [`${MANIFEST}: the work was written against version ${meta.labVersion} of the lab; it is graded against version ${version}`];
  return [];
}

/** Inflates one entry, stopping once it passes `cap` bytes; a string says why it could not. */
function inflate(zip: Uint8Array, entry: Entry, cap: number): Uint8Array | string {
  if (entry.flags & 1) return 'encrypted';
  if (entry.size > cap) return 'too large for what is left of the submission size limit';
  // The local header repeats the name and has its own extra field; the data follows them.
  const at = entry.localOffset;
  if (at + 30 > zip.length || readU32(zip, at) !== 0x04034b50) return 'a damaged entry';
  const start = at + 30 + readU16(zip, at + 26) + readU16(zip, at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (start + entry.compressedSize > zip.length) return 'a damaged entry';
  if (entry.method === 0) return data.length === entry.size ? data.slice() : 'its stored size does not match its header';
  if (entry.method !== 8) return `compressed with an unsupported method (${entry.method})`;

  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooBig = false;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > cap) tooBig = true;
    else chunks.push(chunk);
  });
  try {
    // Small steps, so a bomb is noticed after at most one step's worth of output.
    const STEP = 16 * 1024;
    for (let i = 0; i < data.length && !tooBig; i += STEP) inflater.push(data.subarray(i, i + STEP), i + STEP >= data.length);
  } catch {
    return 'damaged compressed data';
  }
  if (tooBig) return `it inflates to more than ${Math.round(cap / 1024)} KB`;
  if (total !== entry.size) return 'its inflated size does not match its header';
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The entries listed in the zip's central directory (the authoritative list, not the local headers). */
function centralDirectory(zip: Uint8Array, path: string): Entry[] {
  const damaged = (why: string) => new Error(`The submission zip ${path} cannot be read: ${why}.`);
  // The end record is in the last 22 bytes plus a comment of up to 65535.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (readU32(zip, i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw damaged('it is not a zip file');
  const count = readU16(zip, end + 10);
  const size = readU32(zip, end + 12);
  let at = readU32(zip, end + 16);
  if (count === 0xffff || at === 0xffffffff) throw damaged('ZIP64 archives are not accepted');
  if (count > MAX_ENTRIES) throw damaged(`it lists ${count} entries, more than the ${MAX_ENTRIES} allowed`);
  if (at + size > zip.length) throw damaged('its directory points past the end of the file');
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || readU32(zip, at) !== 0x02014b50) throw damaged('its directory is damaged');
    const madeBy = readU16(zip, at + 4) >> 8;
    const nameLength = readU16(zip, at + 28);
    const nameBytes = zip.subarray(at + 46, at + 46 + nameLength);
    const external = readU32(zip, at + 38);
    entries.push({
      name: new TextDecoder().decode(nameBytes),
      flags: readU16(zip, at + 8),
      method: readU16(zip, at + 10),
      compressedSize: readU32(zip, at + 20),
      size: readU32(zip, at + 24),
      localOffset: readU32(zip, at + 42),
      // Unix (3) and macOS (19) keep the file mode in the high half of the external attributes.
      mode: madeBy === 3 || madeBy === 19 ? external >>> 16 : 0,
    });
    at += 46 + nameLength + readU16(zip, at + 30) + readU16(zip, at + 32);
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) throw damaged(`it lists ${JSON.stringify(entry.name)} twice`);
    seen.add(entry.name);
  }
  return entries;
}

function readU16(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) + bytes[at + 3]! * 0x1000000;
}
