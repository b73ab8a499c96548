/**
 * What a lesson page offers beyond its text, in a real Chromium on the built site: the live SQL
 * console, the quiz and the progress it records, progress export and import, instructor notes,
 * and search.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import yaml from 'js-yaml';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SqlConsole } from '../../src/schemas/sql-console.ts';
import { launchChromium } from './support/browser.ts';
import { serveBuiltSite, type Site } from './support/site.ts';

const LESSON = 'event-sourcing';
const consoleDefinition = yaml.load(readFileSync(`src/content/consoles/${LESSON}.yaml`, 'utf8')) as SqlConsole;

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;

before(async () => {
  site = await serveBuiltSite();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  await page.goto(`${site.url}/lessons/${LESSON}/`);
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

test('the SQL console opens on demand, runs a suggested query into a table, and shows database errors', async () => {
  const sqlConsole = page.locator('sql-console');
  await sqlConsole.getByRole('button', { name: 'Open the SQL console' }).click();
  await page.waitForSelector('sql-console[data-ready]', { timeout: 30_000 });
  await sqlConsole.locator('[data-query="0"]').click();
  await sqlConsole.locator('.console-output table').waitFor();
  assert.ok((await sqlConsole.locator('.console-output tbody tr').count()) > 0, 'the first suggested query returns rows');
  assert.equal(await sqlConsole.locator('.console-note').innerText(), consoleDefinition.queries[0]!.note.trim());

  const failing = consoleDefinition.queries.findIndex((q) => q.expectError);
  if (failing >= 0) {
    await sqlConsole.locator(`[data-query="${failing}"]`).click();
    await sqlConsole.locator('.console-error').waitFor();
    assert.match(await sqlConsole.locator('.console-error').innerText(), /^ERROR: \S/);
  }
  await sqlConsole.locator('textarea').fill('SELECT 6 * 7 AS answer');
  await sqlConsole.locator('textarea').press('Control+Enter');
  await sqlConsole.locator('.console-output th', { hasText: 'answer' }).waitFor();
  assert.equal(await sqlConsole.locator('.console-output td').first().innerText(), '42');
  await sqlConsole.locator('textarea').fill('SELEC nonsense');
  await sqlConsole.getByRole('button', { name: /^Run/ }).click();
  await sqlConsole.locator('.console-error', { hasText: 'syntax error' }).waitFor();
});

test('a SQLite console (sql.js) runs in its own worker, and SQLite errors show as such', async () => {
  const sqlite = await browser.newPage();
  await sqlite.goto(`${site.url}/lessons/polyglot-persistence/`);
  const selector = 'sql-console[data-console-id="polyglot-persistence--inventory"]';
  const inventory = sqlite.locator(selector);
  await inventory.getByRole('button', { name: 'Open the SQL console' }).click();
  await sqlite.waitForSelector(`${selector}[data-ready]`, { timeout: 30_000 });
  // Clicking a suggestion starts the run at once; the status line says when it has finished.
  const runSuggested = async (index: number) => {
    await inventory.locator(`[data-query="${index}"]`).click();
    await inventory.locator('[data-part="status"]', { hasText: /^(Done|The database answered)/ }).waitFor();
  };
  await runSuggested(1);
  await runSuggested(1);
  assert.deepEqual(await inventory.locator('.console-output tbody td').allInnerTexts(), ['MUG-BLUE', '40', '2'], 'a repeated reservation is counted once');
  await runSuggested(5);
  assert.match(await inventory.locator('.console-error').innerText(), /^ERROR: near "GRANT": syntax error/);
  await sqlite.close();
});

test('the quiz explains every option after checking, and its score lands in the progress page', async () => {
  const quiz = page.locator('lesson-quiz');
  const questions = await quiz.locator('.quiz-question').count();
  assert.ok(questions >= 5);
  for (const option of await quiz.locator('.quiz-option[data-correct="true"] input').all()) await option.check();
  await quiz.getByRole('button', { name: 'Check my answers' }).click();
  assert.equal(await quiz.locator('.quiz-score').innerText(), `${questions} of ${questions} right.`);
  const explanations = quiz.locator('.quiz-explanation');
  for (let i = 0; i < (await explanations.count()); i++) assert.ok(await explanations.nth(i).isVisible(), 'every option shows its explanation');

  await page.goto(`${site.url}/progress/`);
  const row = page.locator(`tr[data-strategy="${LESSON}"]`);
  assert.equal(await row.locator('[data-cell="quiz"]').innerText(), `best ${questions} / ${questions}, last ${questions} / ${questions}`);
});

/** WCAG's contrast ratio of `property` on `selector` against the first opaque background behind it. */
function contrastOf(page: Page, selector: string, property: 'color' | 'stroke' | 'border-left-color' | 'border-top-color'): Promise<number> {
  return page.locator(selector).first().evaluate((element, prop) => {
    const rgb = (css: string) => {
      const parts = css.match(/rgba?\(([^)]+)\)/)?.[1]?.split(/[\s,/]+/).filter(Boolean).map(Number);
      if (!parts) throw new Error(`not an rgb() colour: ${css}`);
      return parts;
    };
    const luminance = ([r, g, b]: number[]) =>
      [r!, g!, b!].map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4)).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
    const colour = rgb(getComputedStyle(element).getPropertyValue(prop));
    // A border is drawn on the parent's background; text and icons on their own element's.
    let at: Element | null = prop.startsWith('border') ? element.parentElement : element;
    let background = [255, 255, 255];
    for (; at; at = at.parentElement) {
      const bg = rgb(getComputedStyle(at).backgroundColor);
      if ((bg[3] ?? 1) > 0) {
        background = bg;
        break;
      }
    }
    const [light, dark] = [luminance(colour), luminance(background)].sort((a, b) => b - a);
    return (light! + 0.05) / (dark! + 0.05);
  }, property);
}

