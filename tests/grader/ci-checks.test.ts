/**
 * CI-only checks: an answer fitted to the examples a learner can see passes where the site
 * runs the lab (no CI test files there) and fails in the grader, which draws more inputs from
 * a seed, names the seed, and replays it exactly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { solutionFiles } from '../../src/labs/bundle.ts';
import { loadLab } from '../../src/labs/load-lab.ts';
import { NodeRunner } from '../../src/runner/node/node-runner.ts';
import { labResult } from '../../src/schemas/lab-result.ts';

const LAB = 'event-sourcing';
const TEST = 'converts euro amounts to whole cents without floating-point drift';
const bundle = loadLab(LAB);
const dir = mkdtempSync(join(tmpdir(), 'ci-checks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The solution, except that amounts become cents by a table of the visible examples, and truncation otherwise. */
function fittedSubmission(): Record<string, string> {
  const files = solutionFiles(bundle);
  const path = 'src/upcasters.ts';
  const fitted = files[path]!.replace(
    'Math.round(v1.amount * 100)',
    '({ 19.99: 1999, 0.29: 29, 4.35: 435, 42.5: 4250 } as Record<number, number>)[v1.amount] ?? Math.floor(v1.amount * 100)',
  );
  assert.notEqual(fitted, files[path], 'the solution no longer converts amounts the way this test expects; update the replacement');
  return { ...files, [path]: fitted };
}

function grade(submission: string, seed: number) {
  const json = join(dir, `result-${seed}-${Math.random()}.json`);
  const run = spawnSync(process.execPath, ['src/cli/grade.ts', LAB, '--submission', submission, '--seed', String(seed), '--json', json], { encoding: 'utf8' });
  return { run, result: labResult.parse(JSON.parse(readFileSync(json, 'utf8'))) };
}

test('the lab declares CI-only test files, and the site\'s bundle of the lab leaves them out', () => {
  assert.deepEqual(bundle.manifest.ciTests, ['tests/ci/amounts.test.ts']);
  assert.ok('tests/ci/amounts.test.ts' in bundle.tests);
  assert.ok(!('tests/ci/amounts.test.ts' in loadLab(LAB, { withoutCiTests: true }).tests));
});

test('an answer fitted to the visible examples passes without the CI checks, as on the site', async () => {
  const runner = new NodeRunner();
  try {
    const result = await runner.run(loadLab(LAB, { withoutCiTests: true }), fittedSubmission());
    assert.equal(result.score, 100, result.tests.filter((t) => t.status !== 'pass').map((t) => `${t.name}: ${t.message}`).join('\n'));
  } finally {
    runner.dispose();
  }
});

test('the grader fails that test on inputs drawn from the seed, says so, and the seed replays the same verdict', () => {
  const submission = join(dir, 'fitted');
  for (const [path, text] of Object.entries(fittedSubmission())) {
    mkdirSync(join(submission, 'src'), { recursive: true });
    writeFileSync(join(submission, path), text);
  }
  const first = grade(submission, 7);
  assert.equal(first.run.status, 1, first.run.stderr);
  const verdict = first.result.tests.find((t) => t.name === TEST)!;
  assert.equal(verdict.status, 'fail');
  assert.match(verdict.message, /^This passes the examples you can see, but not the grader's extra checks on more inputs \(seed 7; `npm run grade -- event-sourcing --seed 7` replays them\): amount in euros -> totalCents:\n\s+\d+\.\d+ euros gave \d+, not \d+/);
  assert.equal(first.result.score, 100 - verdict.points, 'only the checked test loses its points; the checks add no tests');
  assert.ok(first.result.tests.every((t) => t.points > 0), 'a CI check is no test of its own');
  const again = grade(submission, 7);
  assert.equal(again.result.tests.find((t) => t.name === TEST)!.message, verdict.message);
});
