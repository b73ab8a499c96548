import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The course's labs/ folder. npm runs every script from the package root, and Astro builds from
 * it, so the working directory is the root; COURSE_ROOT overrides it for tools run elsewhere.
 */
export function labsRoot(): string {
  return join(process.env.COURSE_ROOT ?? process.cwd(), 'labs');
}

/** The ids of the labs in the course, sorted. A folder counts when it has a lab.json. */
export function listLabIds(root: string = labsRoot()): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'lab.json')))
    .map((e) => e.name)
    .sort();
}
