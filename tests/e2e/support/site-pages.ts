/**
 * The built site's pages and a way to visit many of them at once, for the checks that go over
 * every page (accessibility, overflow).
 */
import { readdirSync } from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';

export type Theme = 'light' | 'dark';

/** Every page of the built site, as a path: dist/labs/sagas/index.html is /labs/sagas/. */
export function builtPages(): string[] {
  const dist = process.env.SITE_DIR ?? 'dist';
  return readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((path) => path === 'index.html' || path.endsWith('/index.html'))
    .map((path) => `/${path.replace(/(^|\/)index\.html$/, '$1')}`)
    .sort();
}

export function labPages(): string[] {
  return builtPages().filter((path) => /^\/labs\/[^/]+\/$/.test(path));
}

/**
 * A context whose pages open in the given Starlight theme: the choice is in storage before the
 * page's first script reads it, and the system preference agrees, so nothing flips after load.
 */
export async function themedContext(browser: Browser, theme: Theme, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ colorScheme: theme, ...options });
  await context.addInitScript((chosen) => localStorage.setItem('starlight-theme', chosen), theme);
  return context;
}

/**
 * Runs `work` on every item with at most `limit` at a time, and returns the results in the
 * items' order. Every item is tried even when another throws; the first error is rethrown at the
 * end, so one broken page does not hide what the others show.
 */
export async function eachAtMost<T, R>(limit: number, items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const errors: unknown[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (errors.length > 0) throw errors[0];
  return results;
}

/**
 * Activates a button or tab from the keyboard, as a learner who tabs to it does: focus, then
 * Enter. These checks keep two pages busy at once, and a mouse click first waits for two
 * animation frames in which the target stands still; on a loaded machine, headless Chromium
 * has given a page no frame for longer than a click's time limit (a CI run failed so), while
 * focus and keys need none.
 */
export async function pressKey(target: Locator): Promise<void> {
  await target.press('Enter');
}

/**
 * Presses "Run tests" and waits for the final result, at any width: on a narrow screen the
 * button sits in the Code pane and the page may switch to Results when the run ends, so
 * neither step waits for the button to be visible.
 */
export async function runStarterAnyWidth(page: Page): Promise<void> {
  const code = page.getByRole('tab', { name: 'Code', exact: true });
  if (await code.isVisible().catch(() => false)) await pressKey(code);
  await pressKey(page.getByRole('button', { name: 'Run tests' }));
  await page.waitForSelector('lab-workbench[data-last-status]', { state: 'attached', timeout: 120_000 });
  await page.waitForSelector('[data-part=run]:not([disabled])', { state: 'attached', timeout: 30_000 });
}

/** The blocks that content-visibility: auto skips while they are off screen (course.css, lab-page.css). */
const SKIPPABLE_BLOCKS = '.sl-markdown-content > :not(.lab-layout), .lab-instructions > *';

/**
 * Keeps every block of the page's text laid out and painted, as they are for a learner who
 * scrolled through it. Off screen, content-visibility: auto skips them: axe cannot measure the
 * contrast of text that is not painted, and the blocks' containment would clip what spills out
 * of them instead of widening the page, where the overflow checks look. A lab's instructions are
 * scrolled through first, a screen at a time, so that the page's reactions to a block coming
 * into view have happened (a wide table takes the focus: scrollable-regions.ts).
 */
export async function showWholePage(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const pane = document.querySelector('.lab-instructions');
    if (!pane) return;
    // Two frames lay out what came into view. Chromium may stop calling frames for a page it
    // throttles (two pages at once on a loaded machine once hung a CI run here for 15 minutes),
    // so a timer ends the wait too.
    const frame = () =>
      new Promise((resolve) => {
        requestAnimationFrame(() => requestAnimationFrame(resolve));
        setTimeout(resolve, 250);
      });
    for (let top = 0; top < pane.scrollHeight; top += Math.max(200, pane.clientHeight)) {
      pane.scrollTo(0, top);
      await frame();
    }
    pane.scrollTo(0, 0);
    await frame();
  });
  await page.addStyleTag({ content: `:is(${SKIPPABLE_BLOCKS}) { content-visibility: visible !important; contain: none !important; }` });
}
