/**
 * The grader, run as a learner's CI would run it (the real command, a child process), against
 * golden submissions: one folder per case under tests/fixtures/submissions/<lab>/, each with
 * the learner's files and the verdicts the grader must give.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { labResult } from '../../src/schemas/lab-result.ts';

const LABS = 'tests/fixtures/labs';
const SUBMISSIONS = 'tests/fixtures/submissions';

interface Expected {
  exitCode: number;
  score: number;
  tests: Record<string, string>;
  messageIncludes?: string;
  stderrIncludes?: string[];
}

export function grade(args: string[]) {
  const out = join(mkdtempSync(join(tmpdir(), 'grade-')), 'result.json');
  const run = spawnSync(process.execPath, ['src/cli/grade.ts', ...args, '--json', out], { encoding: 'utf8', timeout: 120_000 });
  let result;
  try {
    result = labResult.parse(JSON.parse(readFileSync(out, 'utf8')));
  } catch {
    result = undefined;
  }
  return { run, result };
}

for (const labId of readdirSync(SUBMISSIONS)) {
  for (const name of readdirSync(join(SUBMISSIONS, labId))) {
    const dir = join(SUBMISSIONS, labId, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    test(`grader: ${labId} submission "${name}" gets the expected verdicts`, () => {
      const { run, result } = grade([labId, '--labs', LABS, '--submission', dir]);
      assert.ok(result, `no valid LabResult JSON was written. stderr: ${run.stderr}`);
      const verdicts = Object.fromEntries(result.tests.map((t) => [t.id, t.status]));
      assert.deepEqual(verdicts, expected.tests);
      assert.equal(result.score, expected.score);
      assert.equal(run.status, expected.exitCode, run.stdout + run.stderr);
      if (expected.messageIncludes) assert.ok(run.stdout.includes(expected.messageIncludes), `the report should say "${expected.messageIncludes}":\n${run.stdout}`);
      for (const text of expected.stderrIncludes ?? []) assert.ok(run.stderr.includes(text), `stderr should say "${text}":\n${run.stderr}`);
    });
  }
}

test('grader: an unknown lab cannot be graded (exit 2) and the message lists the labs', () => {
  const { run } = grade(['no-such-lab', '--labs', LABS]);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /Lab "no-such-lab" is not valid[\s\S]*there is no such lab folder[\s\S]*counter/);
});

test('grader: bad usage prints the usage and exits 2', () => {
  const run = spawnSync(process.execPath, ['src/cli/grade.ts', 'counter', '--solution', '--submission', 'x'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /Usage: npm run grade/);
});
