/**
 * The site build prints no warning: a newcomer reads every [WARN] line as something to fix.
 * Reads the log scripts/test.ts keeps of the build it runs before the browser tests, so the site
 * is built once. A warning that was traced and found harmless is filtered in astro.config.mjs
 * (isKnownHarmless), by code and module, with the reason; anything else fails here.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/** Written by scripts/test.ts after each build it runs. */
const buildLog = 'node_modules/.cache/data-in-microservices/site-build.log';
const dist = process.env.SITE_DIR ?? 'dist';

/** Why the log cannot speak for the site in dist/, or undefined when it can. */
function whyNoLog(): string | undefined {
  const rerun = 'run `npm run test:e2e` (it builds the site and keeps the log) to check the build for warnings';
  if (!existsSync(buildLog)) return `no build log at ${buildLog}: the site was not built by scripts/test.ts (SKIP_BUILD=1?); ${rerun}`;
  const page = join(dist, 'index.html');
  if (existsSync(page) && statSync(page).mtimeMs > statSync(buildLog).mtimeMs) {
    return `${buildLog} is older than ${page}: the site was built since, without scripts/test.ts; ${rerun}`;
  }
  return undefined;
}

/** Strips colour codes, which Vite puts inside a warning's first line. */
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

test('the site build prints no warning', (t) => {
  const why = whyNoLog();
  if (why) {
    t.diagnostic(why);
    t.skip(why);
    return;
  }
  const lines = plain(readFileSync(buildLog, 'utf8')).split('\n');
  const warnings = lines.filter((line) => /\[WARN\]|^\(!\)|^\(node:\d+\) \w*Warning/.test(line));
  assert.deepEqual(warnings, [], `the build printed ${warnings.length} warning line(s); see ${buildLog}`);
});

test('the filter of harmless build warnings lets the same warnings from other modules through', async () => {
  const { isKnownHarmless } = await import('../../astro.config.mjs');
  const pglite = '/work/node_modules/@electric-sql/pglite/dist/chunk-N66TTF7B.js';
  const directive = 'The semantics of the module level directive "use astro:head-inject" in "src/content/docs/lessons/cqrs.mdx?astroPropagatedAssets" may not be preserved when bundling.';
  const external = (module: string, importer: string) =>
    `Module "${module}" has been externalized for browser compatibility, imported by "${importer}". See https://vite.dev/guide/troubleshooting.html for more details.`;
  // The ones traced to their cause (astro.config.mjs says why each is harmless).
  assert.ok(isKnownHarmless({ code: 'MODULE_LEVEL_DIRECTIVE', id: '/work/src/content/docs/lessons/cqrs.mdx?astroPropagatedAssets', message: directive }));
  assert.ok(isKnownHarmless({ code: 'EVAL', id: pglite, message: 'Use of direct `eval` function is strongly discouraged' }));
  assert.ok(isKnownHarmless({ plugin: 'rolldown:vite-resolve', message: external('node:module', pglite) }));
  // The same codes anywhere else.
  assert.ok(!isKnownHarmless({ code: 'MODULE_LEVEL_DIRECTIVE', id: '/work/src/client/editor.ts', message: 'The semantics of the module level directive "use client" in "src/client/editor.ts" may not be preserved when bundling.' }));
  assert.ok(!isKnownHarmless({ code: 'EVAL', id: '/work/src/runner/worker/run.ts', message: 'Use of direct `eval` function is strongly discouraged' }));
  assert.ok(!isKnownHarmless({ code: 'EVAL', id: '/work/node_modules/ses/dist/ses.mjs', message: 'Use of direct `eval` function is strongly discouraged' }));
  assert.ok(!isKnownHarmless({ plugin: 'rolldown:vite-resolve', message: external('node:fs', pglite) }));
  assert.ok(!isKnownHarmless({ plugin: 'rolldown:vite-resolve', message: external('node:module', '/work/src/labkit/db/pg.ts') }));
  assert.ok(!isKnownHarmless({ code: 'PLUGIN_WARNING', plugin: 'course:chunk-size', message: '_astro/xterm.js is 631 kB after minification, over 500 kB' }));
});
