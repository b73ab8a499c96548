/**
 * A fingerprint of a lab folder as it is on disk, so that a folder changed while a run used it
 * is reported rather than trusted. The grader never writes into a lab folder and its test
 * process cannot reach one; this is the check that says so after each run. It covers every
 * entry's name, type, size and contents (a link's target, never what it points to), in a
 * stable order.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

export function labFingerprint(dir: string): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      hash.update(`${relative(dir, path)}\0missing\0`);
      return;
    }
    const name = relative(dir, path);
    if (stat.isSymbolicLink()) {
      hash.update(`${name}\0link\0${readlinkSync(path)}\0`);
    } else if (stat.isDirectory()) {
      hash.update(`${name}\0dir\0${stat.mode}\0`);
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
    } else if (stat.isFile()) {
      hash.update(`${name}\0file\0${stat.mode}\0${stat.size}\0`);
      hash.update(readFileSync(path));
      hash.update('\0');
    } else {
      // A FIFO, socket or device: its type is enough, and reading it could block.
      hash.update(`${name}\0other\0${stat.mode}\0`);
    }
  };
  visit(dir);
  return hash.digest('hex');
}

/** What to tell the user when `dir` no longer matches `fingerprint`, or undefined when it does. */
export function labFolderChanged(dir: string, fingerprint: string): string | undefined {
  if (labFingerprint(dir) === fingerprint) return undefined;
  const near = relative(process.cwd(), dir);
  const shown = near && !near.startsWith('..') ? near : dir;
  return `The lab folder ${shown} changed on disk while it was being graded, so this result cannot be trusted. Restore it (e.g. \`git checkout -- ${shown}\`, and remove any file added to it) and grade again.`;
}
