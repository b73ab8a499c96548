/**
 * Every lesson, checked without a site build: frontmatter, quiz (at least one correct answer and
 * an explanation for every option, by schema), glossary terms, required parts, internal links,
 * and its SQL console: the seed and every suggested query run on the real engine, in order.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { checkLessonFiles, closeConsoles, lessonSlugs, runConsoles } from '../../scripts/check-lessons.ts';
import { strategies } from '../../src/course/strategies.ts';

after(() => closeConsoles());

test('every one of the twelve strategies has a lesson', () => {
  assert.deepEqual(lessonSlugs(), strategies.map((s) => s.slug).sort());
});

for (const slug of lessonSlugs()) {
  test(`lesson ${slug}: frontmatter, quiz, glossary, required parts and links are valid`, () => {
    assert.deepEqual(checkLessonFiles(slug), []);
  });
  test(`lesson ${slug}: each console's seed and suggested queries run on the real engine`, async () => {
    assert.deepEqual(await runConsoles(slug), []);
  });
}
