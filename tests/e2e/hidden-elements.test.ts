/**
 * What carries the `hidden` attribute is never seen: on every page of the built site, at a phone
 * and a desktop width, no element inside a hidden ancestor (or hidden itself) takes up space on
 * screen. A component rule that sets `display` used to beat the attribute (the full-environment
 * panel showed on every lab page before anything was opened).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { useSiteAndBrowser } from './support/session.ts';

const session = useSiteAndBrowser();

/** Every page of the built site, as a path: dist/labs/sagas/index.html is /labs/sagas/. */
function sitePages(): string[] {
  const dist = process.env.SITE_DIR ?? 'dist';
  return readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.html'))
    .map((path) => `/${path.replace(/(^|\/)index\.html$/, '$1').replace(/\.html$/, '')}`)
    .sort();
}

test('the built site has pages to check', () => {
  const pages = sitePages();
  assert.ok(pages.length >= 15, `only ${pages.length} pages found in the built site`);
  assert.ok(pages.some((p) => p.startsWith('/labs/')), 'no lab page among them');
});

for (const width of [390, 1280]) {
  test(`no element inside a hidden ancestor is visible, on any page, ${width} px wide`, async () => {
    const context = await session.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    try {
      for (const path of sitePages()) {
        await page.goto(`${session.site.url}${path}`);
        const shown = await page.evaluate(() =>
          [...document.querySelectorAll('[hidden]:not([hidden="until-found"])')]
            .flatMap((hidden) => [hidden, ...hidden.querySelectorAll('*')])
            .filter((element) => {
              const box = element.getBoundingClientRect();
              return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
            })
            .map((element) => `<${element.tagName.toLowerCase()}${element.className ? ` class="${String(element.className)}"` : ''}> "${(element.textContent ?? '').trim().slice(0, 60)}"`),
        );
        for (const element of [...new Set(shown)]) problems.push(`${path}: ${element}`);
      }
    } finally {
      await context.close();
    }
    assert.deepEqual(problems, [], `elements shown although a hidden ancestor should hide them:\n${problems.join('\n')}`);
  });
}