/** The event-sourcing quiz answered so that every mark shows: question 1 right, 2 wrong (single choice), 3 partly right (multiple choice). */
async function answerForEveryMark(quiz: ReturnType<Page['locator']>) {
  const question = (n: number) => quiz.locator('.quiz-question').nth(n);
  await question(0).locator('.quiz-option[data-correct="true"] input').check();
  await question(1).locator('.quiz-option[data-correct="false"] input').first().check();
  const multiple = question(2);
  assert.equal(await multiple.getAttribute('data-kind'), 'multiple', 'question 3 of the event-sourcing quiz is the multiple-choice one this test needs');
  await multiple.locator('.quiz-option[data-correct="true"] input').first().check();
  await multiple.locator('.quiz-option[data-correct="false"] input').first().check();
}

test('after checking, each question says whether it is right, and a missed right answer is marked unlike a wrong choice', async () => {
  const own = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const quizPage = await own.newPage();
  try {
    await quizPage.goto(`${site.url}/lessons/${LESSON}/`);
    const quiz = quizPage.locator('lesson-quiz');
    const questions = await quiz.locator('.quiz-question').count();
    await answerForEveryMark(quiz);
    // Enter in an option submits from far above the button: the score must come to the learner.
    await quiz.locator('.quiz-question').first().locator('input:checked').press('Enter');
    const result = quiz.locator('.quiz-result');
    await quiz.locator('.quiz-score').filter({ hasText: /\S/ }).waitFor();
    assert.equal(await result.getAttribute('role'), 'status', 'the score is in a live region');
    assert.ok(await result.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }), 'the score is scrolled into view');
    assert.equal(await quiz.locator('.quiz-score').innerText(), `1 of ${questions} right.`, 'only question 1 was answered right');

    const widths = await quizPage.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: innerWidth }));
    assert.ok(widths.page <= widths.viewport, `the checked quiz fits a ${widths.viewport} px phone (the page is ${widths.page} px wide)`);

    const verdict = (n: number) => quiz.locator('.quiz-question').nth(n).locator('.quiz-question-verdict');
    assert.equal(await verdict(0).innerText(), 'Right.');
    assert.equal(await verdict(1).innerText(), 'Wrong: the right answer is marked below.');
    assert.match(await verdict(2).innerText(), /^Wrong: you chose a wrong answer and missed (a right one|\d+ right ones)\.$/);
    assert.match(await verdict(3).innerText(), /^Not answered: the right answers? (is|are) marked below\.$/);
    for (let n = 0; n < questions; n++) assert.ok(await verdict(n).isVisible(), `question ${n + 1} shows its own verdict`);
    assert.match(await quiz.locator('.quiz-review').innerText(), /^Look again at questions 2, 3, 4/);
    assert.equal(await quiz.locator('.quiz-review a').first().getAttribute('href'), `#${await quiz.locator('.quiz-question').nth(1).getAttribute('id')}`);

    const wrong = quiz.locator('.quiz-question').nth(1).locator('.quiz-option[data-result="wrong"]');
    const missed = quiz.locator('.quiz-question').nth(1).locator('.quiz-option[data-result="missed"]');
    const right = quiz.locator('.quiz-question').nth(0).locator('.quiz-option[data-result="right"]');
    assert.equal(await wrong.count(), 1);
    assert.equal(await missed.count(), 1);
    assert.equal(await wrong.locator('.quiz-verdict').innerText(), 'Wrong: you chose it.');
    assert.equal(await missed.locator('.quiz-verdict').innerText(), 'Missed: right, but not chosen.');
    assert.equal(await right.locator('.quiz-verdict').innerText(), 'Right: you chose it.');
    const look = (option: typeof wrong) =>
      option.evaluate((el) => ({ border: getComputedStyle(el).borderLeftStyle, icon: el.querySelector('.quiz-verdict svg')?.innerHTML ?? '' }));
    const [wrongLook, missedLook, rightLook] = [await look(wrong), await look(missed), await look(right)];
    assert.notEqual(wrongLook.icon, missedLook.icon, 'a missed answer has its own icon');
    assert.notEqual(wrongLook.icon, rightLook.icon, 'a wrong choice has its own icon');
    assert.notEqual(wrongLook.border, missedLook.border, 'a missed answer is outlined unlike a wrong choice');
    assert.ok(wrongLook.icon && missedLook.icon && rightLook.icon, 'every mark has an icon');
    assert.equal(await missed.locator('input').getAttribute('aria-describedby'), await missed.locator('.quiz-explanation').getAttribute('id'), 'a screen reader hears the mark with the option');
    // A fieldset's box starts at its legend's top; the border line runs lower, through a plain legend.
    const outside = await quiz.locator('.quiz-question').evaluateAll((fieldsets) =>
      fieldsets.flatMap((fieldset, n) => {
        const box = fieldset.getBoundingClientRect();
        const legend = fieldset.querySelector('legend')!.getBoundingClientRect();
        const border = parseFloat(getComputedStyle(fieldset).borderTopWidth);
        return legend.top >= box.top + border && legend.right <= box.right - border ? [] : [`question ${n + 1}`];
      }),
    );
    assert.deepEqual(outside, [], 'every legend sits inside its box, below the border');

    await quiz.getByRole('button', { name: 'Try again' }).click();
    assert.equal(await quiz.locator('.quiz-option[data-result], .quiz-question[data-answered]').count(), 0);
    assert.equal(await quiz.locator('.quiz-question-verdict:visible, .quiz-explanation:visible').count(), 0, 'a new attempt starts with no marks');
    assert.equal(await quiz.locator('.quiz-question-verdict').first().evaluate((el) => el.closest('fieldset')!.getAttribute('aria-describedby')), null);
  } finally {
    await own.close();
  }
});

