/**
 * "Rerun with this seed" is true: the grader draws a seed for each run, a lab's fault
 * schedules start from it (scheduleSeeds), a failure prints its schedule's seed, and grading
 * again with `--seed <that seed>` fails the same test on the same schedule, with the same
 * message. The fixture lab `seeded` runs 20 schedules; its starter fails only those that
 * deliver a deposit twice (about half of them).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { labResult } from '../../src/schemas/lab-result.ts';

const LABS = 'tests/fixtures/labs';
const TEST = '20 seeded schedules of repeated deliveries: each deposit counts once';
const dir = mkdtempSync(join(tmpdir(), 'seed-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run grade -- seeded [args]`, the real command; the starter is the submission. */
function grade(args: string[]) {
  const json = join(dir, `result-${Math.random()}.json`);
  const run = spawnSync(process.execPath, ['src/cli/grade.ts', 'seeded', '--labs', LABS, ...args, '--json', json], { encoding: 'utf8', timeout: 120_000 });
  const result = labResult.parse(JSON.parse(readFileSync(json, 'utf8')));
  const verdict = result.tests.find((t) => t.name === TEST);
  assert.ok(verdict, `no verdict for "${TEST}": ${run.stdout}${run.stderr}`);
  return { run, result, verdict };
}

/** The seed a failure names, as the pretty report prints it. */
function printedSeed(stdout: string): number {
  const match = /Fault seed (\d+); to replay it, run with seed \1: `npm run grade -- seeded --seed \1`, or type \1 in the Seed field beside Run/.exec(stdout);
  assert.ok(match, `the report names no fault seed:\n${stdout}`);
  return Number(match[1]);
}

test('a failing schedule prints its seed, and grading again with --seed <seed> fails that schedule first, with the same message', () => {
  const first = grade([]);
  assert.equal(first.run.status, 1, first.run.stdout + first.run.stderr);
  assert.equal(first.verdict.status, 'fail', first.verdict.message);
  const seed = printedSeed(first.run.stdout);
  assert.match(
    first.verdict.message,
    new RegExp(`^the balance after the deliveries (d\\d, )+d\\d\\nexpected: 1500\\nreceived: \\d+\\nFault seed ${seed}; to replay it, run with seed ${seed}: \`npm run grade -- seeded --seed ${seed}\`, or type ${seed} in the Seed field beside Run\\n\\(at tests/ledger\\.test\\.ts:\\d+\\)$`),
  );

  const again = grade(['--seed', String(seed)]);
  assert.equal(again.run.status, 1);
  assert.equal(again.verdict.status, 'fail');
  assert.equal(printedSeed(again.run.stdout), seed);
  assert.equal(again.verdict.message, first.verdict.message, 'the same schedule, the same deliveries, the same words');

  // Starting one seed later, that schedule is not among the 20: if the seed did not drive the
  // schedules, this run would fail on the same one.
  const later = grade(['--seed', String((seed + 1) % 2 ** 32)]);
  if (later.verdict.status === 'fail') assert.notEqual(printedSeed(later.run.stdout), seed, later.verdict.message);
  // The other test does not depend on the seed.
  assert.deepEqual([first, again, later].map((g) => g.result.tests.find((t) => t.name !== TEST)?.status), ['pass', 'pass', 'pass']);
});

test('the reference solution passes every schedule, whatever the seed', () => {
  for (const seed of [0, 4294967290]) {
    const { run, verdict } = grade(['--solution', '--seed', String(seed)]);
    assert.equal(verdict.status, 'pass', verdict.message);
    assert.equal(run.status, 0, run.stdout + run.stderr);
  }
});
