/**
 * npm run mutate -- <lab-id> [--concurrency N] [--seed N] [--labs DIR]
 *
 * Mutation testing of one lab with StrykerJS: Stryker changes the lab's solution one small
 * edit at a time (a `<` for a `<=`, a condition forced true, a statement removed), and each
 * change must make at least one graded test fail. The tests run through the grader's driver
 * and executor (src/mutation/labkit-test-runner.ts), only the tests that reach the changed code.
 *
 * Before mutating, the lab's correct fixture solutions (tests/fixtures/lab-submissions/<id>/
 * correct/) are graded: tests that reject a correct answer would make every score meaningless.
 *
 * Prints the score, killed / (all - the equivalents the lab lists), each survivor in the shape
 * of labs/<id>/mutation-equivalents.json, and writes Stryker's HTML and JSON reports to
 * reports/mutation/. Exit codes (src/reports/exit-codes.ts): passed when the score is at least 90 %;
 * belowPassMark when it is below, or a correct solution failed; couldNotGrade for bad usage.
 * One mutation run at a time: a second one waits for the first (both would share two cores).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Stryker } from '@stryker-mutator/core';
import type { MutantResult, PartialStrykerOptions } from '@stryker-mutator/api/core';
import { solutionFiles } from '../src/labs/bundle.ts';
import { FIXTURE_SUBMISSIONS_DIR, fixtureSubmissions } from '../src/labs/fixture-submissions.ts';
import { loadLab } from '../src/labs/load-lab.ts';
import { findEquivalent, nameMutant, readEquivalents, type MutantName } from '../src/mutation/equivalents.ts';
import { withMutationLock } from '../src/mutation/lock.ts';
import type { LabkitRunnerOptions } from '../src/mutation/labkit-test-runner.ts';
import { EXIT } from '../src/reports/exit-codes.ts';
import { ensurePgSnapshot } from '../src/runner/node/engines.ts';
import { CHILD_TIME_ZONE, NodeRunner } from '../src/runner/node/node-runner.ts';
import { readSubmission } from '../src/submissions/folder.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LABS = join(ROOT, 'labs');
const PLUGIN = join(ROOT, 'src/mutation/labkit-test-runner.ts');
const MUTATION_BAR = 0.9;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { concurrency: { type: 'string' }, seed: { type: 'string' }, labs: { type: 'string' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm run mutate -- <lab-id> [--concurrency N] [--seed N] [--labs DIR]`);
    return EXIT.couldNotGrade;
  }
  const [labId] = args.positionals;
  if (!labId || args.positionals.length > 1) {
    console.error('Usage: npm run mutate -- <lab-id> [--concurrency N] [--seed N] [--labs DIR]');
    return EXIT.couldNotGrade;
  }
  const labs = args.values.labs ? resolve(args.values.labs) : LABS;
  const bundle = loadLab(labId, { root: labs });
  const concurrency = Number(args.values.concurrency ?? 2);
  const seed = Number(args.values.seed ?? 1);
  const started = performance.now();

  try {
    if (!(await correctSolutionsPass(labId, labs))) return EXIT.belowPassMark;
  } catch (error) {
    // A fixture folder that cannot be read (a bad mistake.json): its message says which and why.
    console.error((error as Error).message);
    return EXIT.couldNotGrade;
  }

  const equivalents = readEquivalents(join(labs, labId));
  const solution = solutionFiles(bundle);
  const results = await withMutationLock(() => runStryker(labId, labs, solution, concurrency, seed));

  const named = results.map((result) => {
    const file = relativeName(result.fileName);
    // Stryker's results carry the report's 1-based lines and columns.
    const { start, end } = result.location;
    const location = { start: { line: start.line - 1, column: start.column - 1 }, end: { line: end.line - 1, column: end.column - 1 } };
    return { result, name: nameMutant({ ...result, location }, file, solution[file]!) };
  });
  const equivalentIds = new Set<string>();
  const stale: string[] = [];
  for (const equivalent of equivalents) {
    const match = findEquivalent(equivalent, named.map((n) => ({ ...n.name, id: n.result.id })));
    if (match) equivalentIds.add(match.id);
    else stale.push(`${equivalent.file}:${equivalent.line} ${equivalent.mutator} ${JSON.stringify(equivalent.original)}`);
  }
  const counted = named.filter((n) => !equivalentIds.has(n.result.id) && isValid(n.result));
  const detected = counted.filter((n) => n.result.status === 'Killed' || n.result.status === 'Timeout');
  const undetected = counted.filter((n) => n.result.status === 'Survived' || n.result.status === 'NoCoverage');
  const invalid = named.filter((n) => !isValid(n.result));
  const score = counted.length === 0 ? 1 : detected.length / counted.length;
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);

  if (undetected.length > 0) {
    console.log(`\nSurvivors (${undetected.length}), each as an entry of labs/${labId}/mutation-equivalents.json would name it; kill it with a test, or list it with a reason if no rule of the README can tell it apart:`);
    for (const { result, name } of undetected) console.log(`${JSON.stringify(equivalentEntry(name))}${result.status === 'NoCoverage' ? '  // no test reaches it' : ''}`);
  }
  if (stale.length > 0) console.log(`\nEquivalents that name no mutant any more (remove them): ${stale.join('; ')}`);
  console.log(
    `\nMutation score of ${labId}: ${(score * 100).toFixed(1)} % = ${detected.length} detected / (${named.length} mutants - ${equivalentIds.size} equivalents${invalid.length ? ` - ${invalid.length} that do not compile or run` : ''}); ${undetected.length} survived. ${minutes} min. Report: reports/mutation/${labId}.html`,
  );
  return score >= MUTATION_BAR && stale.length === 0 ? EXIT.passed : EXIT.belowPassMark;
}

async function runStryker(labId: string, labs: string, solution: Record<string, string>, concurrency: number, seed: number): Promise<MutantResult[]> {
  const workdir = mkdtempSync(join(tmpdir(), `dim-mutate-${labId}-`));
  const reports = join(ROOT, 'reports/mutation');
  mkdirSync(reports, { recursive: true });
  for (const [path, text] of Object.entries(solution)) {
    mkdirSync(dirname(join(workdir, path)), { recursive: true });
    writeFileSync(join(workdir, path), text);
  }
  const labkit: LabkitRunnerOptions = { labId, labsRoot: labs, seed, pgSnapshot: await ensurePgSnapshot() };
  const options: PartialStrykerOptions & { labkit: LabkitRunnerOptions } = {
    testRunner: 'labkit',
    plugins: [pathToFileURL(PLUGIN).href],
    mutate: Object.keys(solution),
    coverageAnalysis: 'perTest',
    concurrency,
    checkers: [],
    reporters: ['html', 'json', 'progress'],
    htmlReporter: { fileName: join(reports, `${labId}.html`) },
    jsonReporter: { fileName: join(reports, `${labId}.json`) },
    tempDirName: join(workdir, '.stryker-tmp'),
    // A test's own limit is seconds; Stryker waits this long past a mutant's usual time before it replaces the worker.
    timeoutMS: 15_000,
    dryRunTimeoutMinutes: 10,
    // Stryker's LogLevel is a const enum, which type stripping cannot read; these are its values.
    logLevel: 'warn' as PartialStrykerOptions['logLevel'],
    fileLogLevel: 'off' as PartialStrykerOptions['logLevel'],
    labkit,
  };
  const cwd = process.cwd();
  // Stryker's workers inherit it: lab code meets the grader child's time zone.
  process.env.TZ = CHILD_TIME_ZONE;
  process.chdir(workdir);
  try {
    return await new Stryker(options).runMutationTest();
  } finally {
    process.chdir(cwd);
    rmSync(workdir, { recursive: true, force: true });
  }
}

/** Grades each correct fixture solution of the lab; all must get full marks. */
async function correctSolutionsPass(labId: string, labs: string): Promise<boolean> {
  const correct = fixtureSubmissions(labId, ROOT).filter((f) => f.kind === 'correct');
  if (correct.length === 0) {
    console.log(`No correct fixture solutions in ${FIXTURE_SUBMISSIONS_DIR}/${labId}/correct; the tests' fairness is unchecked.`);
    return true;
  }
  const bundle = loadLab(labId, { root: labs });
  const runner = new NodeRunner();
  let ok = true;
  try {
    for (const { name, dir } of correct) {
      const result = await runner.run(bundle, readSubmission(bundle, dir).files);
      console.log(`correct solution ${name}: ${result.score}/${result.maxScore}`);
      for (const test of result.tests.filter((t) => t.status !== 'pass')) console.log(`  a correct answer lost "${test.name}": ${test.message}`);
      if (result.score !== result.maxScore) ok = false;
    }
  } finally {
    runner.dispose();
  }
  return ok;
}

/** Mutants that do not parse or load are not counted either way. */
function isValid(result: MutantResult): boolean {
  return result.status !== 'CompileError' && result.status !== 'RuntimeError' && result.status !== 'Ignored';
}

function relativeName(fileName: string): string {
  const at = fileName.replaceAll('\\', '/').lastIndexOf('/src/');
  return at >= 0 ? fileName.slice(at + 1) : fileName;
}

function equivalentEntry(name: MutantName) {
  return { file: name.file, line: name.line, mutator: name.mutator, original: name.original, replacement: name.replacement, reason: '' };
}

process.exitCode = await main(process.argv.slice(2));
