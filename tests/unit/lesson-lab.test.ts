/**
 * A lesson's `lab:` frontmatter is checked against the catalog: it must name a lab that exists
 * and whose lab.json names the lesson's strategy. The error names both files; its text is the
 * product, so it is asserted word for word.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkLessonFiles, closeConsoles } from '../../scripts/check-lessons.ts';
import { CatalogError, courseCatalog, readCatalog } from '../../src/course/catalog.ts';

const LESSON = 'src/content/docs/lessons/backup-and-recovery.mdx';
const temporary: string[] = [];
after(async () => {
  temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  await closeConsoles();
});

/** A lessons folder holding the backup-and-recovery lesson with its `lab:` line replaced. */
function lessonsWithLab(line: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lessons-'));
  temporary.push(dir);
  const source = readFileSync(LESSON, 'utf8');
  assert.match(source, /^lab: backup-recovery$/m, 'the lesson names its lab');
  const path = join(dir, 'backup-and-recovery.mdx');
  writeFileSync(path, source.replace(/^lab: backup-recovery$/m, line));
  return { dir, path };
}

test("the course's lessons name labs of their own strategies", () => {
  assert.deepEqual(readCatalog().problems, []);
  assert.equal(courseCatalog().strategies.find((s) => s.number === 11)!.lesson!.lab, 'backup-recovery');
});

test('a lesson that names a lab that does not exist is refused, naming the lesson file and the missing lab.json', () => {
  const { dir, path } = lessonsWithLab('lab: backup-and-recovery');
  assert.deepEqual(readCatalog({ lessonsDir: dir }).problems, [
    {
      where: `${path} › lab`,
      problem: 'names the lab "backup-and-recovery", but there is no labs/backup-and-recovery/lab.json',
      fix: 'name a lab of strategy 11 ("backup-recovery") or remove the field',
    },
  ]);
});

test("a lesson that names another strategy's lab is refused, naming the lesson file and that lab's lab.json", () => {
  const { dir, path } = lessonsWithLab('lab: sagas');
  assert.deepEqual(readCatalog({ lessonsDir: dir }).problems, [
    {
      where: `${path} › lab`,
      problem: 'names the lab "sagas", but labs/sagas/lab.json says "strategy": 7 (Data consistency with sagas) and this lesson teaches strategy 11 (Backup and disaster recovery)',
      fix: 'name a lab of strategy 11 ("backup-recovery") or remove the field; if the lab does practise strategy 11, set "strategy": 11 in labs/sagas/lab.json',
    },
  ]);
});

test("a lesson whose strategy has no lab at all is told to remove the field or create the lab", () => {
  const { dir, path } = lessonsWithLab('lab: backup-recovery');
  const { problems } = readCatalog({ lessonsDir: dir, labsRoot: 'tests/fixtures/labs' });
  assert.deepEqual(problems, [
    {
      where: `${path} › lab`,
      problem: 'names the lab "backup-recovery", but there is no tests/fixtures/labs/backup-recovery/lab.json',
      fix: 'remove the field (strategy 11 has no lab yet), or create tests/fixtures/labs/backup-recovery/lab.json with "strategy": 11',
    },
  ]);
});

test('the site build refuses it: courseCatalog (read by astro.config.mjs and every page) throws with both files', () => {
  const { dir, path } = lessonsWithLab('lab: sagas');
  assert.throws(
    () => courseCatalog({ lessonsDir: dir }),
    (error: unknown) => {
      assert.ok(error instanceof CatalogError);
      assert.ok(error.message.startsWith(`The course catalog does not join up (1 problem):\n  - ${path} › lab: names the lab "sagas", but labs/sagas/lab.json says "strategy": 7`), error.message);
      return true;
    },
  );
});

test('npm run check:lessons reports it for the lesson', () => {
  const { dir, path } = lessonsWithLab('lab: sagas');
  const problems = checkLessonFiles('backup-and-recovery', readCatalog({ lessonsDir: dir }));
  assert.deepEqual(
    problems.filter((p) => p.includes(' › lab: ')),
    [
      `${path} › lab: names the lab "sagas", but labs/sagas/lab.json says "strategy": 7 (Data consistency with sagas) and this lesson teaches strategy 11 (Backup and disaster recovery). Fix: name a lab of strategy 11 ("backup-recovery") or remove the field; if the lab does practise strategy 11, set "strategy": 11 in labs/sagas/lab.json`,
    ],
  );
  assert.deepEqual(checkLessonFiles('backup-and-recovery').filter((p) => p.includes(' › lab: ')), [], 'the real lesson passes');
});
