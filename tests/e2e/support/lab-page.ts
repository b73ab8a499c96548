/** What a learner does on a lab page, as steps the browser tests share. */
import type { Page } from 'playwright-core';

/**
 * Opens a lab page and, where the workspace is in view, reaches for it as a learner would (the
 * pointer over it), which loads the editor; on a narrow screen the editor waits behind the Code
 * tab, which showPane() or replaceFile() presses.
 */
export async function openLab(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('lab-workbench[data-ready]', { state: 'attached', timeout: 60_000 });
  if (await page.locator('[data-part=editor]').isVisible()) await waitForEditor(page);
}

/** Moves the pointer over the editor's place (which loads it) and waits until it is ready. */
export async function waitForEditor(page: Page): Promise<void> {
  await page.locator('[data-part=editor]').hover();
  await page.waitForSelector('lab-workbench[data-editor-ready]', { state: 'attached', timeout: 60_000 });
}

/** On a narrow screen, the Instructions / Code / Results tab `name`; on a wide one every pane is in view already. */
export async function showPane(page: Page, name: 'Instructions' | 'Code' | 'Results'): Promise<void> {
  const tab = page.locator('[data-part=views]').getByRole('tab', { name, exact: true });
  if (await tab.isVisible()) await tab.click();
}

/** Clicks Run and waits for the final result; returns the total line as shown. */
export async function runTests(page: Page): Promise<string> {
  await showPane(page, 'Code');
  await page.getByRole('button', { name: 'Run tests' }).click();
  await page.waitForSelector('lab-workbench[data-last-status]', { state: 'attached', timeout: 120_000 });
  // Attached: on a narrow screen the run ends on the Results tab, and the button is behind Code.
  await page.waitForSelector('[data-part=run]:not([disabled])', { state: 'attached' });
  return (await page.locator('.results-total').innerText()).trim();
}

/** Replaces a file's text the way a learner pastes over it: select all, then paste. */
export async function replaceFile(page: Page, path: string, text: string): Promise<void> {
  await showPane(page, 'Code');
  await waitForEditor(page);
  await page.locator(`[role=tab][data-path="${path}"]`).click();
  const firstLine = text.split('\n').find((line) => line.trim())!.trim();
  // Right after the editor appears it may not take keys yet; like a learner, paste again if nothing happened.
  for (let attempt = 1; attempt <= 3; attempt++) {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.evaluate((value) => navigator.clipboard.writeText(value), text);
    await page.keyboard.press('ControlOrMeta+V');
    // The paste leaves the view at its end; back to the top, where the check below looks.
    await page.keyboard.press('ControlOrMeta+Home');
    const shown = await page
      .waitForFunction(
        (line) => (document.querySelector('.monaco-editor .view-lines')?.textContent ?? '').replaceAll('\u00a0', ' ').includes(line),
        firstLine,
        { timeout: 5_000 },
      )
      .then(() => true, () => false);
    if (shown) return;
  }
  throw new Error(`pasting into ${path} did not change the editor`);
}

/** The verdict shown for a test, by its name. */
export async function verdictOf(page: Page, name: string): Promise<{ status: string; message: string }> {
  const row = page.locator('.results-test', { has: page.locator('.results-name', { hasText: name }) });
  return {
    status: (await row.getAttribute('data-status')) ?? '',
    message: (await row.locator('.results-message').innerText().catch(() => '')).trim(),
  };
}
