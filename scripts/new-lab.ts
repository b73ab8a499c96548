/**
 * npm run new-lab -- <id> --strategy N [--labs DIR]
 *
 * Writes a new lab folder, labs/<id>/, from templates/new-lab/: one task and one graded test
 * that verify as they are (the starter scores 0, the solution full marks). The author starts
 * from a lab that runs and turns it into the real one, running verify after each step.
 *
 * It never overwrites anything: a folder that already exists is an error. --labs DIR writes
 * into another labs folder, the same option verify and mutate take.
 * Exit codes: 0 created; 1 could not create (the folder exists, no labs folder); 2 bad usage.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { strategies, type Strategy } from '../src/course/strategies.ts';
import { labsRoot } from '../src/labs/list-labs.ts';
import { labManifest } from '../src/schemas/lab-manifest.ts';

const TEMPLATE = fileURLToPath(new URL('../templates/new-lab/', import.meta.url));
const MANIFEST = 'lab.json';
const USAGE = `Usage: npm run new-lab -- <id> --strategy N [--labs DIR]   (<id> in kebab-case, N one of 1-${strategies.length})`;
const STRATEGY_CHOICES = `one of 1-${strategies.length} (${strategies.map((s) => `${s.number} ${s.title}`).join(', ')})`;

function main(argv: string[]): number {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { strategy: { type: 'string' }, labs: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    // parseArgs explains some mistakes over several lines; the author gets them as one.
    const message = (error as Error).message.replace(/\s*\n\s*/g, ' ');
    return usageError(`${/[.?!]$/.test(message) ? message : `${message}.`} ${USAGE}`);
  }
  if (args.values.help) {
    console.log(`${USAGE}\nWrites labs/<id>/, a lab with one task and one test that verifies as it is, for strategy N: ${STRATEGY_CHOICES}.`);
    return 0;
  }

  const [id, ...others] = args.positionals;
  if (id === undefined) return usageError(`Name the new lab. ${USAGE}`);
  if (others.length > 0) return usageError(`One lab at a time: got ${args.positionals.join(', ')}. ${USAGE}`);
  // The manifest's own rule for ids, so a lab this writes always loads.
  if (!labManifest.shape.id.safeParse(id).success) return usageError(`"${id}" is not a lab id: use kebab-case (lower-case words joined by hyphens), like "event-sourcing".`);

  if (args.values.strategy === undefined) return usageError(`Say which strategy the lab practises with --strategy N, ${STRATEGY_CHOICES}.`);
  const strategy = strategies.find((s) => String(s.number) === args.values.strategy);
  if (!strategy) return usageError(`"${args.values.strategy}" is not a strategy: use --strategy with ${STRATEGY_CHOICES}.`);

  const labs = resolve(args.values.labs ?? labsRoot());
  const labDir = join(labs, id);
  if (!existsSync(labs)) return cannotCreate(`There is no labs folder at ${shown(labs)}: run this from the course's root, or give an existing folder with --labs DIR.`);
  if (existsSync(labDir)) return cannotCreate(`${shown(labDir)} already exists and new-lab never overwrites: choose another id, or move that folder away first.`);

  writeLab(labDir, id, strategy);
  printNextSteps(labDir, id, strategy, labs === resolve(labsRoot()) ? '' : ` --labs ${shown(labs)}`);
  return 0;
}

function usageError(message: string): number {
  console.error(message);
  return 2;
}

function cannotCreate(message: string): number {
  console.error(message);
  return 1;
}

/** Copies the template into `labDir`, filling its {{placeholders}}, with a lab.json for this id and strategy. */
function writeLab(labDir: string, id: string, strategy: Strategy): void {
  const values: Record<string, string> = { id, title: strategy.title, strategy: String(strategy.number), strategyTitle: strategy.title, lessonSlug: strategy.slug };
  // Without `recursive`, mkdir fails if the folder appeared since the check above: nothing is overwritten.
  mkdirSync(labDir);
  try {
    for (const path of templateFiles().filter((p) => p !== MANIFEST)) {
      writeNew(join(labDir, path), fill(readFileSync(join(TEMPLATE, path), 'utf8'), values, path));
    }
    // Last: a folder counts as a lab once it has a lab.json, so an interrupted run never leaves a half lab in the course.
    writeNew(join(labDir, MANIFEST), `${JSON.stringify(manifestFor(id, strategy), null, 2)}\n`);
  } catch (error) {
    // The folder is this run's own (mkdir above created it), so removing it removes nothing of anyone else's.
    rmSync(labDir, { recursive: true, force: true });
    throw error;
  }
}

/** The template's lab.json with the fields this command decides; checked, so a template that drifts from the schema fails here. */
function manifestFor(id: string, strategy: Strategy): object {
  const manifest = { id, title: strategy.title, strategy: strategy.number, ...(JSON.parse(readFileSync(join(TEMPLATE, MANIFEST), 'utf8')) as object) };
  const checked = labManifest.safeParse(manifest);
  if (!checked.success) throw new Error(`templates/new-lab/${MANIFEST} no longer makes a valid lab.json: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return manifest;
}

/** Every file of the template, as paths relative to it with forward slashes. */
function templateFiles(): string[] {
  return readdirSync(TEMPLATE, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(TEMPLATE, path)).isFile())
    .map((path) => path.split('\\').join('/'))
    .sort();
}

function fill(text: string, values: Record<string, string>, file: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`templates/new-lab/${file} uses {{${name}}}, which new-lab does not fill (it fills ${Object.keys(values).join(', ')})`);
    return value;
  });
}

function writeNew(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { flag: 'wx' });
}

function printNextSteps(labDir: string, id: string, strategy: Strategy, labsOption: string): void {
  const dir = shown(labDir);
  const lines = [
    `Created ${dir}/ for strategy ${strategy.number} (${strategy.title}): one task and one test, and it verifies as it is.`,
    `Next steps, in ${dir}/ (README.md, "Writing a lab", has the details):`,
    '  1. README.md: the problem in the shop, the files, a "## Task N: title" per task, with the rules stated plainly.',
    '  2. lab.json: the title, objectives, tasks with their hints, and every file of starter/, solution/ and tests/.',
    `  3. starter/ (a "TODO" comment in each editable file) and solution/: replace orders.ts with the lab's code.`,
    '  4. tests/: graded tests whose points add up to 100; rules.md: each README rule with the tests that check it.',
    'Then check it from the course\'s root, after each step:',
    `  npm run verify -- ${id}${labsOption}    the starter falls short, the solution gets full marks`,
    // typecheck reads only the course's labs/ (and the test fixtures), so it cannot check a lab elsewhere.
    ...(labsOption ? [] : ['  npm run typecheck    the starter and the solution against the tests']),
    `  npm run mutate -- ${id}${labsOption}    at least 90 %; list true equivalents in mutation-equivalents.json`,
    `And add at least two correct solutions that differ in approach under tests/fixtures/lab-submissions/${id}/correct/.`,
  ];
  console.log(lines.join('\n'));
}

/** A path as the author reads it: relative to where they ran the command when it is inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

process.exitCode = main(process.argv.slice(2));
