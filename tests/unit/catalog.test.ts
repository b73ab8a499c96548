/**
 * The course catalog joins strategies, lessons and labs from the data: a lab belongs to the
 * strategy its lab.json names, whatever its id, and a strategy may have labs but no lesson.
 */
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CatalogError, courseCatalog, joinCatalog, readCatalog } from '../../src/course/catalog.ts';
import { strategies } from '../../src/course/strategies.ts';
import { listLabIds } from '../../src/labs/list-labs.ts';

const temporary: string[] = [];
after(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  temporary.push(dir);
  return dir;
}

test("the course's catalog: twelve strategies in order, every lab under the strategy its lab.json names", () => {
  const catalog = courseCatalog();
  assert.deepEqual(catalog.strategies.map((s) => s.number), strategies.map((s) => s.number));
  assert.deepEqual(catalog.labs.map((l) => l.id).sort(), listLabIds());
  for (const id of listLabIds()) {
    const manifest = JSON.parse(readFileSync(`labs/${id}/lab.json`, 'utf8')) as { strategy: number; title: string };
    const holders = catalog.strategies.filter((s) => s.labs.some((l) => l.id === id));
    assert.deepEqual(holders.map((s) => s.number), [manifest.strategy], `${id} is listed once, under strategy ${manifest.strategy}`);
    assert.equal(holders[0]!.labs.find((l) => l.id === id)!.title, manifest.title);
  }
});

test('backup-recovery belongs to strategy 11 and its lesson backup-and-recovery, although the id is not the slug', () => {
  const eleven = courseCatalog().strategies.find((s) => s.number === 11)!;
  assert.equal(eleven.slug, 'backup-and-recovery');
  assert.equal(eleven.lesson?.slug, 'backup-and-recovery');
  assert.equal(eleven.lesson?.path, 'src/content/docs/lessons/backup-and-recovery.mdx');
  assert.deepEqual(eleven.labs.map((l) => [l.id, l.manifestPath]), [['backup-recovery', 'labs/backup-recovery/lab.json']]);
  assert.notEqual(eleven.labs[0]!.id, eleven.slug);
});

test('the catalog is plain data: it survives JSON unchanged, as pages and the sidebar need', () => {
  const catalog = courseCatalog();
  assert.deepEqual(JSON.parse(JSON.stringify(catalog)), catalog);
  const three = catalog.strategies.find((s) => s.number === 3)!;
  assert.deepEqual(Object.keys(three).sort(), ['labs', 'lesson', 'line', 'number', 'slug', 'title']);
});

test('with the fixture labs and one lesson, a lab whose strategy has no lesson is still listed under its strategy', () => {
  const lessons = tempDir();
  copyFileSync('src/content/docs/lessons/database-per-service.mdx', join(lessons, 'database-per-service.mdx'));
  const { catalog, problems } = readCatalog({ labsRoot: 'tests/fixtures/labs', lessonsDir: lessons });
  assert.deepEqual(problems, []);
  const one = catalog.strategies.find((s) => s.number === 1)!;
  const five = catalog.strategies.find((s) => s.number === 5)!;
  assert.equal(one.lesson?.slug, 'database-per-service');
  assert.deepEqual(one.labs.map((l) => l.id), ['counter', 'hostile', 'hostile-pg']);
  assert.equal(five.lesson, undefined, 'strategy 5 has no lesson here');
  assert.deepEqual(five.labs.map((l) => [l.id, l.strategy, l.manifestPath]), [['seeded', 5, 'tests/fixtures/labs/seeded/lab.json']]);
  assert.deepEqual(catalog.labs.map((l) => l.id), ['counter', 'hostile', 'hostile-pg', 'seeded'], 'labs by strategy, then id');
  assert.ok(catalog.strategies.filter((s) => s.number !== 1 && s.number !== 5).every((s) => s.labs.length === 0 && !s.lesson));
});

test('a lab.json the catalog cannot read is named with its field and the fix, and courseCatalog refuses it', () => {
  const labs = tempDir();
  cpSync('tests/fixtures/labs/counter', join(labs, 'counter'), { recursive: true });
  cpSync('tests/fixtures/labs/seeded', join(labs, 'renamed'), { recursive: true });
  const path = join(labs, 'counter', 'lab.json');
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), strategy: 13 }));
  const { problems } = readCatalog({ labsRoot: labs, lessonsDir: tempDir() });
  assert.deepEqual(problems, [
    { where: `${path} › strategy`, problem: 'expected number to be <=12', fix: 'change the value to fit that limit' },
    { where: `${join(labs, 'renamed', 'lab.json')} › id`, problem: 'the id is "seeded" but the folder is "renamed"', fix: 'set "id" to "renamed" or rename the folder' },
  ]);
  assert.throws(() => courseCatalog({ labsRoot: labs, lessonsDir: tempDir() }), (error: unknown) => {
    assert.ok(error instanceof CatalogError);
    assert.match(error.message, /^The course catalog does not join up \(2 problems\):\n {2}- .*counter\/lab\.json › strategy: expected number to be <=12\n {4}Fix: change the value to fit that limit\n/);
    return true;
  });
});

test('joinCatalog is pure: labs join by strategy number, lessons by slug', () => {
  const { catalog, problems } = joinCatalog({
    strategies: strategies.slice(0, 2),
    lessons: [{ slug: 'polyglot-persistence', path: 'lessons/polyglot-persistence.mdx', title: 'Polyglot' }],
    labs: [
      { folder: 'stores', manifestPath: 'labs/stores/lab.json', id: 'stores', title: 'Pick a store', strategy: 2 },
      { folder: 'split', manifestPath: 'labs/split/lab.json', id: 'split', title: 'Split the database', summary: 'one line', strategy: 1 },
    ],
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(catalog, {
    strategies: [
      { ...strategies[0]!, labs: [{ id: 'split', title: 'Split the database', summary: 'one line', strategy: 1, manifestPath: 'labs/split/lab.json' }] },
      { ...strategies[1]!, lesson: { slug: 'polyglot-persistence', title: 'Polyglot', path: 'lessons/polyglot-persistence.mdx' }, labs: [{ id: 'stores', title: 'Pick a store', strategy: 2, manifestPath: 'labs/stores/lab.json' }] },
    ],
    labs: [
      { id: 'split', title: 'Split the database', summary: 'one line', strategy: 1, manifestPath: 'labs/split/lab.json' },
      { id: 'stores', title: 'Pick a store', strategy: 2, manifestPath: 'labs/stores/lab.json' },
    ],
  });
});

test('a lesson folder may lack lessons and labs/ may lack labs: the catalog is still the twelve strategies', () => {
  const empty = tempDir();
  mkdirSync(join(empty, 'labs'));
  const { catalog, problems } = readCatalog({ labsRoot: join(empty, 'labs'), lessonsDir: join(empty, 'none') });
  assert.deepEqual(problems, []);
  assert.equal(catalog.strategies.length, 12);
  assert.ok(catalog.strategies.every((s) => s.labs.length === 0 && s.lesson === undefined));
});
