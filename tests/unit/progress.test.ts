import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgressStore, progressRowText, PROGRESS_KEY } from '../../src/client/progress.ts';
import { courseCatalog } from '../../src/course/catalog.ts';

function memoryStorage() {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), map };
}

test('progress exported from one browser and imported into another is exactly the same', () => {
  const from = createProgressStore(memoryStorage());
  from.markLessonRead('event-sourcing');
  from.recordQuiz('event-sourcing', 4, 6);
  from.recordQuiz('event-sourcing', 3, 6);
  from.recordLab('event-sourcing', 57, 100, 1);
  const exported = from.exportText();
  const into = createProgressStore(memoryStorage());
  assert.deepEqual(into.importText(exported), { ok: true });
  assert.equal(into.exportText(), exported);
  assert.deepEqual(into.read().quizzes['event-sourcing']!.best, 4);
  assert.deepEqual(into.read().quizzes['event-sourcing']!.score, 3);
});

test('a lab keeps its best score, and starts again when the lab version changes', () => {
  const store = createProgressStore(memoryStorage());
  store.recordLab('event-sourcing', 80, 100, 1);
  store.recordLab('event-sourcing', 40, 100, 1);
  assert.equal(store.read().labs['event-sourcing']!.best, 80);
  store.recordLab('event-sourcing', 40, 100, 2);
  assert.deepEqual([store.read().labs['event-sourcing']!.best, store.read().labs['event-sourcing']!.labVersion], [40, 2]);
});

test('a file that is not a progress export is refused with the reason, and nothing changes', () => {
  const storage = memoryStorage();
  const store = createProgressStore(storage);
  store.markLessonRead('cqrs');
  const before = storage.map.get(PROGRESS_KEY);
  assert.deepEqual(store.importText('not json'), { ok: false, message: 'The file is not JSON. Choose a file exported from the progress page.' });
  const wrong = store.importText(JSON.stringify({ version: 1, lessons: {}, quizzes: { a: { score: 'x' } }, labs: {} }));
  assert.deepEqual(wrong, { ok: false, message: 'The file is not a progress export: "quizzes" is not a map of { score, max, best, at }. Your progress was not changed.' });
  assert.equal(storage.map.get(PROGRESS_KEY), before);
});

test('unreadable stored progress reads as empty, and is kept aside before anything overwrites it', () => {
  const storage = memoryStorage();
  storage.setItem(PROGRESS_KEY, '{"version": 7}');
  const store = createProgressStore(storage);
  assert.deepEqual(store.read(), { version: 1, lessons: {}, quizzes: {}, labs: {} });
  store.markLessonRead('cqrs');
  const kept = [...storage.map.entries()].filter(([key]) => key.startsWith(`${PROGRESS_KEY}:unreadable:`));
  assert.deepEqual(kept.map(([, value]) => value), ['{"version": 7}']);
  assert.ok(store.read().lessons.cqrs);
});

/** A strategy's row as the progress page builds it from the catalog: lesson slug and lab ids. */
function rowOf(number: number) {
  const strategy = courseCatalog().strategies.find((s) => s.number === number)!;
  return { lesson: strategy.lesson?.slug, labs: strategy.labs.map((l) => l.id) };
}

test('a lab score is kept by lab id and shown on the strategy whose lab it is, not looked up by the lesson slug', () => {
  const store = createProgressStore(memoryStorage());
  store.markLessonRead('backup-and-recovery');
  store.recordQuiz('backup-and-recovery', 5, 6);
  store.recordLab('backup-recovery', 80, 100, 2);
  assert.deepEqual(Object.keys(store.read().labs), ['backup-recovery']);
  const eleven = progressRowText(store.read(), rowOf(11));
  assert.deepEqual(eleven.labs, [{ id: 'backup-recovery', text: 'best 80 / 100' }]);
  assert.equal(eleven.quiz, 'best 5 / 6, last 5 / 6');
  assert.match(eleven.lesson!, /^read /);
  // No other strategy shows it.
  for (const number of [3, 7, 12]) assert.ok(progressRowText(store.read(), rowOf(number)).labs.every((lab) => lab.text === undefined), `strategy ${number} shows no score`);
});

test('progress saved before the catalog (labs by id, version 1) still reads and shows on its strategies', () => {
  const storage = memoryStorage();
  const saved = {
    version: 1,
    lessons: { 'event-sourcing': { readAt: '2026-01-05T10:00:00.000Z' } },
    quizzes: {},
    labs: { 'event-sourcing': { best: 57, max: 100, labVersion: 1, at: '2026-01-05T11:00:00.000Z' }, 'backup-recovery': { best: 40, max: 100, labVersion: 1, at: '2026-01-06T11:00:00.000Z' } },
  };
  storage.setItem(PROGRESS_KEY, JSON.stringify(saved));
  const progress = createProgressStore(storage).read();
  assert.deepEqual(progress, saved);
  assert.deepEqual(progressRowText(progress, rowOf(3)).labs, [{ id: 'event-sourcing', text: 'best 57 / 100' }]);
  assert.deepEqual(progressRowText(progress, rowOf(11)).labs, [{ id: 'backup-recovery', text: 'best 40 / 100' }]);
  // Strategy 1's lab (if it has one by now) was never run: it shows no score.
  assert.ok(progressRowText(progress, rowOf(1)).labs.every((lab) => lab.text === undefined), 'strategy 1 shows no score');
});