for (const theme of ['light', 'dark'] as const) {
  test(`the quiz's marks and the console's text keep WCAG AA contrast in the ${theme} theme`, async () => {
    const own = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: theme });
    await own.addInitScript((chosen) => localStorage.setItem('starlight-theme', chosen), theme);
    const themed = await own.newPage();
    try {
      await themed.goto(`${site.url}/lessons/${LESSON}/`);
      assert.equal(await themed.evaluate(() => document.documentElement.dataset.theme), theme);
      const quiz = themed.locator('lesson-quiz');
      await answerForEveryMark(quiz);
      await quiz.getByRole('button', { name: 'Check my answers' }).click();
      const low: string[] = [];
      const expect = async (selector: string, property: Parameters<typeof contrastOf>[2], minimum: number) => {
        const ratio = await contrastOf(themed, selector, property);
        if (ratio < minimum) low.push(`${selector} ${property}: ${ratio.toFixed(2)}:1, needs ${minimum}:1`);
      };
      for (const kind of ['right', 'wrong', 'missed']) {
        await expect(`.quiz-option[data-result="${kind}"] .quiz-verdict`, 'color', 4.5);
        await expect(`.quiz-option[data-result="${kind}"] .quiz-icon`, 'stroke', 3);
        await expect(`.quiz-option[data-result="${kind}"]`, 'border-left-color', 3);
      }
      for (const answered of ['right', 'wrong']) {
        await expect(`.quiz-question[data-answered="${answered}"] .quiz-question-verdict`, 'color', 4.5);
        await expect(`.quiz-question[data-answered="${answered}"]`, 'border-top-color', 3);
      }
      for (const selector of ['.quiz-explanation', '.quiz-kind', '.quiz-score', '.quiz-review a', '.quiz-check']) await expect(selector, 'color', 4.5);

      const sqlConsole = themed.locator('sql-console');
      await sqlConsole.getByRole('button', { name: 'Open the SQL console' }).click();
      await themed.waitForSelector('sql-console[data-ready]', { timeout: 30_000 });
      await sqlConsole.locator('textarea').fill('SELEC nonsense');
      await sqlConsole.locator('textarea').press('Control+Enter');
      await sqlConsole.locator('.console-error').waitFor();
      for (const selector of ['.console-engine', '.console-keys', '.console-status', 'sql-console textarea', 'sql-console [data-part="run"]', '.console-error']) await expect(selector, 'color', 4.5);
      await expect('sql-console textarea', 'border-top-color', 3);
      assert.deepEqual(low, [], low.join('\n'));
    } finally {
      await own.close();
    }
  });
}

