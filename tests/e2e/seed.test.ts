/**
 * The Seed field beside Run: labelled, a typed seed is the run's seed and the results say so,
 * an empty one draws a seed the results show, a seed in a failure's message runs again with it,
 * and what is no seed is refused with a reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { LabResult } from '../../src/schemas/lab-result.ts';
import { openLab, runTests } from './support/lab-page.ts';
import { useSiteAndBrowser } from './support/session.ts';

const session = useSiteAndBrowser();

async function freshPage(): Promise<Page> {
  const context = await session.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await openLab(page, `${session.site.url}/labs/event-sourcing/`);
  return page;
}

test('the Seed field is beside Run, labelled and described; a typed seed is the one the results show', async () => {
  const page = await freshPage();
  try {
    const field = page.getByRole('textbox', { name: 'Seed' });
    assert.equal(await field.count(), 1, 'one text field labelled "Seed"');
    assert.match((await field.getAttribute('aria-describedby')) ?? '', /\S/);
    const description = await page.locator(`#${await field.getAttribute('aria-describedby')}`).textContent();
    assert.match(description ?? '', /Empty: a new random seed on each run/);
    // Beside Run: in the same row of actions.
    const sameRow = await page.evaluate(() => {
      const seed = document.querySelector('[data-part=seed]')!;
      const run = document.querySelector('[data-part=run]')!;
      return seed.closest('.wb-toolbar') !== null && seed.closest('.wb-toolbar') === run.closest('.wb-toolbar');
    });
    assert.ok(sameRow, 'the Seed field sits in the row of the Run button');

    await field.fill('4242');
    await runTests(page);
    assert.equal((await page.locator('.results-seed').innerText()).trim(), 'Seed 4242 (from the Seed field).');
    assert.equal(await page.locator('lab-workbench').getAttribute('data-last-seed'), '4242');
  } finally {
    await page.context().close();
  }
});

test('an empty field draws a new seed, which the results show; a seed in a message runs again with it', async () => {
  const page = await freshPage();
  try {
    await runTests(page);
    const line = (await page.locator('.results-seed').innerText()).trim();
    const drawn = /^Seed (\d+) \(drawn at random; type it in the Seed field to run the same fault schedules again\)\.$/.exec(line);
    assert.ok(drawn, line);
    assert.equal(await page.locator('lab-workbench').getAttribute('data-last-seed'), drawn[1]);

    // A failure under a fault schedule names its seed (withSeed's note): shown as a button.
    await page.evaluate(() => {
      const workbench = document.querySelector('lab-workbench') as HTMLElement & { lastResult: LabResult; showResult(result: LabResult): void };
      const result = workbench.lastResult;
      const failed = result.tests.find((t) => t.status !== 'pass')!;
      failed.status = 'fail';
      failed.message = 'the balance\nexpected: 1500\nreceived: 1800\nFault seed 31337; to replay it, run with seed 31337: `npm run grade -- event-sourcing --seed 31337`, or type 31337 in the Seed field beside Run';
      workbench.showResult(result);
    });
    const replay = page.getByRole('button', { name: 'Run again with seed 31337' });
    assert.equal(await replay.count(), 1);
    await replay.click();
    assert.equal(await page.getByRole('textbox', { name: 'Seed' }).inputValue(), '31337');
    await page.waitForSelector('lab-workbench[data-last-status]', { timeout: 120_000 });
    await page.waitForSelector('[data-part=run]:not([disabled])');
    assert.equal((await page.locator('.results-seed').innerText()).trim(), 'Seed 31337 (from the Seed field).');
  } finally {
    await page.context().close();
  }
});

test('what is no seed is refused with the reason, and nothing runs', async () => {
  const page = await freshPage();
  try {
    const field = page.getByRole('textbox', { name: 'Seed' });
    for (const bad of ['abc', '4294967296', '-1']) {
      await field.fill(bad);
      await page.getByRole('button', { name: 'Run tests' }).click();
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      assert.match(await page.locator('.wb-notice').last().innerText(), new RegExp(`^The seed must be a whole number from 0 to 4294967295, or empty for a random one; "${bad}" is not\\.$`));
    }
    assert.equal(await page.locator('.results-total').count(), 0, 'no run started');
    await field.fill('7');
    assert.equal(await field.getAttribute('aria-invalid'), null, 'typing again clears the mark');
  } finally {
    await page.context().close();
  }
});
