/**
 * The lab workbench's promises about the learner's work and the editor: nothing is lost on a
 * reset or a corrupt save, and the editor knows the labkit's types.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { loadLab } from '../../src/labs/load-lab.ts';
import { openLab, replaceFile, waitForEditor } from './support/lab-page.ts';
import { useSiteAndBrowser } from './support/session.ts';

const bundle = loadLab('event-sourcing');
const session = useSiteAndBrowser();

async function freshPage(): Promise<Page> {
  const context = await session.browser.newContext({ viewport: { width: 1400, height: 1000 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await openLab(page, `${session.site.url}/labs/event-sourcing/`);
  return page;
}

/** Waits until the editor shows `needle` (or no longer does). Monaco renders spaces as no-break spaces. */
async function waitForEditorText(page: Page, needle: string, shown: boolean): Promise<void> {
  await page.waitForFunction(
    ([text, want]) => ((document.querySelector('.monaco-editor .view-lines')?.textContent ?? '').replaceAll('\u00a0', ' ').includes(text) === want),
    [needle, shown] as const,
  );
}

async function editorText(page: Page): Promise<string> {
  return (await page.locator('.monaco-editor .view-lines').innerText()).replaceAll('\u00a0', ' ');
}

test('"Reset to starter" keeps the work as a backup that "Restore my work" brings back', async () => {
  const page = await freshPage();
  const mine = `// my own attempt\n${bundle.starter['src/order.ts']}`;
  await replaceFile(page, 'src/order.ts', mine);
  await waitForEditorText(page, 'my own attempt', true);
  await page.getByRole('button', { name: 'Reset to starter' }).click();
  // The page's own dialog: cancelling keeps everything as it is.
  const dialog = page.getByRole('dialog', { name: 'Reset to the starter code?' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.ok((await editorText(page)).includes('my own attempt'), 'cancelled: my work is still there');
  await page.getByRole('button', { name: 'Reset to starter' }).click();
  await dialog.getByRole('button', { name: 'Reset my files' }).click();
  await waitForEditorText(page, 'my own attempt', false);
  assert.ok(await page.getByRole('button', { name: 'Restore my work' }).isVisible());
  await page.reload();
  await waitForEditor(page);
  await page.locator('[role=tab][data-path="src/order.ts"]').click();
  assert.ok(!(await editorText(page)).includes('my own attempt'), 'the reset survives a reload');
  await page.getByRole('button', { name: 'Restore my work' }).click();
  await waitForEditorText(page, 'my own attempt', true);
  await page.context().close();
});

test('a saved state that cannot be read is kept aside, with a notice, and the starter is shown', async () => {
  const page = await freshPage();
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('data-in-microservices');
        open.onsuccess = () => {
          const tx = open.result.transaction('saved-work', 'readwrite');
          tx.objectStore('saved-work').put({ version: 99, files: 'garbage' }, 'work:event-sourcing');
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
  await page.reload();
  await waitForEditor(page);
  const notice = await page.locator('.wb-notice').innerText();
  assert.match(notice, /^Your saved work for this lab could not be read, so the starter code is shown\. The unreadable copy was kept in this browser \(IndexedDB key "unreadable:event-sourcing:\d+"\)\.$/);
  const firstLine = bundle.starter['src/event-store.ts']!.split('\n')[0]!;
  assert.ok((await editorText(page)).includes(firstLine), 'the starter is in the editor');
  const kept = await page.evaluate(
    () =>
      new Promise<unknown>((resolve) => {
        const open = indexedDB.open('data-in-microservices');
        open.onsuccess = () => {
          const all = open.result.transaction('saved-work').objectStore('saved-work').getAllKeys();
          all.onsuccess = () => resolve(all.result);
        };
      }),
  );
  assert.ok((kept as string[]).some((key) => key.startsWith('unreadable:event-sourcing:')));
  await page.context().close();
});

test('the editor type-checks against the labkit: a wrong member is underlined, the fix clears it', async () => {
  const page = await freshPage();
  const source = bundle.starter['src/event-store.ts']!;
  // At the top, where the editor shows it; Pg comes from the file's own import of labkit/db.
  const broken = `export async function probe(db: Pg) {\n  return db.quer('SELECT 1');\n}\n${source}`;
  await replaceFile(page, 'src/event-store.ts', broken);
  await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 30_000 });
  await replaceFile(page, 'src/event-store.ts', broken.replace('db.quer(', 'db.query('));
  await page.waitForSelector('.monaco-editor .squiggly-error', { state: 'detached', timeout: 30_000 });
  await page.context().close();
});
