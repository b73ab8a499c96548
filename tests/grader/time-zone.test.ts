/**
 * The grader's child runs with TZ=Pacific/Chatham (UTC+12:45, +13:45 in the southern summer),
 * whatever the time zone of the machine that grades: a lab that says "UTC" can tell code that
 * uses local time. The fixture lab `seeded` has a test that reads what lab code sees.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { labResult } from '../../src/schemas/lab-result.ts';

const dir = mkdtempSync(join(tmpdir(), 'time-zone-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('lab code in the grader sees Pacific/Chatham, 12:45 ahead of UTC, even when the grader itself runs on UTC', () => {
  const json = join(dir, 'result.json');
  // The grader on UTC: what the child sees must come from the runner, not from this environment.
  const run = spawnSync(process.execPath, ['src/cli/grade.ts', 'seeded', '--labs', 'tests/fixtures/labs', '--solution', '--json', json], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, TZ: 'UTC' },
  });
  const result = labResult.parse(JSON.parse(readFileSync(json, 'utf8')));
  const verdict = result.tests.find((t) => t.name === 'lab code runs in the time zone of the grader');
  assert.ok(verdict, run.stdout + run.stderr);
  // The test expects { offsetMinutes: -765, timeZone: 'Pacific/Chatham', localTime: '12:45' } from new Date(0) and Intl.
  assert.equal(verdict.status, 'pass', verdict.message);
  const onUtc = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(new Date(0).getTimezoneOffset()))'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  assert.equal(onUtc.stdout, '0', 'the grader itself ran on UTC, so the offset came from the runner');
});
