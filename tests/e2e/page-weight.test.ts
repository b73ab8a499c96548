/**
 * Size budget: a lesson page ships no editor and no database, and at most 30 KB of JavaScript
 * (gzipped) before anything is imported on demand; a lab page holds back the editor's code and
 * its CSS until it loads.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { listLabIds } from '../../src/labs/list-labs.ts';
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

test("no lab page links the editor's CSS: it comes with the editor, when the learner reaches for it", () => {
  for (const id of listLabIds()) {
    const html = readFileSync(join(dist, 'labs', id, 'index.html'), 'utf8');
    const links = [...html.matchAll(/<link rel="stylesheet" href="\/([^"]+\.css)"/g)].map((m) => m[1]!);
    assert.ok(links.length > 0, `labs/${id}/index.html links no stylesheet at all`);
    for (const href of links) {
      assert.doesNotMatch(readFileSync(join(dist, href), 'utf8'), /\.monaco-editor/, `labs/${id}/ links ${href}, which holds Monaco's CSS`);
    }
  }
});
