/**
 * WCAG 2.1 AA by axe-core on the built site: every page in the light and the dark theme, and the
 * states a learner only reaches by pressing something (a lab after Run, the reset dialog, a
 * checked quiz, a console that answered). Those are where the colours of verdicts and marks
 * live, and an audit of pages as loaded never sees them. Serious and critical violations fail;
 * lesser ones are printed as diagnostics. Nothing is excluded, Monaco included: its colours come
 * from the theme this site gives it, so a token the learner cannot read is ours to fix.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { NodeResult, Result } from 'axe-core';
import type { Page } from 'playwright-core';
import { openLab } from './support/lab-page.ts';
import { useSiteAndBrowser } from './support/session.ts';
import { builtPages, eachAtMost, labPages, pressKey, runStarterAnyWidth, showWholePage, themedContext, type Theme } from './support/site-pages.ts';

const session = useSiteAndBrowser();
const THEMES: Theme[] = ['light', 'dark'];
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);
// Two cores: a third page at once only makes each audit slower.
const AT_ONCE = 2;
const LESSON = '/lessons/event-sourcing/';

interface Audit {
  where: string;
  violations: Result[];
  /** Why the page could not be audited at all. */
  error?: string;
}

/** Audits the page, or only `scope` when the rest of the page was audited a moment before. */
async function audit(page: Page, where: string, scope?: string): Promise<Audit> {
  // Legacy mode runs axe in the page itself instead of finishing each audit in a new blank page:
  // a quarter faster here, and the same result, as these pages have no cross-origin frame to reach.
  const builder = new AxeBuilder({ page }).withTags(WCAG_21_AA).setLegacyMode();
  if (scope) builder.include(scope);
  return { where, violations: (await builder.analyze()).violations };
}

/** What axe measured for a colour-contrast node: the ratio, the colours and the ratio required. */
function contrastOf(node: NodeResult): string {
  const data = [...node.any, ...node.all, ...node.none]
    .map((check) => check.data as Record<string, unknown> | null)
    .find((d) => d && typeof d === 'object' && 'contrastRatio' in d);
  if (!data) return '';
  return `contrast ${String(data.contrastRatio)}:1, needs ${String(data.expectedContrastRatio)}, ${String(data.fgColor)} on ${String(data.bgColor)}, ${String(data.fontSize)} ${String(data.fontWeight)}`;
}

/**
 * One paragraph per distinct violation, with the pages and states it was found in: the same
 * Starlight header on every page is one finding, not nineteen.
 */
function describe(audits: Audit[], keep: (v: Result) => boolean): string {
  const found = new Map<string, { violation: Result; where: string[] }>();
  for (const { where, violations } of audits) {
    for (const violation of violations.filter(keep)) {
      const key = `${violation.id}\n${violation.nodes.map((n) => `${n.html}${contrastOf(n)}`).join('\n')}`;
      const entry = found.get(key) ?? { violation, where: [] };
      entry.where.push(where);
      found.set(key, entry);
    }
  }
  const paragraphs = [...found.values()].map(({ violation: v, where }) => {
    const lines = [`${v.id} [${v.impact}] ${v.help}: ${v.nodes.length} element${v.nodes.length === 1 ? '' : 's'}, on ${where.join(', ')}`];
    for (const node of v.nodes.slice(0, 3)) {
      lines.push(`    ${node.target.join(' ')}${v.id === 'color-contrast' ? `\n      ${contrastOf(node)}` : ''}`);
      lines.push(`      ${node.html.replace(/\s+/g, ' ').slice(0, 240)}`);
    }
    if (v.id === 'color-contrast' && v.nodes.length > 3) {
      // The first three are often one colour pair repeated; every other pair is named once.
      const shown = new Set(v.nodes.slice(0, 3).map(pairOf));
      const others = [...new Set(v.nodes.slice(3).map(pairOf))].filter((pair) => !shown.has(pair));
      if (others.length > 0) lines.push(`    and further pairs: ${others.join('; ')}`);
    }
    return lines.join('\n');
  });
  return paragraphs.join('\n');
}

