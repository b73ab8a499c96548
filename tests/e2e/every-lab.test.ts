/**
 * Every lab, in a real Chromium against the built site: its lesson links to it, its page says
 * what CI checks beyond the page, and the site ships none of its CI-only checks. That its
 * starter falls short and its solution gets full points in the browser, test by test as in
 * Node, is conformance.test.ts; editing and pasting in the editor, workbench.test.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { strategyByNumber } from '../../src/course/strategies.ts';
import { listLabIds } from '../../src/labs/list-labs.ts';
import { loadLab } from '../../src/labs/load-lab.ts';
import { useSiteAndBrowser } from './support/session.ts';

const session = useSiteAndBrowser();

const labIds = listLabIds();

test('there are labs to check', () => {
  assert.ok(labIds.length > 0, 'listLabIds() found no labs: this file would check nothing');
});

/** Every text file of the built site, for checks of what it must not contain. */
function builtText(): string {
  const dist = process.env.SITE_DIR ?? 'dist';
  return readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((path) => /\.(html|js|mjs|json|txt)$/.test(path))
    .map((path) => readFileSync(join(dist, path), 'utf8'))
    .join('\n');
}

test("the site ships no lab's CI-only checks", () => {
  const site = builtText();
  let checked = 0;
  // Lines a CI file shares with files the site does ship, of its own lab or another (a shared
  // expect line, a common way to draw positions with gaps), prove nothing.
  const shipped = labIds
    .flatMap((id) => {
      const { manifest, tests, starter, solution, readme } = loadLab(id);
      return [readme, ...Object.values(starter), ...Object.values(solution ?? {}), ...Object.entries(tests).filter(([p]) => !manifest.ciTests.includes(p)).map(([, t]) => t)];
    })
    .join('\n');
  for (const id of labIds) {
    const { manifest, tests } = loadLab(id);
    for (const path of manifest.ciTests) {
      const distinctive = tests[path]!.split('\n').map((line) => line.trim()).filter((line) => line.length >= 40 && !shipped.includes(line));
      assert.ok(distinctive.length > 0, `${id}/${path} has no line long enough to look for`);
      for (const line of distinctive) assert.ok(!site.includes(line) && !site.includes(JSON.stringify(line).slice(1, -1)), `the site contains a line of ${id}/${path}: ${line}`);
      checked += 1;
    }
  }
  assert.ok(checked > 0, 'no lab has CI-only checks, so this test would check nothing');
});

for (const id of labIds) {
  const bundle = loadLab(id);
  const lesson = strategyByNumber(bundle.manifest.strategy);

  test(`${id}: the lesson links to the lab, and the lab page says what CI checks beyond the page`, async () => {
    const context = await session.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await page.goto(`${session.site.url}/lessons/${lesson.slug}/`);
      await page.locator(`a[href$="/labs/${id}/"]`, { hasText: 'Open the lab' }).first().click();
      await page.waitForURL(new RegExp(`/labs/${id}/$`));
      await page.waitForSelector('lab-workbench[data-ready]', { timeout: 60_000 });
      const ciNote = page.locator('[data-part=ci-note]');
      if (bundle.manifest.ciTests.length > 0) assert.match(await ciNote.innerText(), /graded in CI, some of these tests also try more inputs/);
      else assert.equal(await ciNote.count(), 0, 'no CI note for a lab without CI-only checks');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
}
