/**
 * Every lab in labs/ can be found where a learner looks for it, in a real Chromium on the built
 * site: on its strategy's card on the home page, in the sidebar (desktop and phone), under its
 * lesson's title, and in its strategy's row of the progress page with the score kept for it.
 * What is expected comes from each labs/<id>/lab.json directly, not from the catalog that
 * builds those pages, so a lab whose id is not its lesson's slug (backup-recovery) is the test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { strategyByNumber } from '../../src/course/strategies.ts';
import { listLabIds } from '../../src/labs/list-labs.ts';
import { useSiteAndBrowser } from './support/session.ts';

const session = useSiteAndBrowser();

const labs = listLabIds().map((id, i) => {
  const manifest = JSON.parse(readFileSync(`labs/${id}/lab.json`, 'utf8')) as { strategy: number; title: string };
  // A different score per lab, so a score shown on the wrong row cannot pass for the right one.
  return { id, title: manifest.title, strategy: strategyByNumber(manifest.strategy), score: 41 + i };
});

test('there are labs to check, and one of them has an id that is not its lesson slug', () => {
  assert.ok(labs.length > 0, 'listLabIds() found no labs: this file would check nothing');
  assert.ok(labs.some((lab) => lab.id !== lab.strategy.slug), 'no lab id differs from its lesson slug, so this file would not catch a lookup by slug');
});

test('the home page links every lab from its strategy, and no strategy with a lab says "Lab coming"', async () => {
  const page = await session.browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(`${session.site.url}/`);
    for (const lab of labs) {
      const card = page.locator(`li.strategy[data-strategy="${lab.strategy.slug}"]`);
      const link = card.locator(`a[href="/labs/${lab.id}/"]`);
      assert.equal(await link.count(), 1, `strategy ${lab.strategy.number}'s card links to /labs/${lab.id}/`);
      assert.ok(await link.isVisible());
      assert.equal(await card.getByText('Lab coming').count(), 0, `strategy ${lab.strategy.number} has a lab, so it must not say "Lab coming"`);
      assert.equal((await page.request.get(`${session.site.url}/labs/${lab.id}/`)).status(), 200, `/labs/${lab.id}/ is a page`);
    }
    const withLabs = new Set(labs.map((lab) => lab.strategy.slug));
    for (const card of await page.locator('li.strategy').all()) {
      const slug = (await card.getAttribute('data-strategy'))!;
      if (!withLabs.has(slug)) assert.equal(await card.locator('a[href^="/labs/"]').count(), 0, `${slug} has no lab, so no lab link`);
    }
  } finally {
    await page.close();
  }
});

test('the sidebar lists every lab page, on a desktop and behind the menu on a phone', async () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    const page = await session.browser.newPage({ viewport });
    try {
      await page.goto(`${session.site.url}/course-map/`);
      if (viewport.width < 800) await page.getByRole('button', { name: 'Menu' }).click();
      const sidebar = page.getByRole('navigation', { name: 'Main' });
      for (const lab of labs) {
        const link = sidebar.locator(`a[href="/labs/${lab.id}/"]`);
        assert.equal(await link.count(), 1, `the sidebar lists /labs/${lab.id}/ at ${viewport.width} px`);
        assert.ok(await link.isVisible(), `the sidebar's link to ${lab.id} is visible at ${viewport.width} px`);
        assert.equal(await link.innerText(), `${lab.strategy.number}. ${lab.title}`);
      }
    } finally {
      await page.close();
    }
  }
});

test("each lab's lesson links to it under the title", async () => {
  const page = await session.browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    for (const lab of labs) {
      await page.goto(`${session.site.url}/lessons/${lab.strategy.slug}/`);
      assert.equal(await page.locator(`.lesson-intro a.lab-link[href="/labs/${lab.id}/"]`).count(), 1, `the lesson ${lab.strategy.slug} links to /labs/${lab.id}/`);
    }
  } finally {
    await page.close();
  }
});

test('the progress page shows each lab, with the score kept under its id, in its strategy row and nowhere else', async () => {
  const context = await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const at = '2026-01-05T10:00:00.000Z';
  const progress = { version: 1, lessons: {}, quizzes: {}, labs: Object.fromEntries(labs.map((lab) => [lab.id, { best: lab.score, max: 100, labVersion: 1, at }])) };
  await context.addInitScript((text) => localStorage.setItem('data-in-microservices:progress', text), JSON.stringify(progress));
  const page = await context.newPage();
  try {
    await page.goto(`${session.site.url}/progress/`);
    for (const lab of labs) {
      const cell = page.locator(`tr[data-strategy="${lab.strategy.slug}"] [data-cell="lab"]`);
      const link = cell.locator(`a[href="/labs/${lab.id}/"]`);
      assert.equal(await link.count(), 1, `strategy ${lab.strategy.number}'s row links to /labs/${lab.id}/`);
      assert.equal(await link.innerText(), `best ${lab.score} / 100`, `strategy ${lab.strategy.number}'s row shows the score kept for ${lab.id}`);
    }
    const shown = (await page.locator('[data-cell="lab"]').allInnerTexts()).filter((text) => /best/.test(text));
    assert.equal(shown.length, labs.length, `each score is shown once: ${JSON.stringify(shown)}`);
  } finally {
    await context.close();
  }
});
