/**
 * The gradebook, run as an instructor runs it (the real command), on a generated class of the
 * counter fixture lab with known scores: graded in 2 shards, then merged.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { zipSync, strToU8 } from 'fflate';
import { workZip } from '../../src/client/download-work.ts';
import { gradebook as gradebookSchema } from '../../src/gradebook/model.ts';

const LABS = 'tests/fixtures/labs';
const LAB = join(LABS, 'counter');
const solution = readFileSync(join(LAB, 'solution/counter.ts'), 'utf8');
const starter = readFileSync(join(LAB, 'starter/counter.ts'), 'utf8');
/** countPg and setup from the solution, countSqlite still the starter's: 10 + 40 + 10 = 60. */
const pgOnly = solution.replace(/export function countSqlite[\s\S]*$/, "export function countSqlite(): number {\n  throw new Error('countSqlite is not implemented yet');\n}\n");
/** A learner id (a folder name) that is a formula, needs CSV quoting and would be markup. */
const EVIL = '=1+2,"<b>x';

/** learner -> expected score (undefined: no score) */
const EXPECTED: Record<string, number | undefined> = { alice: 100, bob: 20, carol: 60, [EVIL]: 100, erin: undefined, frank: undefined, grace: undefined };

let root: string;
let classDir: string;

function gradebook(args: string[]) {
  return spawnSync(process.execPath, ['src/cli/gradebook.ts', ...args], { encoding: 'utf8', timeout: 300_000 });
}

function writeLearner(id: string, text: string): void {
  mkdirSync(join(classDir, id, 'src'), { recursive: true });
  writeFileSync(join(classDir, id, 'src/counter.ts'), text);
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'gradebook-'));
  classDir = join(root, 'class');
  mkdirSync(classDir);
  writeLearner('alice', solution);
  // bob hands in a zip as the lab page makes it; carol a zip made by "Compress" on a folder.
  writeFileSync(join(classDir, 'bob.zip'), workZip('counter', 1, { 'src/counter.ts': starter }));
  writeFileSync(join(classDir, 'carol.zip'), zipSync({ 'carol-lab/src/counter.ts': strToU8(pgOnly), 'carol-lab/notes.txt': strToU8('hi') }));
  writeLearner(EVIL, solution);
  mkdirSync(join(classDir, 'erin')); // a folder with nothing of the lab in it
  writeFileSync(join(classDir, 'grace.zip'), 'this is not a zip');
  cpSync(join(classDir, 'alice'), join(classDir, '.git'), { recursive: true }); // hidden: skipped
  writeFileSync(join(root, 'roster.txt'), `# class of 2026\nalice\nbob\ncarol\n${EVIL}\nerin\nfrank\ngrace\n`);
});