function pairOf(node: NodeResult): string {
  const data = [...node.any, ...node.all, ...node.none].map((c) => c.data as Record<string, unknown> | null).find((d) => d && typeof d === 'object' && 'contrastRatio' in d);
  const cls = /class="([^"]*)"/.exec(node.html)?.[1]?.split(/\s+/).find((c) => !c.startsWith('astro-')) ?? node.html.slice(0, 30);
  return data ? `${String(data.contrastRatio)}:1 ${String(data.fgColor)} on ${String(data.bgColor)} (.${cls})` : cls;
}

function report(t: TestContext, audits: Audit[]): void {
  const lesser = describe(audits, (v) => !BLOCKING.has(v.impact ?? ''));
  if (lesser) t.diagnostic(`moderate and minor findings (not failing):\n${lesser}`);
  const broken = audits.filter((a) => a.error).map((a) => `${a.where}: could not be audited: ${a.error}`);
  const blocking = describe(audits, (v) => BLOCKING.has(v.impact ?? ''));
  assert.ok(!blocking && broken.length === 0, [...broken, blocking && `serious or critical WCAG 2.1 AA violations:\n${blocking}`].filter(Boolean).join('\n'));
}

/** The theme the page shows, so an audit never passes by having looked at the other theme. */
async function assertTheme(page: Page, theme: Theme, where: string): Promise<void> {
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme, `${where} is not in the ${theme} theme`);
}

