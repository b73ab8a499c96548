/**
 * Turns a lab folder into a LabBundle. Node only: nothing in the browser reads lab folders;
 * pages receive bundles built from this at build time.
 */
import { lstatSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { z } from 'zod';
import { labManifest, type LabManifest } from '../schemas/lab-manifest.ts';
import type { FileMap, LabBundle } from './bundle.ts';
import { LabFormatError, type LabProblem } from './lab-format-error.ts';
import { labsRoot } from './list-labs.ts';
import { TEST_TIMES_FILE } from './test-time-limits.ts';

const FIXED_FILES = ['lab.json', 'README.md'];
/** For authors and reviewers, never in a bundle: the rules table (rules-table.ts) and the mutation equivalents (mutation/equivalents.ts). */
const AUTHOR_FILES = ['rules.md', 'mutation-equivalents.json', TEST_TIMES_FILE];
const FOLDERS = ['starter', 'solution', 'tests'];

export interface LoadOptions {
  /** Leave the solution out of the bundle, as a class build does. */
  withoutSolution?: boolean;
  /** Leave the CI-only test files out, as every page of the site does. */
  withoutCiTests?: boolean;
  /** Where lab folders live; the course's labs/ by default. */
  root?: string;
}

export function loadLab(labId: string, options: LoadOptions = {}): LabBundle {
  const root = options.root ?? labsRoot();
  const dir = join(root, labId);
  if (!existsSync(dir)) {
    const known = existsSync(root) ? readdirSync(root).join(', ') : 'none';
    throw new LabFormatError(labId, [{ where: dir, problem: 'there is no such lab folder', fix: `use one of the labs that exist: ${known}` }]);
  }
  const problems: LabProblem[] = [];

  for (const entry of readdirSync(dir)) {
    if (FIXED_FILES.includes(entry) || AUTHOR_FILES.includes(entry) || FOLDERS.includes(entry)) continue;
    problems.push({
      where: entry,
      problem: 'unexpected file in the lab folder',
      fix: `a lab folder holds only lab.json, README.md, rules.md, mutation-equivalents.json, ${TEST_TIMES_FILE}, starter/, solution/ and tests/; move or delete it`,
    });
  }

  const manifest = readManifest(dir, problems);
  const readme = readText(dir, 'README.md', problems);
  const starter = readTree(dir, 'starter', 'src', problems);
  const solution = readTree(dir, 'solution', 'src', problems);
  const tests = readTree(dir, 'tests', 'tests', problems);
  const testTimesMs = readTestTimes(dir, problems);

  if (manifest) {
    if (manifest.id !== labId) {
      problems.push({ where: 'lab.json › id', problem: `the id is "${manifest.id}" but the folder is "${labId}"`, fix: `set "id" to "${labId}" or rename the folder` });
    }
    const listed = [...manifest.files.editable, ...manifest.files.readonly];
    checkFileSet('starter', starter, listed, 'files.editable or files.readonly', problems);
    checkFileSet('solution', solution, listed, 'files.editable or files.readonly', problems);
    if (manifest.services && !listed.includes(manifest.services)) {
      problems.push({ where: 'lab.json › services', problem: `"${manifest.services}" is not one of the lab's files`, fix: 'list the module in files.readonly (or files.editable), or correct the path' });
    }
    checkFileSet('tests', tests, [...manifest.tests, ...manifest.ciTests], 'tests or ciTests', problems);
    for (const path of manifest.files.readonly) {
      if (path in starter && path in solution && starter[path] !== solution[path]) {
        problems.push({ where: `solution/${strip(path)}`, problem: 'a read-only file differs between starter/ and solution/', fix: 'make both copies identical, or list the file in files.editable' });
      }
    }
    if (readme !== undefined) checkReadmeTasks(manifest, readme, problems);
  }

  if (problems.length > 0 || !manifest || readme === undefined) throw new LabFormatError(labId, problems);
  if (options.withoutCiTests) for (const path of manifest.ciTests) delete tests[path];
  return { manifest, readme, starter, tests, ...(options.withoutSolution ? {} : { solution }), ...(testTimesMs ? { testTimesMs } : {}) };
}

/** The reference solution's time per test, if the lab has recorded them: `{ "<test id>": ms }`. */
function readTestTimes(dir: string, problems: LabProblem[]): Record<string, number> | undefined {
  const path = join(dir, TEST_TIMES_FILE);
  if (!existsSync(path)) return undefined;
  const fix = `run \`npm run verify -- ${basename(dir)} --record-times\` to write it again`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push({ where: TEST_TIMES_FILE, problem: `it is not JSON (${(error as Error).message})`, fix });
    return undefined;
  }
  const times = (parsed as { tests?: unknown } | null)?.tests;
  if (!times || typeof times !== 'object' || Object.values(times).some((ms) => typeof ms !== 'number' || !(ms >= 0))) {
    problems.push({ where: TEST_TIMES_FILE, problem: 'its "tests" must map each test id to a number of milliseconds', fix });
    return undefined;
  }
  return times as Record<string, number>;
}

