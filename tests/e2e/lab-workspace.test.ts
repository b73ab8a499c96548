/**
 * The lab workspace as a learner uses it, in Chromium on the built site: an endless loop that
 * Stop ends, or that ends by itself and is named once; a file that does not compile, said once
 * with a link to the place; Run this task (before any run too) and Rerun failed; hints one at a time; the panes
 * resized from the keyboard; the narrow screen's tabs; and a pass with the keyboard alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { loadLab } from '../../src/labs/load-lab.ts';
import { openLab, replaceFile, runTests, waitForEditor } from './support/lab-page.ts';
import { useSiteAndBrowser } from './support/session.ts';

const LAB = 'event-sourcing';
const bundle = loadLab(LAB);
const solution = bundle.solution!;
const session = useSiteAndBrowser();

async function freshPage(width = 1400, height = 1000): Promise<Page> {
  const context = await session.browser.newContext({ viewport: { width, height }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await openLab(page, `${session.site.url}/labs/${LAB}/`);
  return page;
}

/** Every file of the solution in the editor, then `path` replaced by `text`. */
async function solutionWith(page: Page, path: string, text: string): Promise<void> {
  for (const file of bundle.manifest.files.editable) await replaceFile(page, file, file === path ? text : solution[file]!);
}

/** The solution's EventStore.append, with a loop that never ends as its first statement. */
const loopingAppend = solution['src/event-store.ts']!.replace(
  /(async append\([^)]*\)[^{]*\{)/,
  '$1 let spins = 0; while (spins >= 0) spins++;',
);
const loopLine = loopingAppend.split('\n').findIndex((line) => line.includes('while (spins >= 0)')) + 1;

/** Scrolls to `selector` and waits until the browser has drawn it. */
async function lookAt(page: Page, selector: string): Promise<void> {
  await page.locator(selector).scrollIntoViewIfNeeded();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

async function statuses(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll<HTMLElement>('.results-test')].map((row) => [row.dataset.testId!, row.dataset.notRun === undefined ? row.dataset.status! : 'not run'])));
}

test('an endless loop: Stop ends the run at once; without it the run ends by itself and names the loop once', async () => {
  assert.notEqual(loopingAppend, solution['src/event-store.ts'], 'the test could not find append() to break');
  const page = await freshPage();
  await solutionWith(page, 'src/event-store.ts', loopingAppend);

  await page.getByRole('button', { name: 'Run tests' }).click();
  const stop = page.getByRole('button', { name: 'Stop' });
  await stop.waitFor();
  await page.waitForSelector('.results-test[data-status=running]');
  const pressed = Date.now();
  await stop.click();
  await page.waitForSelector('lab-workbench[data-last-status]', { timeout: 15_000 });
  const stoppedAfter = Date.now() - pressed;
  assert.ok(stoppedAfter < 3_000, `Stop took ${stoppedAfter} ms`);
  assert.ok(await stop.isHidden(), 'no Stop once the run is over');
  assert.match(await page.locator('.results-problem').innerText(), /stopped the run/i);
  const afterStop = await statuses(page);
  assert.ok(Object.values(afterStop).includes('not run'), `the tests not reached are "not run": ${JSON.stringify(afterStop)}`);

  // Without Stop: the loop ends itself in every test that calls append(), and the run goes on.
  const started = Date.now();
  const total = await runTests(page);
  const ranFor = Date.now() - started;
  const loops = page.locator('.results-banner[data-stopped-loop]');
  assert.equal(await loops.count(), 1, 'the loop is named once, at the top');
  const banner = await loops.innerText();
  assert.match(banner, /append\(\)/, banner);
  assert.match(banner, new RegExp(`src/event-store\\.ts line ${loopLine}`), banner);
  assert.ok(ranFor < 30_000, `the run ended by itself, after ${ranFor} ms`);
  assert.match(total, /points/);
  const verdicts = await statuses(page);
  assert.ok(Object.values(verdicts).includes('timeout'), JSON.stringify(verdicts));
  assert.ok(Object.values(verdicts).includes('pass'), 'tests that never call append() still pass');
  assert.ok((await page.locator('.results-notice').count()) <= 1, 'no pile of notices');

  // The link puts the cursor on the loop.
  await loops.getByRole('button', { name: /Go to line/ }).click();
  await page.waitForFunction((line) => document.querySelector('.monaco-editor .line-numbers.active-line-number')?.textContent === String(line), loopLine);
  await page.context().close();
});

