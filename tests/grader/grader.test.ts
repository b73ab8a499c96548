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

// ---- Reporters and the pass mark, through the real command ------------------------------

function gradeWith(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['src/cli/grade.ts', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, GITHUB_STEP_SUMMARY: '', GITHUB_OUTPUT: '', ...env } });
}

const STARTER = join(SUBMISSIONS, 'counter', 'unchanged-starter');

test('grader: --reporter pretty,junit,github with --min-score at the score exits 0 and writes every report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'grade-'));
  const xml = join(dir, 'report.xml');
  const summary = join(dir, 'summary.md');
  const run = gradeWith(['counter', '--labs', LABS, '--submission', STARTER, '--reporter', 'pretty,junit', '--reporter', 'github', '--output', xml, '--min-score', '20'], { GITHUB_STEP_SUMMARY: summary });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Score: 20\/100 \(fail\)[\s\S]*Pass mark 20\/100: passed/);
  assert.match(run.stdout, /^::error title=counter task 1%3A counts in PostgreSQL \(error%2C 0\/40\)::countPg is not implemented yet/m);
  assert.match(readFileSync(summary, 'utf8'), /\| 1 \| counts in PostgreSQL \| 0\/40 \| ❌ error \|[\s\S]*Pass mark: 20\/100\./);
  const report = readFileSync(xml, 'utf8');
  assert.match(report, /<testsuites name="counter" tests="4" failures="0" errors="2" skipped="0"/);
  const { validateXML } = await import('xmllint-wasm');
  const validation = await validateXML({ xml: report, schema: readFileSync('src/reports/junit-report.xsd', 'utf8') });
  assert.ok(validation.valid, validation.rawOutput);
});

test('grader: --reporter json,classroom below --min-score exits 1; the JSON fits its schema, the classroom result decodes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'grade-'));
  const out = join(dir, 'report.json');
  const githubOutput = join(dir, 'github-output');
  const run = gradeWith(['counter', '--labs', LABS, '--submission', STARTER, '--reporter', 'json,classroom', '--output', out, '--min-score', '20.5'], { GITHUB_OUTPUT: githubOutput });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.equal(run.stdout, '', 'no pretty report was asked for, and the others went to files');
  const report: Record<string, unknown> = JSON.parse(readFileSync(out, 'utf8'));
  const { default: Ajv2020 } = await import('ajv/dist/2020.js');
  const validate = new Ajv2020().compile(JSON.parse(readFileSync('src/reports/json-report.schema.json', 'utf8')));
  assert.ok(validate(report), JSON.stringify(validate.errors));
  assert.deepEqual([report.version, report.status, report.score, report.passMark, report.passed], [3, 'fail', 20, 20.5, false]);
  const line = readFileSync(githubOutput, 'utf8');
  assert.match(line, /^result=[A-Za-z0-9+/]+=*\n$/);
  const classroom = JSON.parse(Buffer.from(line.slice('result='.length), 'base64').toString('utf8'));
  assert.deepEqual([classroom.status, classroom.max_score, classroom.tests.map((t: { score: number }) => t.score)], ['fail', 100, [10, 0, 10, 0]]);
});

test('grader: a lab that cannot be loaded still gets a JUnit report with the reason, and exits 2', () => {
  const xml = join(mkdtempSync(join(tmpdir(), 'grade-')), 'report.xml');
  const run = gradeWith(['no-such-lab', '--labs', LABS, '--reporter', 'junit', '--output', xml]);
  assert.equal(run.status, 2, run.stderr);
  assert.match(readFileSync(xml, 'utf8'), /tests="1" failures="0" errors="1"[\s\S]*<error message="Lab &quot;no-such-lab&quot; is not valid/);
});

test('grader: reporter options that make no sense are refused with exit 2 and a fix', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--reporter', 'html'], /Unknown reporter "html": choose from pretty, json, junit, github, classroom/],
    [['--reporter', 'json,junit'], /json and junit cannot share/],
    [['--reporter', 'junit,github'], /add --output FILE/],
    [['--output', 'x.json'], /--output is for the json or junit reporter/],
    [['--min-score', 'most'], /--min-score must be a number of points/],
  ];
  for (const [args, message] of cases) {
    const run = gradeWith(['counter', '--labs', LABS, ...args]);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});

test('grader: --timings prints where the time went, step by step, and leaves the report as it was', () => {
  const { run, result } = grade(['counter', '--labs', LABS, '--solution', '--timings']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(result?.score, result?.maxScore);
  const breakdown = run.stderr.slice(run.stderr.indexOf('Where the time went:'));
  for (const step of ['grader start', 'child start', "child's modules", 'SES lockdown', 'database start', 'loading the test files', 'compiling the lab code', 'tests/counter.test.ts (', 'stopping the child', 'total']) {
    assert.match(breakdown, new RegExp(`^  ${step.replace(/[()]/g, '\\$&')}.* \\d+ ms$`, 'm'), `no "${step}" line in:\n${breakdown}`);
  }
  const ms = (label: string) => Number(new RegExp(`^  ${label}.* (\\d+) ms$`, 'm').exec(breakdown)![1]);
  // The steps add up to the total (each is rounded on its own).
  const steps = [...breakdown.matchAll(/^ {2}(?!total).* (\d+) ms$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  assert.ok(Math.abs(steps - ms('total')) <= 20, `steps ${steps} ms, total ${ms('total')} ms:\n${breakdown}`);
  assert.ok(!run.stdout.includes('Where the time went'), 'the breakdown is on stderr, away from the report');
});