/** A fresh page in the theme, with native dialogs dismissed so a confirm() never hangs a test. */
async function themedPage(theme: Theme): Promise<Page> {
  const context = await themedContext(session.browser, theme, { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.dismiss());
  return page;
}

/**
 * An error's first line and, for a Playwright action that timed out, the last lines of its call
 * log, which say what it was waiting for (not visible, not stable, covered by another element).
 */
function whatWentWrong(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const [first, ...rest] = error.message.split('\n');
  const log = rest.map((line) => line.trim()).filter((line) => line && !line.startsWith('='));
  return [first, ...log.slice(-4)].join('\n    ');
}

/** Runs `work` on a fresh page; a page that breaks becomes an audit that says so, beside the others' findings. */
async function onThemedPage(theme: Theme, where: string, work: (page: Page) => Promise<Audit[]>): Promise<Audit[]> {
  const page = await themedPage(theme);
  try {
    return await work(page);
  } catch (error) {
    return [{ where, violations: [], error: `${whatWentWrong(error)} (the page was ${await page.evaluate(() => document.visibilityState).catch(() => 'gone')})` }];
  } finally {
    await page.context().close();
  }
}

test('the built site has pages and lab pages to audit', () => {
  assert.ok(builtPages().length >= 15, `only ${builtPages().length} pages in the built site`);
  assert.ok(labPages().length >= 1, 'no lab page in the built site');
});

/**
 * Switches the theme with Starlight's own picker, as a learner does. The picker is out of reach
 * while a modal dialog is open, so the dialog is closed first and opened again after.
 */
async function chooseTheme(page: Page, theme: Theme, where: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Select theme' }).first().selectOption(theme);
  await assertTheme(page, theme, where);
}

test('every lab page as loaded, after a Run of its starter, and with the reset dialog open, in the light and the dark theme', async (t) => {
  // One run per lab, its results audited in both themes: a run costs far more than a theme switch.
  const audits = await eachAtMost(AT_ONCE, labPages(), (path) =>
    onThemedPage('light', path, async (page) => {
      await openLab(page, `${session.site.url}${path}`);
      await showWholePage(page);
      await assertTheme(page, 'light', path);
      const found = [await audit(page, `${path} (light)`)];
      await chooseTheme(page, 'dark', path);
      found.push(await audit(page, `${path} (dark)`));
      await runStarterAnyWidth(page);
      found.push(await audit(page, `${path} after Run (dark)`));
      await chooseTheme(page, 'light', path);
      found.push(await audit(page, `${path} after Run (light)`));

      let nativeConfirm = false;
      page.on('dialog', () => {
        nativeConfirm = true;
      });
      for (const theme of THEMES) {
        await chooseTheme(page, theme, path);
        await pressKey(page.getByRole('button', { name: 'Reset to starter' }));
        const opened = await page.waitForSelector('dialog[open]', { state: 'visible', timeout: 5_000 }).then(
          () => true,
          () => false,
        );
        if (!opened) {
          // Dismissing the browser's own confirm() leaves the page as it was audited just before.
          t.diagnostic(`${path}: no page dialog opened${nativeConfirm ? '; the browser confirm() did, and was dismissed' : ''}`);
          break;
        }
        found.push(await audit(page, `${path} reset dialog (${theme})`, 'dialog[open]'));
        await page.keyboard.press('Escape');
        await page.waitForSelector('dialog[open]', { state: 'detached', timeout: 5_000 });
      }
      return found;
    }),
  );
  report(t, audits.flat());
});

for (const theme of THEMES) {
  test(`every page but the labs, as loaded, ${theme} theme`, async (t) => {
    const pages = builtPages().filter((path) => !labPages().includes(path));
    const audits = await eachAtMost(AT_ONCE, pages, (path) =>
      onThemedPage(theme, `${path} (${theme})`, async (page) => {
        await page.goto(`${session.site.url}${path}`);
        await showWholePage(page);
        await assertTheme(page, theme, path);
        return [await audit(page, `${path} (${theme})`)];
      }),
    );
    report(t, audits.flat());
  });

  test(`a quiz after Check with right and wrong answers chosen, ${theme} theme`, async (t) => {
    const found = await onThemedPage(theme, `${LESSON} quiz (${theme})`, async (page) => {
      await page.goto(`${session.site.url}${LESSON}`);
      const quiz = page.locator('lesson-quiz');
      const questions = await quiz.locator('.quiz-question').all();
      assert.ok(questions.length >= 2, `${LESSON} has no quiz to check`);
      // Right answers in even questions and a wrong one in odd questions, so every kind of mark shows.
      for (const [n, question] of questions.entries()) {
        const option = question.locator(`.quiz-option[data-correct="${n % 2 === 0}"] input`).first();
        if ((await option.count()) > 0) await option.check();
      }
      await quiz.getByRole('button', { name: 'Check my answers' }).click();
      await quiz.locator('.quiz-score').filter({ hasText: /\S/ }).waitFor();
      await assertTheme(page, theme, LESSON);
      return [await audit(page, `${LESSON} quiz checked (${theme})`, 'lesson-quiz')];
    });
    report(t, found);
  });

  test(`a SQL console after a query and after a database error, ${theme} theme`, async (t) => {
    const found = await onThemedPage(theme, `${LESSON} console (${theme})`, async (page) => {
      await page.goto(`${session.site.url}${LESSON}`);
      const sqlConsole = page.locator('sql-console').first();
      const scope = `sql-console[data-console-id="${await sqlConsole.getAttribute('data-console-id')}"]`;
      await sqlConsole.getByRole('button', { name: 'Open the SQL console' }).click();
      await page.waitForSelector(`${scope}[data-ready]`, { timeout: 30_000 });
      await sqlConsole.locator('textarea').fill('SELECT 6 * 7 AS answer, now() AS asked_at');
      await sqlConsole.locator('textarea').press('Control+Enter');
      await sqlConsole.locator('.console-output th', { hasText: 'answer' }).waitFor();
      await assertTheme(page, theme, LESSON);
      const answered = await audit(page, `${LESSON} console answered (${theme})`, scope);
      await sqlConsole.locator('textarea').fill('SELEC nonsense');
      await sqlConsole.locator('textarea').press('Control+Enter');
      await sqlConsole.locator('.console-error').waitFor();
      return [answered, await audit(page, `${LESSON} console error (${theme})`, scope)];
    });
    report(t, found);
  });
}
