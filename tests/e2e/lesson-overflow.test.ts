/**
 * No reading page scrolls sideways, on a phone, a tablet or a laptop: wide tables, code and
 * diagrams must scroll or scale inside their own box. Lab pages have their own layout and their
 * own check (they change after a run), so they are left to the lab tests.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { builtPages, eachAtMost, showWholePage } from './support/site-pages.ts';
import { serveBuiltSite, type Site } from './support/site.ts';

const WIDTHS = [390, 768, 1280] as const;
const readingPages = builtPages().filter((path) => !path.startsWith('/labs/'));

let site: Site;
let browser: Browser;

before(async () => {
  site = await serveBuiltSite();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

interface Overflow {
  scrollWidth: number;
  innerWidth: number;
  /** The element reaching furthest right that nothing clips, as `tag.class (N px wide, reaching to R px)` with its ancestors. */
  widest: string | null;
}

/**
 * How far the page reaches past the viewport, and which element reaches furthest. Elements inside
 * an ancestor that clips or scrolls sideways are skipped: they are that ancestor's business, and
 * the ancestor itself is the one to name if it is too wide.
 */
function measureOverflow(page: Page): Promise<Overflow> {
  return page.evaluate(() => {
    const viewport = window.innerWidth;
    const clips = (element: Element) => getComputedStyle(element).overflowX !== 'visible';
    const name = (element: Element) => {
      const classes = [...element.classList].filter((c) => !c.startsWith('astro-')).join('.');
      return `${element.tagName.toLowerCase()}${classes ? `.${classes}` : ''}`;
    };
    let widest: { element: Element; right: number } | null = null;
    const walk = (element: Element) => {
      const rect = element.getBoundingClientRect();
      const root = element === document.documentElement || element === document.body;
      // Text that spills out of its box (a long word or URL) reaches as far as the box's content
      // does. Only for boxes that hold text themselves: an outer box's content is its children's.
      const holdsText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent!.trim() !== '');
      const reach = root || !holdsText || clips(element) ? rect.right : Math.max(rect.right, rect.left + element.scrollWidth);
      if (rect.width > 0 && reach > viewport + 0.5 && (!widest || reach > widest.right)) widest = { element, right: reach };
      if (!root && clips(element)) return;
      for (const child of element.children) walk(child);
    };
    walk(document.documentElement);
    let description: string | null = null;
    if (widest) {
      const { element, right } = widest as { element: Element; right: number };
      const path: string[] = [];
      for (let at: Element | null = element.parentElement; at && at !== document.body && path.length < 4; at = at.parentElement) path.push(name(at));
      description = `${name(element)} (${Math.round(element.getBoundingClientRect().width)} px wide, reaching to ${Math.round(right)} px), inside ${path.join(' < ') || 'body'}`;
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: viewport, widest: description };
  });
}

test('the check finds a page that scrolls sideways and names what widens it', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 900 } });
  try {
    await page.goto(`${site.url}${readingPages.find((path) => path.startsWith('/lessons/'))}`);
    assert.ok((await measureOverflow(page)).scrollWidth <= 390, 'the lesson fits before anything is planted');
    // A code line that does not scroll inside its own box, as a page would get it from a stray style.
    await page.evaluate(() => {
      const pre = document.createElement('pre');
      pre.className = 'planted-wide';
      pre.style.cssText = 'overflow: visible; width: max-content';
      pre.textContent = 'SELECT '.repeat(80);
      document.querySelector('main')!.append(pre);
    });
    const overflow = await measureOverflow(page);
    assert.ok(overflow.scrollWidth > overflow.innerWidth, 'the planted line widens the page');
    assert.match(overflow.widest ?? '', /^pre\.planted-wide \(\d+ px wide, reaching to \d+ px\), inside /);

    // Text that spills out of a box of the right width: the box is named, not its outer boxes.
    await page.evaluate(() => {
      document.querySelector('pre.planted-wide')!.remove();
      const line = document.createElement('p');
      line.className = 'planted-line';
      line.style.whiteSpace = 'nowrap';
      line.textContent = 'an unbreakable line of text '.repeat(20);
      document.querySelector('main')!.append(line);
    });
    const spilled = await measureOverflow(page);
    assert.ok(spilled.scrollWidth > spilled.innerWidth, 'the planted text widens the page');
    assert.match(spilled.widest ?? '', /^p\.planted-line \(\d+ px wide, reaching to \d+ px\), inside /);
  } finally {
    await page.close();
  }
});

/**
 * Lesson diagrams scale to their figure rather than scroll inside it: each keeps its viewBox (so
 * it scales), is no wider than its box, and keeps its aspect ratio (height follows width).
 */
function diagramFits(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<SVGSVGElement>('figure.diagram svg')].flatMap((svg) => {
      const label = svg.getAttribute('aria-labelledby')?.split(' ')[0] ?? svg.getAttribute('class') ?? 'svg';
      const box = svg.getBoundingClientRect();
      const frame = svg.closest('figure')!.getBoundingClientRect();
      const view = svg.viewBox.baseVal;
      if (!view || view.width === 0) return [`diagram ${label} has no viewBox, so it cannot scale`];
      const problems: string[] = [];
      if (box.width > frame.width + 0.5) problems.push(`diagram ${label} is ${Math.round(box.width)} px wide in a ${Math.round(frame.width)} px figure`);
      const expectedHeight = (box.width * view.height) / view.width;
      if (Math.abs(box.height - expectedHeight) > 1) problems.push(`diagram ${label} is ${Math.round(box.height)} px high, not ${Math.round(expectedHeight)} px: its aspect ratio is lost`);
      return problems;
    }),
  );
}

for (const width of WIDTHS) {
  test(`no reading page scrolls sideways at ${width} px, and its diagrams fit their boxes`, async () => {
    assert.ok(readingPages.length >= 10, `the built site has its lessons (found ${readingPages.join(', ')})`);
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const problems: string[] = [];
    try {
      await eachAtMost(4, readingPages, async (path) => {
        const page = await context.newPage();
        try {
          await page.goto(`${site.url}${path}`, { waitUntil: 'load' });
          await showWholePage(page);
          const overflow = await measureOverflow(page);
          if (overflow.scrollWidth > overflow.innerWidth) {
            problems.push(`${path}: the page is ${overflow.scrollWidth} px wide in a ${overflow.innerWidth} px viewport; widest: ${overflow.widest ?? 'no single element (margins or transforms)'}`);
          }
          for (const diagram of await diagramFits(page)) problems.push(`${path}: ${diagram}`);
        } finally {
          await page.close();
        }
      });
    } finally {
      await context.close();
    }
    assert.deepEqual(problems.sort(), [], problems.join('\n'));
  });
}
