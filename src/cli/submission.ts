/**
 * Reads a learner's submission folder: the lab's editable files at their bundle paths
 * (DIR/src/event-store.ts). Only editable files are taken; the rest is reported and ignored.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FileMap, LabBundle } from '../labs/bundle.ts';

export interface Submission {
  files: FileMap;
  /** Things the learner should know about: files ignored, files missing. */
  notes: string[];
}

/** Editable files larger than this are refused: no lab needs more, and a huge file is an attack. */
const MAX_FILE_BYTES = 256 * 1024;

export function readSubmission(bundle: LabBundle, dir: string): Submission {
  if (!existsSync(dir) || !lstatSync(dir).isDirectory()) throw new Error(`The submission folder ${dir} does not exist.`);
  const editable = bundle.manifest.files.editable;
  const files: FileMap = {};
  const notes: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      if (name === 'node_modules' || name === '.git') continue;
      const full = join(current, name);
      const path = relative(dir, full).split(sep).join('/');
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full);
      else if (!editable.includes(path)) notes.push(`ignored ${path}: not one of the lab's editable files`);
      else if (!stat.isFile()) notes.push(`ignored ${path}: not a regular file (a link?)`);
      else if (stat.size > MAX_FILE_BYTES) notes.push(`ignored ${path}: larger than ${MAX_FILE_BYTES / 1024} KB`);
      else files[path] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  for (const path of editable) {
    if (!(path in files) && !notes.some((n) => n.startsWith(`ignored ${path}:`))) notes.push(`missing ${path}: the starter's version was used`);
  }
  return { files, notes };
}
