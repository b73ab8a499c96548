/**
 * Every lab's fixture submissions, graded through the grader's code path: the correct ones
 * written differently from ours get full marks (the tests follow the README, not our
 * solution's shape), and each plausible mistake loses the tests its mistake.json names (the
 * tests catch it). LAB=<id> limits the run to one lab.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSubmission } from '../../src/submissions/folder.ts';
import { solutionFiles } from '../../src/labs/bundle.ts';
import { runPool } from '../../src/gradebook/pool.ts';
import { fixtureSubmissions, type FixtureSubmission } from '../../src/labs/fixture-submissions.ts';
import { labsRoot, listLabIds } from '../../src/labs/list-labs.ts';
import { loadLab } from '../../src/labs/load-lab.ts';
import { parseRulesTable, RULES_FILE } from '../../src/labs/rules-table.ts';
import { NodeRunner } from '../../src/runner/node/node-runner.ts';
import type { LabResult } from '../../src/schemas/lab-result.ts';

const labIds = process.env.LAB ? [process.env.LAB] : listLabIds();

for (const labId of labIds) {
  test(`lab ${labId}: correct solutions written differently get full marks, each plausible mistake loses its tests`, async () => {
    const fixtures = fixtureSubmissions(labId);
    const correct = fixtures.filter((f) => f.kind === 'correct');
    const mistakes = fixtures.filter((f) => f.kind === 'mistake');
    assert.ok(correct.length >= 2, `${labId} needs at least two correct solutions that differ from the reference; it has ${correct.length}`);
    assert.ok(mistakes.length >= 1, `${labId} has no plausible-mistake submissions`);

    const rulesPath = join(labsRoot(), labId, RULES_FILE);
    const rules = existsSync(rulesPath) ? parseRulesTable(readFileSync(rulesPath, 'utf8')) : [];
    const bundle = loadLab(labId);
    // A mistake naming an id that is not a test of the lab is reported, not run.
    const testIds = await labTestIds(bundle);
    const knownIds = (ids: string[]) => ids.filter((id) => testIds.includes(id));
    const results = await runPool(
      fixtures,
      2,
      // The next child starts while a fixture runs, as the gradebook's do: most mistakes run a few tests, so a child's start is much of their cost.
      () => new NodeRunner({ prestart: true }),
      // A mistake runs only the tests that must catch it: failing them already puts it below full marks.
      (fixture, runner) => runner.run(bundle, readSubmission(bundle, fixture.dir).files, undefined, fixture.kind === 'mistake' ? { only: knownIds(fixture.mistake.fails) } : {}),
      (runner) => runner.dispose(),
    );

    const problems = fixtures.flatMap((fixture, i) => judge(fixture, results[i]!, rules.map((r) => r.number), testIds));
    assert.deepEqual(problems, []);
  });
}

/** The ids of the lab's tests, from the plan of a run that runs none of them. */
async function labTestIds(bundle: ReturnType<typeof loadLab>): Promise<string[]> {
  const runner = new NodeRunner();
  let ids: string[] = [];
  try {
    await runner.run(bundle, solutionFiles(bundle), (progress) => {
      if (progress.type === 'plan') ids = progress.tests.map((t) => t.id);
    }, { only: [] });
  } finally {
    runner.dispose();
  }
  return ids;
}

function judge(fixture: FixtureSubmission, result: LabResult, ruleNumbers: string[], testIds: string[]): string[] {
  const lost = result.tests.filter((t) => t.status !== 'pass');
  if (fixture.kind === 'correct') {
    return lost.map((t) => `correct/${fixture.name} lost "${t.name}" (${t.status}): ${t.message}`);
  }
  const problems: string[] = [];
  const { rule, fails } = fixture.mistake;
  if (!ruleNumbers.includes(String(rule))) problems.push(`mistakes/${fixture.name} names rule ${rule}, which ${RULES_FILE} does not have`);
  for (const id of fails) {
    const test = result.tests.find((t) => t.id === id);
    if (!testIds.includes(id)) problems.push(`mistakes/${fixture.name} expects "${id}" to fail, but the lab has no such test`);
    else if (!test) problems.push(`mistakes/${fixture.name}: "${id}" reported no result`);
    else if (test.status === 'pass') problems.push(`mistakes/${fixture.name} (${fixture.mistake.mistake}) passes "${test.name}", which should catch it`);
  }
  return problems;
}