test('the SQL console keeps an editor\'s keys: monospace, Enter is a new line, Ctrl+Enter and Cmd+Enter run, Tab moves on', async () => {
  const own = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const consolePage = await own.newPage();
  try {
    await consolePage.goto(`${site.url}/lessons/${LESSON}/`);
    const sqlConsole = consolePage.locator('sql-console');
    await sqlConsole.getByRole('button', { name: 'Open the SQL console' }).click();
    await consolePage.waitForSelector('sql-console[data-ready]', { timeout: 30_000 });
    const sql = sqlConsole.locator('textarea');
    const fonts = await sql.evaluate((el) => getComputedStyle(el).fontFamily);
    assert.match(fonts, /monospace|ui-monospace|Menlo|Consolas/, `the SQL box is set in a monospace font, not ${fonts}`);
    assert.match((await sqlConsole.locator('[data-part="run"]').getAttribute('title')) ?? '', /Ctrl\+Enter/, 'the Run button names its shortcut');
    assert.match(await sqlConsole.locator('.console-keys').innerText(), /Ctrl\+Enter/, 'the shortcut is written beside the box');

    await sql.fill('SELECT 6 * 7');
    await sql.press('End');
    await sql.press('Enter');
    await sql.pressSequentially('AS answer');
    assert.equal(await sql.inputValue(), 'SELECT 6 * 7\nAS answer', 'Enter starts a new line');
    assert.ok(await sqlConsole.locator('.console-output').isHidden(), 'Enter alone runs nothing');
    assert.equal(await sqlConsole.locator('[data-part="status"]').innerText(), 'Ready. Pick a suggested query or write your own.');

    await sql.press('Control+Enter');
    await sqlConsole.locator('.console-output th', { hasText: 'answer' }).waitFor();
    assert.equal(await sqlConsole.locator('.console-output td').innerText(), '42');
    await sql.fill('SELECT 7 * 8 AS product');
    await sql.press('Meta+Enter');
    await sqlConsole.locator('.console-output th', { hasText: 'product' }).waitFor();
    assert.match(await sqlConsole.locator('[data-part="status"]').innerText(), /^Done in \d+ ms: 1 row\.$/);

    await sql.focus();
    await consolePage.keyboard.press('Tab');
    assert.equal(await consolePage.evaluate(() => document.activeElement?.getAttribute('data-part')), 'run', 'Tab leaves the SQL box for the Run button');
    await consolePage.keyboard.press('Shift+Tab');
    assert.equal(await consolePage.evaluate(() => document.activeElement?.getAttribute('data-part')), 'sql', 'Shift+Tab comes back');
  } finally {
    await own.close();
  }
});

