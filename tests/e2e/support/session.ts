/**
 * What most browser test files need: the built site served and a Chromium, started before the
 * file's tests and stopped after them. Call it at the top level of the test file.
 */
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { serveBuiltSite, type Site } from './site.ts';

export interface BrowserSession {
  readonly site: Site;
  readonly browser: Browser;
}

export function useSiteAndBrowser(): BrowserSession {
  const session = {} as { site: Site; browser: Browser };
  before(async () => {
    session.site = await serveBuiltSite();
    session.browser = await launchChromium();
  });
  after(async () => {
    await session.browser?.close();
    await session.site?.stop();
  });
  return session;
}
