/**
 * No lab page is wider than the screen, at a phone's, a tablet's and a laptop's width, before
 * and after a run of its starter: the starter's failures carry long messages, stack lines and
 * values, which once pushed the page to 1,455 px at a 1,280 px viewport. On a narrow screen
 * each of the workspace's panes (Instructions, Code, Results) is looked at in turn.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { openLab } from './support/lab-page.ts';
import { useSiteAndBrowser } from './support/session.ts';
import { eachAtMost, labPages, pressKey, runStarterAnyWidth, showWholePage } from './support/site-pages.ts';

const session = useSiteAndBrowser();
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 768, height: 1024 },
  { width: 1280, height: 900 },
];
const PANES = ['Instructions', 'Code', 'Results'];
// Two cores: a third page at once only makes each run slower.
const AT_ONCE = 2;

interface Overflow {
  scrollWidth: number;
  innerWidth: number;
  widest: { tag: string; className: string; part: string; within: string; right: number; width: number; spills: boolean }[];
}

/**
 * How far the page reaches past the viewport, and the elements that reach furthest, deepest
 * first. An element's reach is its box or, when its content spills out of it (a long word in a
 * narrow paragraph), its content's. Something inside a scroll or clip box that itself ends within
 * the viewport does not widen the page, so it is left out: the list names what to fix.
 */
function measureOverflow(page: Page): Promise<Overflow | null> {
  return page.evaluate(() => {
    const viewport = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth <= viewport) return null;
    const within = (right: number) => right <= viewport + 0.5;
    const contained = (element: Element) => {
      for (let box = element.parentElement; box && box !== document.documentElement; box = box.parentElement) {
        if (getComputedStyle(box).overflowX !== 'visible' && within(box.getBoundingClientRect().right + window.scrollX)) return true;
      }
      return false;
    };
    const depth = (element: Element) => {
      let n = 0;
      for (let e: Element | null = element; e; e = e.parentElement) n++;
      return n;
    };
    const widest = [...document.body.querySelectorAll('*')]
      .map((element) => {
        const box = element.getBoundingClientRect();
        const left = box.left + window.scrollX;
        const spills = getComputedStyle(element).overflowX === 'visible' && element.scrollWidth > element.clientWidth + 1 && element.clientWidth > 0;
        const right = Math.max(box.right + window.scrollX, spills ? left + element.scrollWidth : 0);
        return { element, box, right, spills };
      })
      .filter(({ element, box, right }) => box.width > 0 && !within(right) && !contained(element))
      .sort((a, b) => Math.round(b.right) - Math.round(a.right) || depth(b.element) - depth(a.element))
      .slice(0, 6)
      .map(({ element, box, right, spills }) => ({
        tag: element.tagName.toLowerCase(),
        className: typeof element.className === 'string' ? element.className : '',
        part: element.getAttribute('data-part') ?? '',
        within: element.parentElement?.closest('[data-part]')?.getAttribute('data-part') ?? '',
        right: Math.round(right),
        width: Math.round(box.width),
        spills,
      }));
    return { scrollWidth, innerWidth: viewport, widest };
  });
}

function describe(where: string, overflow: Overflow): string {
  const elements = overflow.widest.map(
    (e) =>
      `    <${e.tag}${e.className ? ` class="${e.className}"` : ''}${e.part ? ` data-part="${e.part}"` : ''}>${e.within ? ` in [data-part="${e.within}"]` : ''}: ${e.spills ? 'its content reaches' : 'right edge at'} ${e.right} px, the box is ${e.width} px wide`,
  );
  return [`${where}: the page is ${overflow.scrollWidth} px wide in a ${overflow.innerWidth} px viewport; widest elements:`, ...elements].join('\n');
}

/** The page, and on a narrow screen each pane its tabs show, as `where` labels with their overflow. */
async function overflowsOf(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  const whole = await measureOverflow(page);
  if (whole) found.push(describe(where, whole));
  for (const name of PANES) {
    const tab = page.getByRole('tab', { name, exact: true });
    if (!(await tab.isVisible().catch(() => false))) continue;
    await pressKey(tab);
    const pane = await measureOverflow(page);
    if (pane) found.push(describe(`${where}, ${name} pane`, pane));
  }
  return found;
}

test('the built site has lab pages to check', () => {
  assert.ok(labPages().length >= 1, 'no lab page in the built site');
});

/** The page at each width in turn, the same page resized: what a run left on screen is measured at every width. */
async function overflowsAtEachWidth(page: Page, path: string, when: string): Promise<string[]> {
  const found: string[] = [];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    found.push(...(await overflowsOf(page, `${path} at ${viewport.width} px, ${when}`)));
  }
  return found;
}

test(`no lab page is wider than the screen at ${VIEWPORTS.map((v) => v.width).join(', ')} px, before or after a run of its starter`, async () => {
  // One run per lab, its results then looked at in every width: a run costs far more than a resize.
  const perLab = await eachAtMost(AT_ONCE, labPages(), async (path) => {
    const context = await session.browser.newContext({ viewport: VIEWPORTS[VIEWPORTS.length - 1] });
    const page = await context.newPage();
    const found: string[] = [];
    try {
      await openLab(page, `${session.site.url}${path}`);
      await showWholePage(page);
      found.push(...(await overflowsAtEachWidth(page, path, 'before a run')));
      await runStarterAnyWidth(page);
      found.push(...(await overflowsAtEachWidth(page, path, 'after a run of the starter')));
    } catch (error) {
      // One lab that cannot be run still lets the others show their overflow.
      found.push(`${path}: could not be checked: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    } finally {
      await context.close();
    }
    return found;
  });
  const problems = perLab.flat();
  assert.ok(problems.length === 0, `horizontal overflow:\n${problems.join('\n')}`);
});

test('the home page is no wider than the screen at any of the widths', async () => {
  const problems: string[] = [];
  const context = await session.browser.newContext();
  const page = await context.newPage();
  try {
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await page.goto(`${session.site.url}/`);
      const overflow = await measureOverflow(page);
      if (overflow) problems.push(describe(`/ at ${viewport.width} px`, overflow));
    }
  } finally {
    await context.close();
  }
  assert.ok(problems.length === 0, `horizontal overflow:\n${problems.join('\n')}`);
});
