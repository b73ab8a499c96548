/**
 * Finds each learner's submissions in a class folder. Node only.
 *
 *   one lab:     DIR/<learner>/            the learner's files (src/...), e.g. a clone of their repository
 *                DIR/<learner>.zip         the same as a zip ("Download my work" makes one)
 *   any number:  DIR/<learner>/<lab-id>/   or  DIR/<learner>/<lab-id>.zip
 *
 * With one lab, DIR/<learner>/<lab-id>/ is looked for first, so one layout serves both cases.
 * Entries starting with "." are skipped (.git, .DS_Store); other files are reported.
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface ClassFolder {
  /** Each learner's submission path per lab id; a lab without one is absent. */
  learners: Map<string, Map<string, string>>;
  /** Entries that were skipped, and why. */
  notes: string[];
}

export function discoverClass(dir: string, labIds: readonly string[]): ClassFolder {
  if (!existsSync(dir) || !lstatSync(dir).isDirectory()) throw new Error(`The class folder ${dir} does not exist.`);
  const learners = new Map<string, Map<string, string>>();
  const notes: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const full = join(dir, name);
    const stat = lstatSync(full);
    if (stat.isFile() && name.toLowerCase().endsWith('.zip')) {
      const id = name.slice(0, -'.zip'.length);
      if (labIds.length !== 1) {
        notes.push(`skipped ${name}: with several labs, each learner needs a folder (${id}/<lab-id>/ or ${id}/<lab-id>.zip)`);
      } else if (learners.has(id)) {
        notes.push(`skipped ${name}: the folder ${id}/ is used for this learner`);
      } else {
        learners.set(id, new Map([[labIds[0]!, full]]));
      }
      continue;
    }
    if (!stat.isDirectory()) {
      notes.push(`skipped ${name}: not a learner's folder or .zip${stat.isSymbolicLink() ? ' (links are not followed)' : ''}`);
      continue;
    }
    const labs = new Map<string, string>();
    for (const labId of labIds) {
      const folder = join(full, labId);
      const zip = join(full, `${labId}.zip`);
      if (existsSync(folder) && lstatSync(folder).isDirectory()) labs.set(labId, folder);
      else if (existsSync(zip) && lstatSync(zip).isFile()) labs.set(labId, zip);
      else if (labIds.length === 1) labs.set(labId, full);
    }
    const replaced = learners.get(name);
    if (replaced) notes.push(`skipped ${name}.zip: the folder ${name}/ is used for this learner`);
    learners.set(name, labs);
  }
  return { learners, notes };
}

/** Reads a roster: one learner id per line; blank lines and lines starting with # are skipped. */
export function parseRoster(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