test('gradebook: two shards and a merge give every learner one row with the known score', () => {
  const roster = join(root, 'roster.txt');
  const outs = [1, 2].map((k) => join(root, `shard-${k}`));
  for (const [i, out] of outs.entries()) {
    const run = gradebook([classDir, '--lab', 'counter', '--labs', LABS, '--out', out, '--shard', `${i + 1}/2`, '--roster', roster, '--jobs', '2']);
    assert.equal(run.status, 0, run.stdout + run.stderr);
  }
  const shardBooks = outs.map((out) => gradebookSchema.parse(JSON.parse(readFileSync(join(out, 'gradebook.json'), 'utf8'))));
  const ids = shardBooks.map((b) => b.learners.map((l) => l.id));
  const sorted = Object.keys(EXPECTED).sort();
  assert.deepEqual(ids, [sorted.filter((_, i) => i % 2 === 0), sorted.filter((_, i) => i % 2 === 1)], 'shard K holds the learners at sorted index i with i % N == K - 1');

  const merged = join(root, 'merged');
  const run = gradebook(['merge', ...outs, '--out', merged]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const book = gradebookSchema.parse(JSON.parse(readFileSync(join(merged, 'gradebook.json'), 'utf8')));
  assert.deepEqual(book.learners.map((l) => l.id), sorted);
  for (const learner of book.learners) {
    const entry = learner.labs.counter!;
    assert.equal(entry.state === 'graded' ? entry.result.score : undefined, EXPECTED[learner.id], `${learner.id}: ${JSON.stringify(entry).slice(0, 300)}`);
  }
  const states = Object.fromEntries(book.learners.map((l) => [l.id, l.labs.counter!.state]));
  assert.deepEqual([states.erin, states.frank, states.grace], ['missing', 'missing', 'error']);

  const csv = readFileSync(join(merged, 'grades.csv'), 'utf8');
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'learner,counter,total,notes');
  assert.ok(lines.includes('alice,100,100,'), csv);
  assert.ok(lines.includes('bob,20,20,'), csv);
  assert.ok(lines.includes('carol,60,60,'), csv);
  assert.ok(lines.includes(`"'=1+2,""<b>x",100,100,`), `the formula is defused and the field quoted:\n${csv}`);
  assert.ok(lines.includes('frank,,,counter: no submission'), csv);
  assert.match(csv, /\r\ngrace,,,counter: could not be graded: The submission zip .*grace\.zip cannot be read: it is not a zip file\.\r\n/);

  const html = readFileSync(join(merged, 'summary.html'), 'utf8');
  assert.doesNotMatch(html, /<script|https?:\/\/|<link/i, 'self-contained: no script, no external resource');
  assert.ok(!html.includes('<b>x') && html.includes('=1+2,&quot;&lt;b&gt;x'), 'the learner id is escaped');
  assert.match(html, /<th scope="row">100 %<\/th><td><span class="bar" style="width:100.0%"><\/span><\/td><td class="num">2<\/td>/, 'two learners at full marks');
  assert.match(html, /<th scope="row">60–69 %<\/th>[^\n]*<td class="num">1<\/td>/);
  assert.match(html, /<b>4<\/b> graded <\/span>|<b>4<\/b> graded/);
  assert.match(html, /mean <b>70<\/b>[\s\S]*median <b>80<\/b>/);
  // countSqlite fails for bob and carol; countPg for bob only.
  assert.match(html, /<td>counts in SQLite<\/td><td class="num">2<\/td><td class="num">40<\/td><td class="num">2 of 4<\/td>[\s\S]*<td>counts in PostgreSQL<\/td>[^\n]*1 of 4/);
  assert.match(html, /<h3>Not submitted<\/h3>\n<ul class="ids"><li>erin<\/li><li>frank<\/li><\/ul>/);
  assert.match(html, /<li><b>grace<\/b>: The submission zip/);
});

test('gradebook: merge refuses overlapping shards and other lab versions, and says which', () => {
  const a = join(root, 'shard-1');
  const refused = gradebook(['merge', a, a, '--out', join(root, 'twice')]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /Cannot merge: The learner "\S+" is in both .*shard-1 and .*shard-1/);

  const other = join(root, 'other-version');
  cpSync(join(root, 'shard-2'), other, { recursive: true });
  const file = join(other, 'gradebook.json');
  const book = JSON.parse(readFileSync(file, 'utf8'));
  book.labs[0].version = 2;
  writeFileSync(file, JSON.stringify(book));
  const mixed = gradebook(['merge', a, other, '--out', join(root, 'mixed')]);
  assert.equal(mixed.status, 2);
  assert.match(mixed.stderr, /shard-1 and .*other-version graded different labs or lab versions: counter v1 .* vs counter v2/);
});

test('gradebook: bad usage exits 2 with the usage or the fix', () => {
  const cases: Array<[string[], RegExp]> = [
    [[classDir, '--out', join(root, 'x')], /--lab is required/],
    [[classDir, '--lab', 'counter', '--labs', LABS], /--out is required/],
    [[classDir, '--lab', 'counter', '--labs', LABS, '--out', join(root, 'x'), '--shard', '3/2'], /K must be between 1 and N/],
    [[classDir, '--lab', 'counter', '--labs', LABS, '--out', join(root, 'x'), '--jobs', '0'], /--jobs must be a whole number/],
    [[classDir, '--lab', 'no-such-lab', '--labs', LABS, '--out', join(root, 'x')], /Lab "no-such-lab" is not valid/],
    [['merge', '--out', join(root, 'x')], /merge needs the shard folders/],
  ];
  for (const [args, message] of cases) {
    const run = gradebook(args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});
