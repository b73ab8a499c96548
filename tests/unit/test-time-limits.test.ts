/**
 * Each test's time limit derives from the reference solution's recorded time (test-times.json):
 * ten times it, at least 2 s, at most the lab's limit; a test's own timeoutMs wins.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCollecting, stopCollecting } from '../../src/labkit/test/collector.ts';
import { LabFormatError } from '../../src/labs/lab-format-error.ts';
import { loadLab } from '../../src/labs/load-lab.ts';
import { testTimeLimits } from '../../src/labs/test-time-limits.ts';

const counter = loadLab('counter', { root: 'tests/fixtures/labs' });

test('limits: ten times the recorded time, at least 2 s, never above the lab\'s own limit', () => {
  const lab = { ...counter, manifest: { ...counter.manifest, limits: { ...counter.manifest.limits, testTimeoutMs: 5_000 } } };
  assert.deepEqual(testTimeLimits({ ...lab, testTimesMs: { quick: 12, medium: 230, slow: 900 } }), { quick: 2_000, medium: 2_300, slow: 5_000 });
  assert.deepEqual(testTimeLimits(lab), {}, 'no recorded times: every test keeps the lab\'s limit');
});

test('the collector gives a test its derived limit, unless the test sets its own', () => {
  const collector = startCollecting(5_000, { 'derived': 1_000, 'own-limit': 1_000 });
  try {
    collector.test('derived', { task: 1, points: 1 }, () => {});
    collector.test('own limit', { task: 1, points: 1, timeoutMs: 20_000 }, () => {});
    collector.test('not recorded', { task: 1, points: 1 }, () => {});
    assert.deepEqual(collector.seal().map((t) => [t.id, t.timeoutMs]), [['derived', 1_000], ['own-limit', 20_000], ['not-recorded', 5_000]]);
  } finally {
    stopCollecting();
  }
});

test('test-times.json is read into the bundle, and a malformed one is named with the fix', () => {
  const root = mkdtempSync(join(tmpdir(), 'labs-'));
  try {
    cpSync('tests/fixtures/labs/counter', join(root, 'counter'), { recursive: true });
    writeFileSync(join(root, 'counter', 'test-times.json'), JSON.stringify({ tests: { 'counts-in-postgresql': 40 } }));
    assert.deepEqual(loadLab('counter', { root }).testTimesMs, { 'counts-in-postgresql': 40 });
    writeFileSync(join(root, 'counter', 'test-times.json'), JSON.stringify({ tests: { 'counts-in-postgresql': 'fast' } }));
    assert.throws(() => loadLab('counter', { root }), (error: unknown) => error instanceof LabFormatError && /test-times\.json.*milliseconds.*--record-times/s.test(error.message));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
