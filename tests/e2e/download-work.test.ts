/**
 * The lab page's instructor-facing tools, as a learner uses them: "Download my work" gives a zip
 * that the real grade command grades to the score Run showed; "Compare with solution" asks first
 * and replaces nothing.
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

test('"Compare with solution" asks in the page\'s own dialog, then shows my file beside the solution, and changes nothing', async () => {
  const page = await freshPage();
  const requested: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/solution.json')) requested.push(request.url());
  });
  const first = bundle.manifest.files.editable[0]!;
  const mine = `// my own attempt\n${bundle.starter[first]}`;
  await replaceFile(page, first, mine);

  await page.getByRole('button', { name: 'Compare with solution' }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare with the reference solution?' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Try it yourself first/);
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Keep trying', 'focus starts on the safe choice');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.ok(await page.locator('[data-part=compare]').isHidden(), 'declined: nothing shown');
  assert.deepEqual(requested, [], 'declined: the solution is not even fetched');

  await page.getByRole('button', { name: 'Compare with solution' }).click();
  await dialog.getByRole('button', { name: 'Compare anyway' }).click();
  const compare = page.locator('[data-part=compare]');
  await compare.locator('.monaco-diff-editor .editor.modified .view-lines').waitFor();
  const side = (which: string) => compare.locator(`.monaco-diff-editor .editor.${which} .view-lines`).innerText().then((t) => t.replaceAll('\u00a0', ' '));
  const firstSolutionLine = bundle.solution![first]!.split('\n').find((line) => line.trim())!.trim();
  await page.waitForFunction((line) => (document.querySelector('[data-part=compare] .editor.modified .view-lines')?.textContent ?? '').replaceAll('\u00a0', ' ').includes(line), firstSolutionLine);
  assert.match(await side('original'), /my own attempt/, 'left: my file as it is now');
  assert.doesNotMatch(await side('modified'), /my own attempt/, 'right: the solution');
  assert.match(await page.locator('[data-part=compare-title]').innerText(), new RegExp(`Your ${first} and the reference solution`));

  const second = bundle.manifest.files.editable[1]!;
  await page.locator('[data-part=compare-file]').selectOption(second);
  const secondSolutionLine = bundle.solution![second]!.split('\n').find((line) => line.trim())!.trim();
  await page.waitForFunction((line) => (document.querySelector('[data-part=compare] .editor.modified .view-lines')?.textContent ?? '').replaceAll('\u00a0', ' ').includes(line), secondSolutionLine);

  await page.getByRole('button', { name: 'Close' }).click();
  assert.ok(await compare.isHidden());
  const files = await page.evaluate(() => (document.querySelector('lab-workbench') as unknown as { currentFiles(): Record<string, string> }).currentFiles());
  assert.equal(files[first], mine, 'my file is as I left it');
  await page.context().close();
});