test('on a phone a wide result scrolls inside its own box, which a keyboard can reach and scroll', async () => {
  const own = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await own.newPage();
  try {
    await phone.goto(`${site.url}/lessons/${LESSON}/`);
    const sqlConsole = phone.locator('sql-console');
    await sqlConsole.getByRole('button', { name: 'Open the SQL console' }).click();
    await phone.waitForSelector('sql-console[data-ready]', { timeout: 30_000 });
    await sqlConsole.locator('textarea').fill("SELECT position, stream_id, type, repeat('wide ', 40) AS note, data FROM events ORDER BY position");
    await sqlConsole.locator('textarea').press('Control+Enter');
    await sqlConsole.locator('.console-output th', { hasText: 'note' }).waitFor();

    const output = sqlConsole.locator('.console-output');
    const widths = await phone.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: innerWidth }));
    assert.ok(widths.page <= widths.viewport, `the page stays ${widths.viewport} px wide with a wide result (it is ${widths.page} px)`);
    const box = await output.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, right: el.getBoundingClientRect().right }));
    assert.ok(box.scroll > box.client, `the result is wider than its box (${box.scroll} > ${box.client} px), so this test shows something`);
    assert.ok(box.right <= widths.viewport, 'the result box itself fits the screen');

    assert.equal(await output.getAttribute('tabindex'), '0');
    assert.equal(await output.getAttribute('role'), 'region');
    assert.match((await output.getAttribute('aria-label')) ?? '', /^Result: \S/);
    await sqlConsole.locator('[data-part="reset"]').focus();
    await phone.keyboard.press('Tab');
    assert.ok(await output.evaluate((el) => el === document.activeElement), 'Tab from the buttons reaches the result');
    await phone.keyboard.press('ArrowRight');
    await phone.keyboard.press('ArrowRight');
    await phone.waitForFunction((selector) => document.querySelector(selector)!.scrollLeft > 0, 'sql-console .console-output', { timeout: 2_000 });
  } finally {
    await own.close();
  }
});

test('progress exported to a file and imported back is exactly the same', async () => {
  await page.goto(`${site.url}/progress/`);
  const before = await page.evaluate(() => localStorage.getItem('data-in-microservices:progress'));
  assert.ok(before);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export to a file' }).click()]);
  const file = await download.path();
  assert.match(download.suggestedFilename(), /^data-in-microservices-progress-\d{4}-\d{2}-\d{2}\.json$/);

  await page.evaluate(() => localStorage.removeItem('data-in-microservices:progress'));
  await page.reload();
  assert.equal(await page.locator(`tr[data-strategy="${LESSON}"] [data-cell="quiz"]`).innerText(), 'not taken');
  await Promise.all([page.waitForEvent('load'), page.locator('[data-part="import"]').setInputFiles(file)]);
  const after = await page.evaluate(() => localStorage.getItem('data-in-microservices:progress'));
  assert.deepEqual(JSON.parse(after!), JSON.parse(before));

  await page.locator('[data-part="import"]').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  const message = page.locator('[data-part="message"]', { hasText: 'not a progress export' });
  await message.waitFor();
  assert.match(await message.innerText(), /^The file is not a progress export: .+ Your progress was not changed\.$/);
});

test('instructor notes are hidden from learners and shown in the instructor view, which is remembered', async () => {
  await page.goto(`${site.url}/lessons/${LESSON}/`);
  const notes = page.locator('.instructor-notes');
  assert.equal(await notes.isVisible(), false);
  await page.getByRole('button', { name: 'Instructor view' }).click();
  assert.equal(await notes.isVisible(), true);
  await page.reload();
  assert.equal(await notes.isVisible(), true);
  await page.getByRole('button', { name: 'Instructor view' }).click();
  assert.equal(await notes.isVisible(), false);
});

test('search on the static site finds a lesson by what it teaches', async () => {
  await page.goto(`${site.url}/`);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('textbox', { name: 'Search' }).fill('optimistic concurrency');
  const hit = page.locator(`.pagefind-ui__result-link[href^="/lessons/${LESSON}/"]`).first();
  await hit.waitFor({ timeout: 15_000 });
  assert.ok(await hit.isVisible());
});
