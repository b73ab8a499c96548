/**
 * The full environment (WebContainer) when it cannot start, in a real Chromium against the built
 * site. StackBlitz is made unreachable (every request to its hosts is aborted), so the result is
 * the same on a machine with internet; nothing here claims that a boot succeeds.
 *
 * The page reads `?wc-boot-timeout-ms=N` as its boot time limit (45 s otherwise), so the fallback
 * shows in seconds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { loadLab } from '../../src/labs/load-lab.ts';
import { openLab, replaceFile, runTests } from './support/lab-page.ts';
import { useSiteAndBrowser } from './support/session.ts';

const BOOT_LIMIT_MS = 3000;
const bundle = loadLab('event-sourcing');

const session = useSiteAndBrowser();

const isStackBlitz = (url: URL) => /stackblitz|webcontainer|staticblitz/.test(url.hostname);

/** A context where StackBlitz's hosts cannot be reached; `blocked` collects what was refused. */
async function offlineFromStackBlitz(blocked: string[]): Promise<BrowserContext> {
  const context = await session.browser.newContext({ viewport: { width: 1400, height: 1000 }, permissions: ['clipboard-read', 'clipboard-write'] });
  await context.route(isStackBlitz, (route) => {
    blocked.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  return context;
}

/** Remembers which of the full environment's pieces the page has loaded so far. */
function watchDownloads(page: Page): { xterm: boolean; webcontainerApi: boolean; panelCode: boolean } {
  const seen = { xterm: false, webcontainerApi: false, panelCode: false };
  page.on('response', (response: Response) => {
    const url = response.url();
    if (/xterm|addon-fit/.test(url)) seen.xterm = true;
    if (/full-environment/.test(url)) seen.panelCode = true;
    // The API's chunk has no telling name; its code does.
    if (url.endsWith('.js')) {
      void response.text().then(
        (body) => {
          if (body.includes('WEBCONTAINER_API_IFRAME_URL')) seen.webcontainerApi = true;
        },
        () => undefined,
      );
    }
  });
  return seen;
}

async function editorText(page: Page): Promise<string> {
  return (await page.locator('.monaco-editor .view-lines').innerText()).replaceAll('\u00a0', ' ');
}

test('StackBlitz unreachable: the page says so within the limit, keeps the edits, and Run still works in the worker', async () => {
  const blocked: string[] = [];
  const context = await offlineFromStackBlitz(blocked);
  const page = await context.newPage();
  const downloads = watchDownloads(page);
  await openLab(page, `${session.site.url}/labs/event-sourcing/?wc-boot-timeout-ms=${BOOT_LIMIT_MS}`);
  await page.waitForLoadState('networkidle');

  assert.deepEqual(downloads, { xterm: false, webcontainerApi: false, panelCode: false }, 'nothing of the full environment loads before the button is pressed');

  const mine = `// my attempt, before the full environment\n${bundle.starter['src/event-store.ts']}`;
  await replaceFile(page, 'src/event-store.ts', mine);

  const pressed = Date.now();
  await page.getByRole('button', { name: 'Open full environment' }).click();
  const notice = page.locator('[data-fe="notice"][role="alert"]');
  await notice.waitFor({ state: 'visible', timeout: BOOT_LIMIT_MS + 10_000 });
  const waited = Date.now() - pressed;
  assert.ok(waited < BOOT_LIMIT_MS + 10_000, `the notice took ${waited} ms`);

  const text = await notice.innerText();
  assert.match(text, /did not start within 3 seconds/);
  assert.match(text, /StackBlitz/);
  assert.match(text, /Check your connection/);
  assert.match(text, /reload the page/);
  assert.match(text, /Your work is saved in this browser/);
  assert.match(text, /Run tests keeps working in this page/);
  assert.ok(await page.getByRole('button', { name: 'Reload the page' }).isVisible());
  assert.equal(await page.locator('.fe-steps li[data-state="failed"]').innerText(), 'Starting the environment');

  assert.ok(downloads.xterm && downloads.webcontainerApi && downloads.panelCode, 'pressing the button loads the terminal and the WebContainer API');
  assert.ok(blocked.some((url) => new URL(url).hostname.endsWith('stackblitz.com')), 'the boot did try StackBlitz');

  assert.equal(await page.locator('lab-workbench').getAttribute('data-runtime'), 'worker');
  await page.locator('[role=tab][data-path="src/event-store.ts"]').click();
  assert.ok((await editorText(page)).includes('my attempt, before the full environment'), 'the edit is still in the editor');

  const total = await runTests(page);
  const score = Number(/^(\d+) \/ 100 points/.exec(total)?.[1]);
  assert.ok(score < 100, `the starter scores below 100 in the worker (got "${total}")`);
  assert.equal(await page.evaluate(() => (document.querySelector('lab-workbench') as unknown as { lastResult?: { runtime: string } }).lastResult?.runtime), 'worker');
  assert.ok((await editorText(page)).includes('my attempt, before the full environment'), 'the edit survives the run');

  // The run showed its results in the Results tab; the environment is still in the Terminal tab.
  assert.equal(await page.getByRole('tab', { name: 'Results', exact: true }).getAttribute('aria-selected'), 'true');
  await page.getByRole('tab', { name: 'Terminal', exact: true }).click();
  await page.getByRole('button', { name: 'Back to the in-page runner' }).click();
  assert.ok(await page.getByRole('button', { name: 'Open full environment' }).isVisible());
  assert.ok(await page.getByRole('tab', { name: 'Terminal', exact: true }).isHidden(), 'no Terminal tab without the environment');
  await context.close();
});

test('a page without cross-origin isolation says so at once and loads no WebContainer code', async () => {
  const blocked: string[] = [];
  const context = await offlineFromStackBlitz(blocked);
  const page = await context.newPage();
  // Serve the lab page as a host without the headers would: no COEP, so no isolation.
  await page.route(`${session.site.url}/labs/event-sourcing/`, async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  const downloads = watchDownloads(page);
  await openLab(page, `${session.site.url}/labs/event-sourcing/`);
  assert.equal(await page.evaluate(() => crossOriginIsolated), false);

  await page.getByRole('button', { name: 'Open full environment' }).click();
  const notice = page.locator('[data-fe="notice"][role="alert"]');
  await notice.waitFor({ state: 'visible', timeout: 5000 });
  assert.match(await notice.innerText(), /served without the security headers .*cross-origin isolation.*the README lists/s);
  assert.equal(downloads.webcontainerApi, false);
  assert.deepEqual(blocked, [], 'StackBlitz was never contacted');
  assert.equal(await page.locator('lab-workbench').getAttribute('data-runtime'), 'worker');
  await context.close();
});
