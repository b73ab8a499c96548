/**
 * Size budget: a lesson page ships no editor and no database, and at most 30 KB of JavaScript
 * (gzipped) before anything is imported on demand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialJavaScript } from '../../scripts/page-weight.ts';

const LESSON_BUDGET_GZIP = 30 * 1024;
const dist = process.env.SITE_DIR ?? 'dist';

test('a lesson page loads at most 30 KB of JavaScript (gzipped), with no editor or database in it', () => {
  const weight = initialJavaScript(dist, '/lessons/event-sourcing/');
  assert.ok(weight.gzipBytes <= LESSON_BUDGET_GZIP, `the lesson page loads ${weight.gzipBytes} bytes gzipped: ${weight.files.join(', ')}`);
  for (const file of weight.files) assert.doesNotMatch(file, /monaco|editor|pglite|sql-wasm|worker/i);
});

test('a lab page does not load the editor before its own script asks for it', () => {
  const weight = initialJavaScript(dist, '/labs/event-sourcing/');
  assert.ok(weight.gzipBytes < 100 * 1024, `the lab page loads ${weight.gzipBytes} bytes gzipped up front: ${weight.files.join(', ')}`);
});