test('a file that does not compile: one banner with file, line and column, a link there, and the tests that need it not run', async () => {
  const page = await freshPage();
  const source = solution['src/order.ts']!;
  const lines = source.split('\n');
  const broken = lines.findIndex((line) => /^\s*(return|const|let)\b/.test(line));
  assert.ok(broken > 0, 'a statement to break');
  lines[broken] = `${lines[broken]} )`;
  await solutionWith(page, 'src/order.ts', lines.join('\n'));
  await runTests(page);

  const banners = page.locator('.results-banner[data-compile-error]');
  assert.equal(await banners.count(), 1);
  const text = await banners.innerText();
  assert.match(text, new RegExp(`src/order\\.ts, line ${broken + 1}, column \\d+`), text);
  const compilerSays = text.split('\n').find((line) => line.startsWith('src/order.ts, line'))!.replace(/^[^:]+: /, '');
  const rows = await page.locator('.results-test .results-message').allInnerTexts();
  assert.ok(rows.every((message) => !message.includes(compilerSays)), 'the compiler\'s message is not repeated on the rows');
  const verdicts = await statuses(page);
  assert.ok(Object.values(verdicts).includes('not run'), JSON.stringify(verdicts));
  assert.ok(Object.values(verdicts).includes('pass'), 'tests that do not need order.ts still run');

  await banners.getByRole('button', { name: /Go to line/ }).click();
  assert.equal(await page.locator('.wb-file-tabs [role=tab][aria-selected=true]').getAttribute('data-path'), 'src/order.ts');
  await page.waitForFunction((line) => document.querySelector('.monaco-editor .line-numbers.active-line-number')?.textContent === String(line), broken + 1);
  assert.ok(await page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null), 'the cursor is in the editor');
  await page.context().close();
});

test('Run this task runs one task\'s tests and keeps the other rows; Rerun failed runs only what did not pass', async () => {
  const page = await freshPage();
  await runTests(page);
  const first = await statuses(page);
  const taskOne = await page.locator('.results-test[data-task="1"]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.testId!));
  const failed = Object.entries(first).filter(([, s]) => s !== 'pass').map(([id]) => id);
  assert.ok(failed.length > 0);
  assert.equal(await page.getByRole('button', { name: /^Rerun failed/ }).innerText(), `Rerun failed (${failed.length})`);

  await page.getByRole('button', { name: 'Run this task, task 1' }).click();
  await page.waitForSelector('lab-workbench[data-last-status]');
  const total = await page.locator('.results-total').innerText();
  assert.match(total, new RegExp(`ran the ${taskOne.length} tests of task 1`), total);
  const ranNow = await page.locator('.results-test:not([data-earlier])').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.testId!));
  assert.deepEqual(ranNow.sort(), [...taskOne].sort(), 'only task 1\'s rows are from this run');
  assert.equal(await page.locator('.results-test').count(), Object.keys(first).length, 'every other row is still shown');

  await page.getByRole('button', { name: /^Rerun failed/ }).click();
  await page.waitForSelector('lab-workbench[data-last-status]');
  const rerun = await page.locator('.results-test:not([data-earlier])').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.testId!));
  assert.deepEqual(rerun.sort(), [...failed].sort());
  await page.context().close();
});

test('before any run, each task has its own Run this task, which runs that task\'s tests alone', async () => {
  const page = await freshPage();
  const listed = await page.locator('.results-task-list li').allInnerTexts();
  assert.deepEqual(
    listed.map((text) => text.replace(/\s*Run this task\s*$/, '').trim()),
    bundle.manifest.tasks.map((task) => `Task ${task.number}: ${task.title}`),
  );
  const task = bundle.manifest.tasks[1]!;
  await page.getByRole('button', { name: `Run this task, task ${task.number}` }).click();
  await page.waitForSelector('lab-workbench[data-last-status]');
  const total = await page.locator('.results-total').innerText();
  assert.match(total, new RegExp(`ran the tests of task ${task.number}: .*the other tasks have not been run yet`), total);
  const rows = await page.locator('.results-test').evaluateAll((list) =>
    list.map((row) => {
      const r = row as HTMLElement;
      return { task: Number(r.dataset.task), earlier: r.dataset.earlier !== undefined, status: r.querySelector('.results-status')!.textContent };
    }),
  );
  const ran = rows.filter((r) => r.task === task.number);
  const others = rows.filter((r) => r.task !== task.number);
  assert.ok(ran.length > 0 && others.length > 0, JSON.stringify(rows));
  assert.ok(ran.every((r) => !r.earlier && ['passed', 'failed', 'error', 'timed out', 'not run'].includes(r.status!)), JSON.stringify(ran));
  assert.ok(others.every((r) => r.earlier && r.status === 'not run yet'), JSON.stringify(others));
  assert.equal(await page.locator('.results-task-list').count(), 0, 'the list gives way to the results');
  await page.context().close();
});

