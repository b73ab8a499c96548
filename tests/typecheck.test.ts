import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('the project and every lab (starter and solution, each with its tests) type-check', () => {
  const result = spawnSync(process.execPath, ['scripts/typecheck.ts'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
