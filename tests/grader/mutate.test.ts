/**
 * `npm run mutate` end to end on a copy of the counter fixture lab whose SQLite test checks
 * nothing: Stryker's mutants of countSqlite survive, and the command must say so (exit 1, each
 * survivor printed as an equivalents entry that names real text of the solution); listing them
 * as equivalents brings the score to 100 %, and an entry that names no mutant fails the run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const labs = mkdtempSync(join(tmpdir(), 'mutate-labs-'));
after(() => rmSync(labs, { recursive: true, force: true }));
cpSync('tests/fixtures/labs/counter', join(labs, 'counter'), { recursive: true });
const testFile = join(labs, 'counter/tests/counter.test.ts');
writeFileSync(
  testFile,
  readFileSync(testFile, 'utf8').replace(
    /expect\(countSqlite\(db, 'b'\)\)\.toBe\(1\);\s*expect\(countSqlite\(db, 'b'\)\)\.toBe\(2\);/,
    "try { countSqlite(db, 'b'); } catch { /* checks nothing */ }",
  ),
);
const solution = readFileSync(join(labs, 'counter/solution/counter.ts'), 'utf8').split('\n');

function mutate() {
  return spawnSync(process.execPath, ['scripts/mutate.ts', 'counter', '--labs', labs, '--concurrency', '1'], { encoding: 'utf8', timeout: 300_000 });
}

interface Entry {
  file: string;
  line: number;
  mutator: string;
  original: string;
  replacement: string;
  reason: string;
}

test('mutate reports the survivors of a weak test, and equivalents with reasons take them out of the score, stale ones fail', async () => {
  const weak = mutate();
  assert.equal(weak.status, 1, weak.stdout + weak.stderr);
  const survivors: Entry[] = weak.stdout
    .split('\n')
    .filter((line) => line.startsWith('{"file"'))
    .map((line) => JSON.parse(line.replace(/\s+\/\/ no test reaches it$/, '')) as Entry);
  assert.ok(survivors.length > 0, weak.stdout);
  for (const survivor of survivors) {
    assert.equal(survivor.file, 'src/counter.ts');
    const at = solution.slice(survivor.line - 1).join('\n');
    assert.ok(at.startsWith(survivor.original) || solution[survivor.line - 1]!.includes(survivor.original.split('\n')[0]!), `"${survivor.original}" is not on line ${survivor.line}`);
    assert.ok(solution.slice(0, 20).some((l) => l.includes('countSqlite')) && survivor.line >= solution.findIndex((l) => l.includes('function countSqlite')) + 1, `only countSqlite is unchecked, yet ${JSON.stringify(survivor)} survived`);
  }
  assert.match(weak.stdout, /Mutation score of counter: \d+\.\d % = \d+ detected \/ \(\d+ mutants - 0 equivalents\)/);

  const stale: Entry = { file: 'src/counter.ts', line: 1, mutator: 'StringLiteral', original: 'nothing like this', replacement: '""', reason: 'names no mutant, so verify and mutate must refuse it' };
  writeFileSync(join(labs, 'counter/mutation-equivalents.json'), JSON.stringify([...survivors.map((s) => ({ ...s, reason: 'the test of this lab copy checks nothing here' })), stale]));
  const listed = mutate();
  assert.equal(listed.status, 1, 'a stale equivalent fails the run');
  assert.match(listed.stdout, new RegExp(`Mutation score of counter: 100\\.0 % = \\d+ detected / \\(\\d+ mutants - ${survivors.length} equivalents\\); 0 survived`));
  assert.match(listed.stdout, /Equivalents that name no mutant any more \(remove them\): src\/counter\.ts:1 StringLiteral "nothing like this"/);
});