function readManifest(dir: string, problems: LabProblem[]): LabManifest | undefined {
  const text = readText(dir, 'lab.json', problems);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.push({ where: 'lab.json', problem: `not valid JSON (${(error as Error).message})`, fix: 'correct the JSON syntax; a trailing comma or a missing quote is the usual cause' });
    return undefined;
  }
  const parsed = labManifest.safeParse(json, { reportInput: true });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) problems.push(describeIssue(issue));
  return undefined;
}

/** Turns a Zod issue into a problem a lab author can act on without knowing Zod. */
export function describeIssue(issue: z.core.$ZodIssue): LabProblem {
  const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  const where = field ? `lab.json › ${field}` : 'lab.json';
  switch (issue.code) {
    case 'unrecognized_keys':
      return { where, problem: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`, fix: 'remove it, or check its spelling against the lab.json reference in README.md ("Writing a lab")' };
    case 'invalid_type':
      return issue.input === undefined
        ? { where, problem: 'this required field is missing', fix: `add it (expected ${issue.expected})` }
        : { where, problem: `expected ${issue.expected}, got ${describeValue(issue.input)}`, fix: `give it a value of type ${issue.expected}` };
    case 'invalid_format':
      return { where, problem: `got ${describeValue(issue.input)}`, fix: `write ${issue.message.replace(/^Invalid string: /, '')}` };
    case 'too_small':
    case 'too_big':
      return { where, problem: issue.message.replace(/^Too (small|big): /, ''), fix: 'change the value to fit that limit' };
    case 'invalid_value':
      return { where, problem: `got ${describeValue(issue.input)}`, fix: `use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { where, problem: issue.message, fix: 'correct this field' };
  }
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text && text.length > 60 ? `${text.slice(0, 57)}...` : (text ?? String(value));
}

function readText(dir: string, name: string, problems: LabProblem[]): string | undefined {
  const path = join(dir, name);
  if (!existsSync(path)) {
    problems.push({ where: name, problem: 'missing', fix: name === 'lab.json' ? 'create lab.json (see the lab.json reference in README.md)' : 'write the task description in README.md, with a "## Task N: title" heading per task' });
    return undefined;
  }
  return readFileSync(path, 'utf8');
}

/** Reads every file under `dir/folder` as bundle paths `prefix/...`, refusing links and non-files. */
function readTree(dir: string, folder: string, prefix: string, problems: LabProblem[]): FileMap {
  const base = join(dir, folder);
  const files: FileMap = {};
  if (!existsSync(base)) {
    problems.push({ where: `${folder}/`, problem: 'missing', fix: `create the ${folder}/ folder` });
    return files;
  }
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const full = join(current, name);
      const rel = relative(base, full).split(sep).join('/');
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) {
        problems.push({ where: `${folder}/${rel}`, problem: 'a symbolic link', fix: 'replace it with a regular file' });
      } else if (stat.isDirectory()) {
        walk(full);
      } else if (stat.isFile()) {
        files[`${prefix}/${rel}`] = readFileSync(full, 'utf8');
      }
    }
  };
  walk(base);
  return files;
}

function checkFileSet(folder: string, files: FileMap, listed: string[], field: string, problems: LabProblem[]): void {
  for (const path of Object.keys(files)) {
    if (!listed.includes(path)) {
      problems.push({ where: `${folder}/${strip(path)}`, problem: 'not listed in lab.json', fix: `add "${path}" to ${field} in lab.json, or delete the file` });
    }
  }
  for (const path of listed) {
    if (!(path in files)) {
      problems.push({ where: `${folder}/${strip(path)}`, problem: `lab.json lists "${path}" but the file does not exist`, fix: `create ${folder}/${strip(path)}, or remove "${path}" from ${field}` });
    }
  }
}

function checkReadmeTasks(manifest: LabManifest, readme: string, problems: LabProblem[]): void {
  const headings = [...readme.matchAll(/^##\s+Task\s+(\d+):\s*(.+?)\s*$/gm)].map((m) => ({ number: Number(m[1]), title: m[2] }));
  for (const task of manifest.tasks) {
    const heading = headings.find((h) => h.number === task.number);
    if (!heading) {
      problems.push({ where: 'README.md', problem: `no heading for task ${task.number}`, fix: `add "## Task ${task.number}: ${task.title}"` });
    } else if (heading.title !== task.title) {
      problems.push({ where: 'README.md', problem: `task ${task.number} is titled "${heading.title}" but lab.json says "${task.title}"`, fix: 'use the same title in both places' });
    }
  }
  for (const heading of headings) {
    if (!manifest.tasks.some((t) => t.number === heading.number)) {
      problems.push({ where: 'README.md', problem: `"Task ${heading.number}" has no entry in lab.json › tasks`, fix: `add { "number": ${heading.number}, "title": "${heading.title}" } to tasks` });
    }
  }
}

/** `src/event-store.ts` -> `event-store.ts`: where a bundle path lives inside its folder. */
function strip(path: string): string {
  return path.replace(/^(src|tests)\//, '');
}
