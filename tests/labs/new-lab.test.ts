/**
 * `npm run new-lab` writes a lab that verifies as it is, and refuses, in one line, what it cannot
 * do. Everything goes into a temporary labs folder (--labs): a lab left in labs/ would join the
 * course. verify runs as a command, the way an author runs it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const labs = mkdtempSync(join(tmpdir(), 'dim-new-lab-'));
after(() => rmSync(labs, { recursive: true, force: true }));

function run(script: string, args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const newLab = (...args: string[]) => run('scripts/new-lab.ts', args);

test('writes a lab whose starter falls short and whose solution gets full marks under verify', () => {
  const created = newLab('order-totals', '--strategy', '3', '--labs', labs);
  assert.equal(created.status, 0, created.stderr);
  assert.match(created.stdout, /npm run verify -- order-totals --labs /, 'the next steps say how to verify it');

  const manifest = JSON.parse(readFileSync(join(labs, 'order-totals', 'lab.json'), 'utf8'));
  assert.deepEqual(
    { id: manifest.id, title: manifest.title, strategy: manifest.strategy, version: manifest.version, tasks: manifest.tasks.length },
    { id: 'order-totals', title: 'Event sourcing', strategy: 3, version: 1, tasks: 1 },
  );

  const verified = run('src/cli/verify.ts', ['order-totals', '--labs', labs]);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  const scores = /starter (\d+)\/(\d+), solution (\d+)\/(\d+)/.exec(verified.stdout);
  assert.ok(scores, verified.stdout);
  const [starter, starterMax, solution, solutionMax] = scores.slice(1).map(Number) as [number, number, number, number];
  assert.ok(starter < starterMax, `the starter scores ${starter}/${starterMax}`);
  assert.equal(solution, solutionMax);
});

test('prints its usage with --help', () => {
  const help = newLab('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: npm run new-lab -- <id> --strategy N \[--labs DIR\]/);
});

const refusals: Array<{ what: string; args: string[]; status: number; says: RegExp }> = [
  { what: 'no id', args: ['--strategy', '3'], status: 2, says: /Name the new lab\. Usage:/ },
  { what: 'an id that is not kebab-case', args: ['Order_Totals', '--strategy', '3'], status: 2, says: /"Order_Totals" is not a lab id: use kebab-case/ },
  { what: 'two ids', args: ['one', 'two', '--strategy', '3'], status: 2, says: /One lab at a time/ },
  { what: 'no --strategy', args: ['order-totals'], status: 2, says: /--strategy N, one of 1-12 \(1 Database per service, .*12 Data security\)/ },
  { what: 'a strategy out of range', args: ['order-totals', '--strategy', '13'], status: 2, says: /"13" is not a strategy: .*one of 1-12/ },
  { what: 'a strategy that is not a number', args: ['order-totals', '--strategy', 'cqrs'], status: 2, says: /"cqrs" is not a strategy/ },
  { what: '--strategy without its number', args: ['order-totals', '--strategy'], status: 2, says: /'--strategy'.*Usage:/ },
  { what: 'an unknown option', args: ['order-totals', '--strategy', '3', '--force'], status: 2, says: /Unknown option '--force'.*Usage:/ },
  { what: 'a labs folder that does not exist', args: ['order-totals', '--strategy', '3', '--labs', join(tmpdir(), 'dim-no-such-labs-folder')], status: 1, says: /no labs folder at .*--labs DIR/ },
];
for (const { what, args, status, says } of refusals) {
  test(`refuses ${what} in one line, and writes nothing`, () => {
    const before = readdirSync(labs).sort();
    const refused = newLab(...(args.includes('--labs') ? args : [...args, '--labs', labs]));
    assert.equal(refused.status, status, refused.stdout + refused.stderr);
    assert.match(refused.stderr, says);
    assert.equal(refused.stderr.trimEnd().split('\n').length, 1, refused.stderr);
    assert.deepEqual(readdirSync(labs).sort(), before);
  });
}

test('never overwrites a lab folder that already exists', () => {
  const existing = join(labs, 'taken');
  mkdirSync(existing);
  writeFileSync(join(existing, 'README.md'), 'the author’s own words');
  const refused = newLab('taken', '--strategy', '1', '--labs', labs);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /taken already exists and new-lab never overwrites: choose another id/);
  assert.equal(refused.stderr.trimEnd().split('\n').length, 1, refused.stderr);
  assert.deepEqual(readdirSync(existing), ['README.md']);
  assert.equal(readFileSync(join(existing, 'README.md'), 'utf8'), 'the author’s own words');
});
