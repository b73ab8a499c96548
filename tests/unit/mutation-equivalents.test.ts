import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findEquivalent, listMutants, staleEquivalents } from '../../src/mutation/equivalents.ts';

const SOURCE = `export function clamp(n: number, max: number): number {
  if (n > max) return max;
  return n > max ? max : n;
}
`;

test('the mutants of a file are named by file, line, mutator, the text they change and its replacement', async () => {
  const mutants = await listMutants({ 'src/clamp.ts': SOURCE });
  const boundary = mutants.filter((m) => m.mutator === 'EqualityOperator' && m.replacement === 'n >= max');
  assert.deepEqual(
    boundary.map((m) => [m.file, m.line, m.original]),
    [
      ['src/clamp.ts', 2, 'n > max'],
      ['src/clamp.ts', 3, 'n > max'],
    ],
  );
});

test('an equivalent finds its mutant by the change, and by the line where the file makes the same change twice', async () => {
  const mutants = await listMutants({ 'src/clamp.ts': SOURCE });
  const entry = { file: 'src/clamp.ts', line: 3, mutator: 'EqualityOperator', original: 'n > max', replacement: 'n >= max', reason: 'n == max returns max either way' };
  assert.equal(findEquivalent(entry, mutants)?.line, 3);
  assert.equal(findEquivalent({ ...entry, line: 9 }, mutants), undefined, 'two candidates and neither on line 9');
  assert.equal(findEquivalent({ ...entry, replacement: 'n < max' }, mutants), undefined);
});

test('verify reports an equivalent that names no mutant any more, and a malformed file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'equivalents-'));
  try {
    const entry = { file: 'src/clamp.ts', line: 2, mutator: 'EqualityOperator', original: 'n > max', replacement: 'n >= max', reason: 'n == max returns max either way' };
    writeFileSync(join(dir, 'mutation-equivalents.json'), JSON.stringify([entry, { ...entry, original: 'n < max', replacement: 'n <= max' }]));
    const stale = await staleEquivalents(dir, { 'src/clamp.ts': SOURCE });
    assert.equal(stale.length, 1);
    assert.match(stale[0]!, /no longer exists: src\/clamp\.ts:2 EqualityOperator "n < max"/);
    writeFileSync(join(dir, 'mutation-equivalents.json'), JSON.stringify([{ ...entry, reason: '' }]));
    await assert.rejects(staleEquivalents(dir, { 'src/clamp.ts': SOURCE }), /reason/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
