/**
 * The grader against hostile submissions: one folder per case under tests/fixtures/hostile/
 * (kept under fixtures so that neither the type-checker nor the test runner picks up the
 * submissions' own .ts files), each with the learner's files in `submission/` and what the
 * grader must say in `expected.json`. Every case is graded through the real command, as CI
 * would, and must:
 *
 * - finish (the grader never hangs) and exit with the expected code (it never crashes);
 * - give every test its expected verdict, and the expected score, never more;
 * - tell the learner what happened (`message`, a pattern over everything the learner sees);
 * - leave the submission folder and the lab folder byte-identical, and put no file elsewhere;
 * - leave no process running and nothing in its temporary folder;
 * - never show the grader's environment (`absent`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { labResult } from '../../src/schemas/lab-result.ts';
import { processesMentioning } from '../support/processes.ts';

const CASES = 'tests/fixtures/hostile';
const LABS = 'tests/fixtures/labs';
/** No case may take longer: the slowest (a timeout and a fresh process) need about 8 s. */
const BOUND_MS = 40_000;
/** Put in the grader's environment; no result or report may contain it. */
const SECRET = 'hostile-corpus-secret';
/** Files the vandal cases try to create outside the folders hashed below. */
const OUTSIDE = ['/tmp/pwned-by-hostile-lab.txt', 'src/pwned.ts'];

interface Expected {
  why: string;
  lab: string;
  exitCode: number;
  score: number;
  /** Each test's verdict; "timeout|error" where either is right and which comes first is a race (time limit or memory cap). */
  verdicts: Record<string, string>;
  /** A regular expression over what the learner sees: the printed report, the notes and the result's messages. */
  message?: string;
  /** Text the grader's notes (stderr) must include. */
  stderr?: string;
  /** Text that must appear nowhere in the output or the result. */
  absent?: string;
}

/** A hash of a folder's tree: names, types, link targets and contents, without following links. */
function hashTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = join(current, name);
      const stat = lstatSync(full);
      hash.update(`${full}\0${stat.mode}\0`);
      if (stat.isSymbolicLink()) hash.update(readlinkSync(full));
      else if (stat.isDirectory()) walk(full);
      else hash.update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/** Grades with a temporary folder of its own (`tmp`), so that what the grade leaves there, or still running, is known to be its. */
function grade(args: string[], tmp: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ['src/cli/grade.ts', ...args], { encoding: 'utf8', timeout: BOUND_MS, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TMPDIR: tmp, HOSTILE_SECRET: SECRET, GITHUB_STEP_SUMMARY: '', GITHUB_OUTPUT: '' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

const names = readdirSync(CASES).sort();

test('the hostile corpus has at least 25 cases', () => {
  assert.ok(names.length >= 25, `only ${names.length} cases`);
});

describe('grader: hostile submissions', { concurrency: 2 }, () => {
  for (const name of names) {
    const dir = join(CASES, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    test(`${name}: ${expected.why}`, async () => {
      const submission = join(dir, 'submission');
      const labDir = join(LABS, expected.lab);
      const before = { submission: hashTree(submission), lab: hashTree(labDir) };
      const out = join(mkdtempSync(join(tmpdir(), 'hostile-')), 'result.json');
      const tmp = mkdtempSync(join(tmpdir(), 'hostile-tmp-'));
      try {
        const run = await grade([expected.lab, '--labs', LABS, '--submission', submission, '--json', out], tmp);
        const seen = `${run.stdout}\n${run.stderr}`;
        assert.ok(run.ms < BOUND_MS, `took ${Math.round(run.ms)} ms`);
        assert.equal(run.code, expected.exitCode, seen);
        const result = labResult.parse(JSON.parse(readFileSync(out, 'utf8')));
        const verdicts = Object.fromEntries(result.tests.map((t) => [t.id, expected.verdicts[t.id]?.split('|').includes(t.status) ? expected.verdicts[t.id] : t.status]));
        assert.deepEqual(verdicts, expected.verdicts, seen);
        assert.ok(result.score <= expected.score, `awarded ${result.score}, at most ${expected.score} allowed`);
        assert.equal(result.score, expected.score);
        const told = `${seen}\n${result.message}\n${result.tests.map((t) => `${t.message}\n${t.output ?? ''}`).join('\n')}`;
        if (expected.message) assert.match(told, new RegExp(expected.message), told);
        if (expected.stderr) assert.ok(run.stderr.includes(expected.stderr), `stderr should say "${expected.stderr}":\n${run.stderr}`);
        if (expected.absent) assert.ok(!`${told}\n${readFileSync(out, 'utf8')}`.includes(expected.absent), `"${expected.absent}" leaked`);
        // Nothing a learner sees may move a terminal's cursor or recolour the report.
        assert.doesNotMatch(JSON.stringify(result), /\\u001b|\\u0007|\\ud[89a-f]/i);
        assert.equal(hashTree(submission), before.submission, 'the submission folder changed');
        assert.equal(hashTree(labDir), before.lab, 'the lab folder changed');
        for (const path of OUTSIDE) assert.ok(!existsSync(path), `${path} was created`);
        // Nothing of the grade is left: no sandbox still running (a killed process may take a moment to go), no temporary folder.
        const until = Date.now() + 5_000;
        while (processesMentioning(tmp).length > 0 && Date.now() < until) await new Promise((done) => setTimeout(done, 100));
        assert.deepEqual(processesMentioning(tmp), [], 'processes of the grade are still running');
        assert.deepEqual(readdirSync(tmp), [], 'the grade left files in its temporary folder');
      } finally {
        rmSync(join(out, '..'), { recursive: true, force: true });
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});
