/**
 * Reads a learner's submission folder: the lab's editable files at their bundle paths
 * (DIR/src/event-store.ts). The submission is untrusted, so only the editable files are taken,
 * and only as regular files of valid UTF-8 within a size cap; links, other files and edited
 * test files are reported and ignored. Nothing here ever writes to the folder.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FileMap, LabBundle } from '../labs/bundle.ts';
import { MAX_FILE_BYTES, type Submission } from './submission.ts';

/** A folder with more entries than this is not a lab submission; the walk stops there. */
const MAX_ENTRIES = 2_000;
const MAX_DEPTH = 12;
const MAX_NOTES = 20;

export function readSubmission(bundle: LabBundle, dir: string): Submission {
  if (!existsSync(dir) || !lstatSync(dir).isDirectory()) throw new Error(`The submission folder ${dir} does not exist.`);
  const editable = bundle.manifest.files.editable;
  const testFiles = new Set(Object.keys(bundle.tests));
  const files: FileMap = {};
  const notes: string[] = [];
  const ignored = new Set<string>();
  let entries = 0;
  let otherFiles = 0;
  const ignore = (path: string, why: string) => {
    ignored.add(path);
    notes.push(`ignored ${path}: ${why}`);
  };
  const walk = (current: string, depth: number): void => {
    for (const name of readdirSync(current).sort()) {
      if (name === 'node_modules' || name === '.git') continue;
      if (++entries > MAX_ENTRIES) return;
      const full = join(current, name);
      const path = relative(dir, full).split(sep).join('/');
      // lstat, not stat: a link is judged as a link and never followed, in or out of the folder.
      const stat = lstatSync(full);
      if (stat.isDirectory()) {
        if (depth < MAX_DEPTH) walk(full, depth + 1);
      } else if (testFiles.has(path) || path.startsWith('tests/')) {
        ignore(path, 'tests always come from the course, so your copy was not used');
      } else if (!editable.includes(path)) {
        // Reported by name up to a point: a folder of thousands of files needs one line, not thousands.
        if (++otherFiles <= MAX_NOTES) notes.push(`ignored ${path}: not one of the lab's editable files`);
      } else if (stat.isSymbolicLink()) {
        ignore(path, 'a symbolic link; submit the file itself');
      } else if (!stat.isFile()) {
        ignore(path, 'not a regular file');
      } else if (stat.size > MAX_FILE_BYTES) {
        ignore(path, `larger than ${MAX_FILE_BYTES / 1024} KB`);
      } else {
        const text = decodeUtf8(readFileSync(full));
        if (text === undefined) ignore(path, 'not valid UTF-8 text; save it as UTF-8');
        else files[path] = text;
      }
    }
  };
  walk(dir, 0);
  if (entries > MAX_ENTRIES) notes.push(`stopped looking after ${MAX_ENTRIES} entries: the folder holds far more than a lab's files`);
  if (otherFiles > MAX_NOTES) notes.push(`ignored ${otherFiles - MAX_NOTES} more files that are not the lab's editable files`);
  for (const path of editable) {
    if (!(path in files)) notes.push(ignored.has(path) ? `used the starter's ${path} in place of yours` : `missing ${path}: the starter's version was used`);
  }
  return { files, notes };
}

/** The text, or undefined when the bytes are not UTF-8 (refused rather than repaired: a repaired file is not what the learner wrote). */
function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // A byte-order mark is valid UTF-8 but not part of the code.
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}
