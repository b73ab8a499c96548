/**
 * What a lesson page offers beyond its text, in a real Chromium on the built site: the live SQL
 * console, the quiz and the progress it records, progress export and import, instructor notes,
 * and search.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import yaml from 'js-yaml';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SqlConsole } from '../../src/schemas/sql-console.ts';
import { launchChromium } from './support/browser.ts';
import { serveBuiltSite, type Site } from './support/site.ts';

const LESSON = 'event-sourcing';
const consoleDefinition = yaml.load(readFileSync(`src/content/consoles/${LESSON}.yaml`, 'utf8')) as SqlConsole;

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;

before(async () => {
  site = await serveBuiltSite();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  await page.goto(`${site.url}/lessons/${LESSON}/`);
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

test('the SQL console opens on demand, runs a suggested query into a table, and shows database errors', async () => {
  const sqlConsole = page.locator('sql-console');
  await sqlConsole.getByRole('button', { name: 'Open the SQL console' }).click();
  await page.waitForSelector('sql-console[data-ready]', { timeout: 30_000 });
  await sqlConsole.locator('[data-query="0"]').click();
  await sqlConsole.locator('.console-output table').waitFor();
  assert.ok((await sqlConsole.locator('.console-output tbody tr').count()) > 0, 'the first suggested query returns rows');
  assert.equal(await sqlConsole.locator('.console-note').innerText(), consoleDefinition.queries[0]!.note.trim());

  const failing = consoleDefinition.queries.findIndex((q) => q.expectError);
  if (failing >= 0) {
    await sqlConsole.locator(`[data-query="${failing}"]`).click();
    await sqlConsole.locator('.console-error').waitFor();
    assert.match(await sqlConsole.locator('.console-error').innerText(), /^ERROR: \S/);
  }
  await sqlConsole.locator('textarea').fill('SELECT 6 * 7 AS answer');
  await sqlConsole.locator('textarea').press('Control+Enter');
  await sqlConsole.locator('.console-output th', { hasText: 'answer' }).waitFor();
  assert.equal(await sqlConsole.locator('.console-output td').first().innerText(), '42');
  await sqlConsole.locator('textarea').fill('SELEC nonsense');
  await sqlConsole.getByRole('button', { name: /^Run/ }).click();
  await sqlConsole.locator('.console-error', { hasText: 'syntax error' }).waitFor();
});

test('a SQLite console (sql.js) runs in its own worker, and SQLite errors show as such', async () => {
  const sqlite = await browser.newPage();
  await sqlite.goto(`${site.url}/lessons/polyglot-persistence/`);
  const selector = 'sql-console[data-console-id="polyglot-persistence--inventory"]';
  const inventory = sqlite.locator(selector);
  await inventory.getByRole('button', { name: 'Open the SQL console' }).click();
  await sqlite.waitForSelector(`${selector}[data-ready]`, { timeout: 30_000 });
  // Clicking a suggestion starts the run at once; the status line says when it has finished.
  const runSuggested = async (index: number) => {
    await inventory.locator(`[data-query="${index}"]`).click();
    await inventory.locator('[data-part="status"]', { hasText: /^(Done|The database answered)/ }).waitFor();
  };
  await runSuggested(1);
  await runSuggested(1);
  assert.deepEqual(await inventory.locator('.console-output tbody td').allInnerTexts(), ['MUG-BLUE', '40', '2'], 'a repeated reservation is counted once');
  await runSuggested(5);
  assert.match(await inventory.locator('.console-error').innerText(), /^ERROR: near "GRANT": syntax error/);
  await sqlite.close();
});

test('the quiz explains every option after checking, and its score lands in the progress page', async () => {
  const quiz = page.locator('lesson-quiz');
  const questions = await quiz.locator('.quiz-question').count();
  assert.ok(questions >= 5);
  for (const option of await quiz.locator('.quiz-option[data-correct="true"] input').all()) await option.check();
  await quiz.getByRole('button', { name: 'Check my answers' }).click();
  assert.equal(await quiz.locator('.quiz-score').innerText(), `${questions} of ${questions} right.`);
  const explanations = quiz.locator('.quiz-explanation');
  for (let i = 0; i < (await explanations.count()); i++) assert.ok(await explanations.nth(i).isVisible(), 'every option shows its explanation');

  await page.goto(`${site.url}/progress/`);
  const row = page.locator(`tr[data-strategy="${LESSON}"]`);
  assert.equal(await row.locator('[data-cell="quiz"]').innerText(), `best ${questions} / ${questions}, last ${questions} / ${questions}`);
});

test('progress exported to a file and imported back is exactly the same', async () => {
  await page.goto(`${site.url}/progress/`);
  const before = await page.evaluate(() => localStorage.getItem('data-in-microservices:progress'));
  assert.ok(before);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export to a file' }).click()]);
  const file = await download.path();
  assert.match(download.suggestedFilename(), /^data-in-microservices-progress-\d{4}-\d{2}-\d{2}\.json$/);

  await page.evaluate(() => localStorage.removeItem('data-in-microservices:progress'));
  await page.reload();
  assert.equal(await page.locator(`tr[data-strategy="${LESSON}"] [data-cell="quiz"]`).innerText(), 'not taken');
  await Promise.all([page.waitForEvent('load'), page.locator('[data-part="import"]').setInputFiles(file)]);
  const after = await page.evaluate(() => localStorage.getItem('data-in-microservices:progress'));
  assert.deepEqual(JSON.parse(after!), JSON.parse(before));

  await page.locator('[data-part="import"]').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  const message = page.locator('[data-part="message"]', { hasText: 'not a progress export' });
  await message.waitFor();
  assert.match(await message.innerText(), /^The file is not a progress export: .+ Your progress was not changed\.$/);
});

test('instructor notes are hidden from learners and shown in the instructor view, which is remembered', async () => {
  await page.goto(`${site.url}/lessons/${LESSON}/`);
  const notes = page.locator('.instructor-notes');
  assert.equal(await notes.isVisible(), false);
  await page.getByRole('button', { name: 'Instructor view' }).click();
  assert.equal(await notes.isVisible(), true);
  await page.reload();
  assert.equal(await notes.isVisible(), true);
  await page.getByRole('button', { name: 'Instructor view' }).click();
  assert.equal(await notes.isVisible(), false);
});

test('search on the static site finds a lesson by what it teaches', async () => {
  await page.goto(`${site.url}/`);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('textbox', { name: 'Search' }).fill('optimistic concurrency');
  const hit = page.locator(`.pagefind-ui__result-link[href^="/lessons/${LESSON}/"]`).first();
  await hit.waitFor({ timeout: 15_000 });
  assert.ok(await hit.isVisible());
});
