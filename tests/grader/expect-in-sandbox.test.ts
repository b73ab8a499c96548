/**
 * In the grader, the labkit's `expect` is hardened with the rest of the host modules (SES), and
 * Jest's asymmetric matchers (expect.any, expect.stringMatching, ...) must still work: Chai
 * records a flag on `expect` at each of their calls unless told not to (labkit/test/expect.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { labResult } from '../../src/schemas/lab-result.ts';

const dir = mkdtempSync(join(tmpdir(), 'expect-sandbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('asymmetric matchers pass in the sandboxed grader as they do elsewhere', () => {
  const json = join(dir, 'result.json');
  const run = spawnSync(process.execPath, ['src/cli/grade.ts', 'seeded', '--labs', 'tests/fixtures/labs', '--solution', '--json', json], { encoding: 'utf8', timeout: 120_000 });
  const result = labResult.parse(JSON.parse(readFileSync(json, 'utf8')));
  const verdict = result.tests.find((t) => t.name === 'asymmetric matchers work inside toEqual and toMatchObject');
  assert.ok(verdict, run.stdout + run.stderr);
  assert.equal(verdict.status, 'pass', verdict.message);
});
