/**
 * The learner's path through the Event Sourcing strategy, in a real Chromium against the built
 * site: read the lesson, open the lab, run the starter, paste the solution, reload, and survive
 * an endless loop.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadLab } from '../../src/labs/load-lab.ts';
import { testTimeLimits } from '../../src/labs/test-time-limits.ts';
import { launchChromium } from './support/browser.ts';
import { openLab, replaceFile, runTests, verdictOf, waitForEditor } from './support/lab-page.ts';
import { serveBuiltSite, type Site } from './support/site.ts';

const bundle = loadLab('event-sourcing');
const solution = bundle.solution!;

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  site = await serveBuiltSite();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, permissions: ['clipboard-read', 'clipboard-write'] });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

after(async () => {
  await browser?.close();
  await site?.stop();
});

test('the lesson page loads no editor and no database, and links to its lab', async () => {
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(`${site.url}/lessons/event-sourcing/`);
  await page.waitForLoadState('networkidle');
  assert.equal(await page.locator('h1').first().innerText(), 'Event sourcing');
  assert.ok(await page.getByRole('img', { name: /./ }).first().isVisible(), 'the lesson shows its diagram, with a text alternative');
  assert.deepEqual(requested.filter((url) => /monaco|editor|pglite|sql-wasm|\.wasm|worker/i.test(url)), []);
  page.removeAllListeners('request');
  await page.getByRole('link', { name: 'Open the lab →' }).click();
  await page.waitForURL(/\/labs\/event-sourcing\/$/);
});

test('the starter runs and falls short, naming the failing tests and why', async () => {
  await openLab(page, `${site.url}/labs/event-sourcing/`);
  const total = await runTests(page);
  const [score, max] = total.match(/(\d+) \/ (\d+) points/)!.slice(1).map(Number);
  assert.equal(max, 100);
  assert.ok(score! > 0 && score! < 100, `the starter should score between 0 and 100, got: ${total}`);
  const stale = await verdictOf(page, 'rejects an append with a stale expected version and writes nothing');
  assert.notEqual(stale.status, 'pass');
  assert.match(stale.message, /\S/, 'a failing test says why');
  assert.equal(await page.locator('.results-task h3').first().innerText(), 'Task 1: Append with optimistic concurrency');
});

test('the solution, pasted into the editor as a learner would, gets 100 / 100', async () => {
  for (const path of bundle.manifest.files.editable) await replaceFile(page, path, solution[path]!);
  const total = await runTests(page);
  assert.match(total, /^100 \/ 100 points · all \d+ tests passed$/);
});

test('after a reload the edits are still there and still pass', async () => {
  await page.reload();
  await waitForEditor(page);
  await page.locator('[role=tab][data-path="src/projection.ts"]').click();
  const firstLine = solution['src/projection.ts']!.split('\n').find((line) => line.trim().length > 20)!.trim();
  // Monaco renders spaces as no-break spaces.
  const shown = (await page.locator('.monaco-editor .view-lines').innerText()).replaceAll('\u00a0', ' ');
  assert.ok(shown.includes(firstLine), `the editor should show "${firstLine}" after the reload`);
  assert.match(await runTests(page), /^100 \/ 100 points/);
});

test('an endless loop is stopped at its time limit with a clear message, and the page stays usable', async () => {
  const looping = solution['src/projection.ts']!.replace(/(\n\s*(?:async\s+)?rebuild\([^)]*\)[^{]*\{)/, '$1\n    while (true) {}');
  assert.notEqual(looping, solution['src/projection.ts'], 'the test could not find rebuild() to break');
  await replaceFile(page, 'src/projection.ts', looping);
  const total = await runTests(page);
  const verdict = await verdictOf(page, 'rebuild replays from the start and gives the same counts as incremental catch-ups');
  assert.equal(verdict.status, 'timeout');
  // The test's limit derives from the solution's recorded time (test-times.json), not the lab's 5 s.
  const limit = testTimeLimits(bundle)['rebuild-replays-from-the-start-and-gives-the-same-counts-as-incremental-catch-ups'];
  assert.ok(limit !== undefined && limit < 5_000, `the test should have a recorded limit below 5 s, has ${limit}`);
  assert.ok(verdict.message.startsWith(`Stopped after ${limit / 1000} s:`), verdict.message);
  assert.match(verdict.message, /^Stopped after [\d.]+ s: the loop in (ProjectionRunner\.|OrdersPerCustomer\.|\w+\.)?rebuild\(\) \(src\/projection\.ts:\d+\) was still running/);
  assert.match(total, /^97 \/ 100 points/, 'the other tests still ran and passed');
  assert.match(await page.locator('.results-banner[data-stopped-loop]').innerText(), /A loop that did not end: in (\w+\.)?rebuild\(\), src\/projection\.ts line \d+/, 'said once, at the top');
  // Still usable: the learner fixes the file and runs again in the replacement worker.
  await replaceFile(page, 'src/projection.ts', solution['src/projection.ts']!);
  assert.match(await runTests(page), /^100 \/ 100 points/);
  assert.deepEqual(pageErrors, []);
});
