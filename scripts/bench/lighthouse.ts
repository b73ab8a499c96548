/**
 * Lighthouse's performance figures for every lab page and one lesson page of the built site, with
 * Lighthouse's default (mobile-emulated, throttled) settings and its desktop preset: the score,
 * total blocking time, largest contentful paint and bytes transferred, each the median of a few
 * runs. The lab page's budget (DESIGN.md) is a score of at least 90 and TBT of at most 200 ms.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig, type Config, type Flags, type Result } from 'lighthouse';
import { chromium } from 'playwright-core';
import { listLabIds } from '../../src/labs/list-labs.ts';
import { chromiumPath } from '../../tests/e2e/support/browser.ts';
import { serveBuiltSite } from '../../tests/e2e/support/site.ts';

/** Every lab page (the budget is for each), and a lesson page to compare them with. */
export const LIGHTHOUSE_PAGES = [...listLabIds().map((id) => `/labs/${id}/`), '/lessons/event-sourcing/'];

const PRESETS: { name: string; config: Config | undefined }[] = [
  { name: 'mobile', config: undefined },
  { name: 'desktop', config: desktopConfig },
];

const CHROME_FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface LighthouseFigures {
  page: string;
  preset: string;
  runs: number;
  score: number;
  scores: number[];
  totalBlockingTimeMs: number;
  largestContentfulPaintMs: number;
  transferredBytes: number;
  benchmarkIndex: number;
}

/**
 * The Chromium the browser tests use (Debian's, or CHROMIUM_PATH), else Playwright's own
 * download, else whatever Chrome chrome-launcher finds on this machine.
 */
function chromeToUse(): string | undefined {
  const system = chromiumPath();
  if (system) return system;
  try {
    const playwrights = chromium.executablePath();
    if (existsSync(playwrights)) return playwrights;
  } catch {
    // playwright-core knows no download for this platform; chrome-launcher looks for itself.
  }
  return undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function numeric(lhr: Result, audit: string): number {
  const value = lhr.audits[audit]?.numericValue;
  if (typeof value !== 'number') throw new Error(`Lighthouse reported no ${audit} for ${lhr.finalDisplayedUrl}`);
  return value;
}

export async function measureLighthouse(options: { dist: string; runs: number; pages?: string[] }): Promise<LighthouseFigures[]> {
  const site = await serveBuiltSite(options.dist);
  const chrome = await chromeLauncher.launch({ chromePath: chromeToUse(), chromeFlags: CHROME_FLAGS, logLevel: 'silent' });
  const flags: Flags = { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] };
  const figures: LighthouseFigures[] = [];
  try {
    for (const path of options.pages ?? LIGHTHOUSE_PAGES) {
      for (const preset of PRESETS) {
        const results: Result[] = [];
        for (let i = 0; i < options.runs; i++) {
          const run = await lighthouse(`${site.url}${path}`, flags, preset.config);
          if (!run) throw new Error(`Lighthouse returned nothing for ${path}`);
          const { lhr } = run;
          if (lhr.runtimeError) throw new Error(`Lighthouse could not measure ${path} (${preset.name}): ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
          results.push(lhr);
        }
        const scores = results.map((lhr) => Math.round((lhr.categories.performance?.score ?? 0) * 100));
        figures.push({
          page: path,
          preset: preset.name,
          runs: results.length,
          score: median(scores),
          scores,
          totalBlockingTimeMs: median(results.map((lhr) => numeric(lhr, 'total-blocking-time'))),
          largestContentfulPaintMs: median(results.map((lhr) => numeric(lhr, 'largest-contentful-paint'))),
          transferredBytes: median(results.map((lhr) => numeric(lhr, 'total-byte-weight'))),
          benchmarkIndex: median(results.map((lhr) => lhr.environment.benchmarkIndex)),
        });
      }
    }
  } finally {
    chrome.kill();
    await site.stop();
  }
  return figures;
}

export function printLighthouse(figures: LighthouseFigures[]): void {
  const header = ['page', 'preset', 'score', 'TBT', 'LCP', 'transferred', 'scores of the runs'];
  const rows = figures.map((f) => [
    f.page,
    f.preset,
    String(f.score),
    `${Math.round(f.totalBlockingTimeMs)} ms`,
    `${(f.largestContentfulPaintMs / 1000).toFixed(2)} s`,
    `${(f.transferredBytes / 2 ** 20).toFixed(2)} MB`,
    f.scores.join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

/** The section of `npm run bench`: measured, printed as a table, with what the figures depend on. */
export async function benchLighthouse(options: { dist: string; runs: number }): Promise<LighthouseFigures[]> {
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`\nLighthouse (performance only, built site; medians of ${options.runs} runs each; load average before: ${load})`);
  const figures = await measureLighthouse(options);
  printLighthouse(figures);
  const index = median(figures.map((f) => f.benchmarkIndex));
  // Lighthouse simulates a slow device from how fast this machine is; a busy machine reads slower.
  console.log(`  Lighthouse's benchmark index of this machine: ${Math.round(index)}; load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('  budget for every lab page: score >= 90 and TBT <= 200 ms');
  return figures;
}
