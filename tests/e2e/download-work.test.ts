/**
 * The lab page's instructor-facing tools, as a learner uses them: "Download my work" gives a zip
 * that the real grade command grades to the score Run showed; "Show solution" asks first.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { loadLab } from '../../src/labs/load-lab.ts';
import { labResult } from '../../src/schemas/lab-result.ts';
import { openLab, replaceFile, runTests } from './support/lab-page.ts';
import { useSiteAndBrowser } from './support/session.ts';

const LAB = 'event-sourcing';
const bundle = loadLab(LAB);
const session = useSiteAndBrowser();

async function freshPage(): Promise<Page> {
  const context = await session.browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await openLab(page, `${session.site.url}/labs/${LAB}/`);
  return page;
}

test('"Download my work" gives a zip the grader accepts as is, and it scores what Run showed', async () => {
  const page = await freshPage();
  // Part of the work done: the event store from the solution, the rest still the starter.
  await replaceFile(page, 'src/event-store.ts', bundle.solution!['src/event-store.ts']!);
  await runTests(page);
  const shown = await page.evaluate(() => (document.querySelector('lab-workbench') as unknown as { lastResult: { score: number; maxScore: number } }).lastResult);
  assert.ok(shown.score > 0 && shown.score < shown.maxScore, `a partial score: ${shown.score}`);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my work' }).click()]);
  assert.equal(download.suggestedFilename(), `${LAB}-work.zip`);
  const dir = mkdtempSync(join(tmpdir(), 'download-'));
  const zip = join(dir, download.suggestedFilename());
  await download.saveAs(zip);
  await page.context().close();

  const out = join(dir, 'result.json');
  const run = spawnSync(process.execPath, ['src/cli/grade.ts', LAB, '--submission', zip, '--json', out], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(run.status, 1, `graded below full marks: ${run.stdout}${run.stderr}`);
  assert.doesNotMatch(run.stderr, /note:/, 'the zip holds exactly the lab\'s files: nothing ignored, nothing missing');
  const graded = labResult.parse(JSON.parse(readFileSync(out, 'utf8')));
  assert.equal(graded.score, shown.score, 'the grader gives the score the page showed');
});

test('"Show solution" asks first, then shows the open file\'s solution, read-only', async () => {
  const page = await freshPage();
  const dialogs: string[] = [];
  let accept = false;
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void (accept ? dialog.accept() : dialog.dismiss());
  });
  const requested: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/solution.json')) requested.push(request.url());
  });
  await page.getByRole('button', { name: 'Show solution' }).click();
  assert.match(dialogs[0] ?? '', /^Try it yourself first/);
  assert.ok(await page.locator('[data-part=solution]').isHidden(), 'declined: nothing shown');
  assert.deepEqual(requested, [], 'declined: the solution is not even fetched');

  accept = true;
  await page.getByRole('button', { name: 'Show solution' }).click();
  const text = page.locator('[data-part=solution-text]');
  await text.waitFor();
  const first = bundle.manifest.files.editable[0]!;
  assert.equal(await text.textContent(), bundle.solution![first]);
  assert.match(await page.locator('[data-part=solution-title]').innerText(), new RegExp(`Reference solution: ${first}`));

  const second = bundle.manifest.files.editable[1]!;
  await page.locator(`[role=tab][data-path="${second}"]`).click();
  assert.equal(await text.textContent(), bundle.solution![second], 'follows the open file');
  assert.equal(await text.evaluate((el) => (el as HTMLElement).isContentEditable), false);
  await page.context().close();
});
