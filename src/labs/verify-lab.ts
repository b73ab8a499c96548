/**
 * Checks one lab both ways, through the grader's own code path: the folder keeps its file
 * contract, every editable starter file has a TODO, the tests add up, the starter runs and
 * falls short, and the solution gets full marks.
 */
import { join } from 'node:path';
import { staleEquivalents } from '../mutation/equivalents.ts';
import type { LabRunner } from '../runner/lab-runner.ts';
import type { LabResult } from '../schemas/lab-result.ts';
import { solutionFiles } from './bundle.ts';
import { LabFormatError } from './lab-format-error.ts';
import { labsRoot } from './list-labs.ts';
import { loadLab } from './load-lab.ts';
import { rulesTableProblems } from './rules-table.ts';

/** Every lab's points add up to this, so a score reads as a percentage. */
export const LAB_TOTAL_POINTS = 100;

export interface LabVerification {
  labId: string;
  problems: string[];
  starter?: LabResult;
  solution?: LabResult;
}

export async function verifyLab(labId: string, runner: LabRunner, root?: string): Promise<LabVerification> {
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
  try {
    problems.push(...(await staleEquivalents(labDir, solutionFiles(bundle))).map((p) => `${p}. Fix: remove the entry, or name the mutant as \`npm run mutate -- ${labId}\` prints it`));
  } catch (error) {
    problems.push(`${(error as Error).message}. Fix: each entry is { file, line, mutator, original, replacement, reason }`);
  }
  return { labId, problems, starter, solution };
}
