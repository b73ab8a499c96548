/**
 * Checks one lab both ways, through the grader's own code path: the folder keeps its file
 * contract, every editable starter file has a TODO, the tests add up, the starter runs and
 * falls short, and the solution gets full marks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { staleEquivalents } from '../mutation/equivalents.ts';
import type { LabRunner } from '../runner/lab-runner.ts';
import type { LabResult } from '../schemas/lab-result.ts';
import { solutionFiles } from './bundle.ts';
import { LabFormatError } from './lab-format-error.ts';
import { labsRoot } from './list-labs.ts';
import { loadLab } from './load-lab.ts';
import { rulesTableProblems } from './rules-table.ts';
import { TEST_TIMES_FILE } from './test-time-limits.ts';

/** Every lab's points add up to this, so a score reads as a percentage. */
export const LAB_TOTAL_POINTS = 100;

export interface LabVerification {
  labId: string;
  problems: string[];
  starter?: LabResult;
  solution?: LabResult;
}

/** How many grader runs of the solution the recorded times are the median of. */
const RECORDING_RUNS = 3;

export interface VerifyOptions {
  /** Where the lab folders are (default labs/). */
  root?: string;
  /** First record the solution's time per test in the lab's test-times.json (from which the tests' limits derive). */
  recordTimes?: boolean;
}

export async function verifyLab(labId: string, runner: LabRunner, options: VerifyOptions = {}): Promise<LabVerification> {
  const { root } = options;
  if (options.recordTimes) {
    const problems = await recordTestTimes(labId, runner, root);
    if (problems.length > 0) return { labId, problems };
  }
  let bundle;
  try {
    bundle = loadLab(labId, { root });
  } catch (error) {
    if (error instanceof LabFormatError) return { labId, problems: error.problems.map((p) => `${p.where}: ${p.problem}. Fix: ${p.fix}`) };
    throw error;
  }
  const problems: string[] = [];
  const { manifest } = bundle;

  for (const path of manifest.files.editable) {
    if (!bundle.starter[path]!.includes('TODO')) {
      problems.push(`starter/${path.slice(4)} has no TODO. Fix: mark what the learner must write with a "TODO" comment`);
    }
  }

  const starter = await runner.run(bundle, {});
  const solution = await runner.run(bundle, solutionFiles(bundle));

  if (solution.tests.length === 0) {
    problems.push(`no test was found in ${manifest.tests.join(', ')}. Fix: ${solution.message || 'declare tests with test(name, { task, points }, fn)'}`);
  } else {
    const total = solution.tests.reduce((s, t) => s + t.points, 0);
    if (total !== LAB_TOTAL_POINTS) problems.push(`the tests' points add up to ${total}. Fix: make them add up to ${LAB_TOTAL_POINTS}`);
    for (const test of solution.tests) {
      if (!manifest.tasks.some((t) => t.number === test.task)) {
        problems.push(`test "${test.name}" names task ${test.task}, which lab.json does not have. Fix: use a task number from lab.json › tasks`);
      }
    }
    for (const task of manifest.tasks) {
      if (!solution.tests.some((t) => t.task === task.number)) problems.push(`task ${task.number} ("${task.title}") has no test. Fix: add a test with { task: ${task.number} }`);
    }
  }

  if (solution.score !== solution.maxScore || solution.status === 'error') {
    const failing = solution.tests.filter((t) => t.status !== 'pass').map((t) => `"${t.name}" (${t.status}: ${t.message})`);
    problems.push(`the solution scores ${solution.score}/${solution.maxScore}${solution.message ? ` (${solution.message})` : ''}. Fix: make every test pass with the solution; failing: ${failing.join('; ')}`);
  }
  const starterRan = starter.tests.filter((t) => t.status === 'pass' || t.status === 'fail');
  if (starterRan.length === 0) {
    problems.push(`no test ran to a pass or a fail verdict against the starter${starter.message ? ` (${starter.message})` : ''}. Fix: the starter must load and run; give it scaffolding that at least one test checks`);
  }
  if (starter.score >= starter.maxScore) {
    problems.push(`the starter already scores ${starter.score}/${starter.maxScore}. Fix: leave the lab's real work undone in the starter, or test it`);
  }

  const labDir = join(root ?? labsRoot(), labId);
  if (solution.tests.length > 0) problems.push(...rulesTableProblems(labDir, solution.tests.map((t) => t.id)));
  if (bundle.testTimesMs && solution.tests.length > 0) {
    const recorded = Object.keys(bundle.testTimesMs);
    const missing = solution.tests.filter((t) => !recorded.includes(t.id)).map((t) => `"${t.name}"`);
    const stale = recorded.filter((id) => !solution.tests.some((t) => t.id === id));
    if (missing.length > 0 || stale.length > 0) {
      const what = [missing.length > 0 ? `has no time for ${missing.join(', ')}` : '', stale.length > 0 ? `names tests that no longer exist (${stale.join(', ')})` : ''].filter(Boolean).join(' and ');
      problems.push(`${TEST_TIMES_FILE} ${what}. Fix: run \`npm run verify -- ${labId} --record-times\``);
    }
  }
  try {
    problems.push(...(await staleEquivalents(labDir, solutionFiles(bundle))).map((p) => `${p}. Fix: remove the entry, or name the mutant as \`npm run mutate -- ${labId}\` prints it`));
  } catch (error) {
    problems.push(`${(error as Error).message}. Fix: each entry is { file, line, mutator, original, replacement, reason }`);
  }
  return { labId, problems, starter, solution };
}

/**
 * Runs the solution RECORDING_RUNS times in the grader, with the lab's own limits rather than
 * ones derived from earlier times, and writes the median time of each test to test-times.json.
 */
async function recordTestTimes(labId: string, runner: LabRunner, root?: string): Promise<string[]> {
  let bundle;
  try {
    bundle = loadLab(labId, { root });
  } catch (error) {
    if (error instanceof LabFormatError) return error.problems.map((p) => `${p.where}: ${p.problem}. Fix: ${p.fix}`);
    throw error;
  }
  const { testTimesMs: _earlier, ...withLabLimits } = bundle;
  const times = new Map<string, number[]>();
  for (let run = 0; run < RECORDING_RUNS; run++) {
    const result = await runner.run(withLabLimits, solutionFiles(bundle));
    const failing = result.tests.filter((t) => t.status !== 'pass');
    if (result.tests.length === 0 || failing.length > 0) {
      return [`the solution must pass every test to have its times recorded; it did not (${failing.map((t) => `"${t.name}": ${t.status}`).join('; ') || result.message}). Fix: make the solution pass, then record again`];
    }
    for (const test of result.tests) times.set(test.id, [...(times.get(test.id) ?? []), test.durationMs]);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const tests = Object.fromEntries([...times].map(([id, values]) => [id, Math.round(median(values))]));
  const file = {
    about: `What each test took with the reference solution, in ms (median of ${RECORDING_RUNS} grader runs); each test's time limit derives from it (src/labs/test-time-limits.ts). Written by \`npm run verify -- ${labId} --record-times\`.`,
    tests,
  };
  writeFileSync(join(root ?? labsRoot(), labId, TEST_TIMES_FILE), `${JSON.stringify(file, null, 2)}\n`);
  return [];
}