test('a failing test offers its task\'s hints one at a time, and the instructions show the same ones', async () => {
  const page = await freshPage();
  await runTests(page);
  const task = bundle.manifest.tasks[0]!;
  const row = page.locator(`.results-test[data-task="${task.number}"][data-status=fail], .results-test[data-task="${task.number}"][data-status=error]`).first();
  await row.getByRole('button', { name: `Show a hint (1 of ${task.hints.length}), task ${task.number}` }).click();
  assert.deepEqual(await row.locator('.results-hints li').allInnerTexts(), [task.hints[0]]);
  const inInstructions = page.locator(`[data-hint-task="${task.number}"] li:not([hidden])`);
  // Looked at where a learner sees them: off screen, the README's blocks are not rendered.
  await lookAt(page, `[data-hint-task="${task.number}"]`);
  assert.deepEqual(await inInstructions.allInnerTexts(), [task.hints[0]]);
  await row.getByRole('button', { name: `Next hint (2 of ${task.hints.length}), task ${task.number}` }).click();
  assert.deepEqual(await row.locator('.results-hints li').allInnerTexts(), task.hints.slice(0, 2));
  assert.deepEqual(await inInstructions.allInnerTexts(), task.hints.slice(0, 2));
  await page.reload();
  await waitForEditor(page);
  await lookAt(page, `[data-hint-task="${task.number}"]`);
  assert.deepEqual(await page.locator(`[data-hint-task="${task.number}"] li:not([hidden])`).allInnerTexts(), task.hints.slice(0, 2), 'hints seen stay seen');
  await page.context().close();
});

test('the panes are resized with the keyboard, and the width is kept', async () => {
  const page = await freshPage();
  const width = () => page.locator('[data-pane=instructions]').evaluate((el) => el.getBoundingClientRect().width);
  const before = await width();
  await page.locator('[data-resizes=instructions]').focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  assert.equal(Math.round((await width()) - before), 48);
  await page.keyboard.press('Shift+ArrowLeft');
  assert.equal(Math.round((await width()) - before), -32);
  const results = page.locator('[data-pane=results]');
  const resultsBefore = await results.evaluate((el) => el.getBoundingClientRect().width);
  await page.locator('[data-resizes=results]').focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(Math.round((await results.evaluate((el) => el.getBoundingClientRect().width)) - resultsBefore), 16, 'the results pane grows to the left');
  const kept = await width();
  await page.reload();
  await page.waitForSelector('lab-workbench[data-ready]', { state: 'attached' });
  assert.equal(Math.round(await width()), Math.round(kept));
  await page.context().close();
});

test('on a phone the panes are tabs: the editor is one tap away, and Run shows the results', async () => {
  const page = await freshPage(390, 844);
  assert.ok(await page.locator('[data-pane=instructions]').isVisible());
  assert.ok(await page.locator('.wb-editor').isHidden());
  await page.locator('[data-part=views]').getByRole('tab', { name: 'Code' }).click();
  // The tap is what loads the editor; the learner's file shows as text until it is there.
  await page.locator('.monaco-editor').waitFor({ timeout: 30_000 });
  const top = await page.locator('.monaco-editor').evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(top < 400, `the editor starts ${top} px down`);
  await page.getByRole('button', { name: 'Run tests' }).click();
  await page.waitForSelector('lab-workbench[data-last-status]', { timeout: 120_000 });
  assert.equal(await page.locator('[data-part=views]').getByRole('tab', { name: 'Results' }).getAttribute('aria-selected'), 'true');
  assert.ok(await page.locator('.results-total').isVisible());
  await page.context().close();
});

/** Presses Tab (Shift+Tab when `backwards`) until the focused element matches `selector`; fails after `limit` presses. */
async function tabTo(page: Page, selector: string, { limit = 120, backwards = false } = {}): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${limit} presses of Tab never reached ${selector}; focus is on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))}`);
}

test('keyboard only: open a file, edit, run, read a failure, open a hint, compare with the solution', async () => {
  const page = await freshPage();
  // From the top of the page, where a keyboard user starts: Starlight's "Skip to content" link.
  await page.locator('.sl-skip-link').focus();
  // Open a file: the learner's second file, by its tab.
  const second = bundle.manifest.files.editable[1]!;
  await tabTo(page, '.wb-file-tabs[aria-label="Your files"] [role=tab]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.path), second);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.closest('.monaco-editor') !== null);
  // Edit, then run from the editor.
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.type('// typed from the keyboard\n');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('lab-workbench[data-last-status]', { timeout: 120_000 });
  const files = await page.evaluate(() => (document.querySelector('lab-workbench') as unknown as { currentFiles(): Record<string, string> }).currentFiles());
  assert.ok(files[second]!.startsWith('// typed from the keyboard\n'), 'the edit went into the file');
  // Leave the editor the way the page says (Ctrl+M, then Tab), and reach a failure's hint.
  await page.keyboard.press('Control+m');
  await tabTo(page, '.results-hints button');
  const failure = await page.evaluate(() => document.activeElement!.closest('.results-test')!.querySelector('.results-message')?.textContent ?? '');
  assert.match(failure, /\S/, 'the failure is there to read next to the hint button');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'LI', 'focus moves to the hint');
  // Compare with the solution, confirming in the dialog.
  await tabTo(page, '[data-part=compare-open]', { backwards: true });
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Compare anyway');
  await page.keyboard.press('Enter');
  await page.locator('[data-part=compare] .monaco-diff-editor').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-part')), 'compare-file', 'focus is in the comparison');
  await page.context().close();
});
