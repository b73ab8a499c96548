/**
 * npm run bench: the course's performance figures, as medians, with the machine they ran on.
 *
 *   grader      wall time of `npm run grade` per lab (starter, solution), process start included,
 *               against the floor (a fresh Node that loads PGlite from the dumped data dir and
 *               sql.js, one query each), with a breakdown of one solution grade (--timings), and
 *               a submission whose function every test of a task calls never returns
 *   gradebook   wall time of `npm run gradebook` on 30 generated submissions of one lab
 *               (event-sourcing: starter, solution and partial ones), --jobs = the CPU count
 *   verify      wall time of `npm run verify` for all labs
 *   pglite      a new PGlite by initdb vs from the dumped data dir (the baseline and the ratio)
 *   browser     Run to all results in headless Chromium: the first Run on a fresh page, pressed as
 *               soon as it is enabled and once the page has settled, then later (warm) Runs
 *   memory      the lab page's memory, workers included, after the solution's Runs
 *   weight      JavaScript (gzipped) of a lesson page, and of a lab page before and after the editor
 *   lighthouse  Lighthouse performance (score, TBT, LCP, bytes) of every lab page and a lesson page, mobile
 *               and desktop, medians of 5 runs (scripts/bench/lighthouse.ts)
 *
 * Needs a built site (npm run build). BENCH_RUNS sets the repetitions (default 5); BENCH_LABS
 * (comma-separated lab ids) limits the per-lab figures to those labs. BENCH_ONLY=gradebook runs
 * only the gradebook figure, BENCH_ONLY=grader only the grader's (neither needs a built site),
 * BENCH_ONLY=lighthouse only Lighthouse's, BENCH_ONLY=browser only the browser's and the page
 * weights; `npm run bench -- --only <name>` is the same.
 */
import { PGlite } from '@electric-sql/pglite';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { listLabIds } from '../src/labs/list-labs.ts';
import { loadLab } from '../src/labs/load-lab.ts';
import { ensurePgSnapshot } from '../src/runner/node/engines.ts';
import type { Page } from 'playwright-core';
import { chromiumPath, launchChromium } from '../tests/e2e/support/browser.ts';
import { openLab, replaceFile, runTests } from '../tests/e2e/support/lab-page.ts';
import { serveBuiltSite } from '../tests/e2e/support/site.ts';
import { benchLighthouse } from './bench/lighthouse.ts';
import { initialJavaScript } from './page-weight.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const onlyFlag = process.argv.indexOf('--only');
const ONLY = onlyFlag >= 0 ? process.argv[onlyFlag + 1] : process.env.BENCH_ONLY;
// A Lighthouse run takes about 15 s here. Its mobile figures swing widely on this 2-core machine
// (total blocking time from 60 to 350 ms for the same page), so the median of five, not three.
const LIGHTHOUSE_RUNS = Math.max(1, Math.min(RUNS, 5));
const dist = process.env.SITE_DIR ?? 'dist';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const ms = (value: number) => `${Math.round(value)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function repeat(runs: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await time(fn));
  return times;
}

function row(label: string, times: number[], extra = ''): void {
  console.log(`  ${label.padEnd(44)} median ${ms(median(times)).padStart(8)}   (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}, n=${times.length})${extra}`);
}

function chromiumVersion(): string {
  const path = chromiumPath();
  if (!path) return "Playwright's Chromium";
  return spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/**
 * The page's memory with its workers (WebAssembly memory included), by the standard API a
 * cross-origin-isolated page has. Chromium answers after its next garbage collection, up to ~20 s.
 */
async function pageMemory(page: Page): Promise<string> {
  const bytes = await page.evaluate(async () => {
    const measure = (performance as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
    return crossOriginIsolated && measure ? (await measure.call(performance)).bytes : undefined;
  });
  return bytes === undefined ? 'n/a (page not cross-origin isolated)' : `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

/**
 * A class of 30 for the gradebook figure: a third hand in the starter, a third the solution,
 * a third the solution of some files only (1 to 4 of them), so runs fail, pass and mix.
 */
function generateClass(labId: string): string {
  const bundle = loadLab(labId);
  const editable = bundle.manifest.files.editable;
  const dir = mkdtempSync(join(tmpdir(), 'bench-class-'));
  for (let i = 0; i < 30; i++) {
    const solved = i % 3 === 0 ? 0 : i % 3 === 1 ? editable.length : 1 + (i % (editable.length - 1));
    for (const [n, path] of editable.entries()) {
      const file = join(dir, `learner-${String(i).padStart(2, '0')}`, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, n < solved ? bundle.solution![path]! : bundle.starter[path]!);
    }
  }
  return dir;
}

/**
 * Presses a button of the lab page (Run, or a task's Run this task) and times, in the page,
 * the first verdict on screen and the end of the run.
 */
async function timedPress(page: Page, selector: string): Promise<{ firstVerdict: number; end: number }> {
  return page.evaluate(
    (selector) =>
      new Promise<{ firstVerdict: number; end: number }>((resolve) => {
        const workbench = document.querySelector('lab-workbench')!;
        let firstVerdict = 0;
        const verdicts = new Set(['pass', 'fail', 'error', 'timeout']);
        const observer = new MutationObserver((records) => {
          const now = performance.now() - pressed;
          for (const record of records) {
            const target = record.target as HTMLElement;
            if (record.attributeName === 'data-status' && verdicts.has(target.dataset.status ?? '') && target !== workbench && !firstVerdict) firstVerdict = now;
            if (record.attributeName === 'data-last-status' && target === workbench && workbench.hasAttribute('data-last-status')) {
              observer.disconnect();
              resolve({ firstVerdict: firstVerdict || now, end: now });
            }
          }
        });
        observer.observe(document.body, { attributes: true, subtree: true, attributeFilter: ['data-status', 'data-last-status'] });
        const pressed = performance.now();
        document.querySelector<HTMLButtonElement>(selector)!.click();
      }),
    selector,
  );
}

/** The rounds of the solution's tests in a warm Node process (scripts/bench/warm-node.ts), the first left out. */
function warmNodeRounds(labId: string, rounds: number): number[] {
  const run = spawnSync(process.execPath, ['scripts/bench/warm-node.ts', labId, String(rounds + 1)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the warm Node baseline failed: ${run.stderr}`);
  return (JSON.parse(run.stdout.trim().split('\n').at(-1)!) as number[]).slice(1);
}

async function benchGradebook(): Promise<void> {
  const labId = 'event-sourcing';
  const jobs = availableParallelism();
  const runs = Math.max(1, Math.min(RUNS, 3));
  const dir = generateClass(labId);
  const out = mkdtempSync(join(tmpdir(), 'bench-gradebook-'));
  console.log(`\nGradebook (wall time of one \`npm run gradebook\`, 30 generated submissions of ${labId}, --jobs ${jobs})`);
  const times = await repeat(runs, () => {
    const run = spawnSync(process.execPath, ['src/cli/gradebook.ts', dir, '--lab', labId, '--out', out, '--jobs', String(jobs)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the gradebook failed: ${run.stderr}`);
  });
  row(`${labId}: 30 submissions, ${jobs} jobs`, times, `   ${(median(times) / 30 / 1000).toFixed(2)} s per submission (target: 25 s in all)`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
}

console.log('Benchmark: Data in Microservices');
console.log(`  machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${chromiumVersion()}`);
console.log(`  figures are medians of ${RUNS} runs unless noted\n`);

if (ONLY === 'lighthouse') {
  await benchLighthouse({ dist, runs: LIGHTHOUSE_RUNS });
  process.exit(0);
}

if (ONLY === 'gradebook') {
  await ensurePgSnapshot();
  await benchGradebook();
  process.exit(0);
}

const labs = process.env.BENCH_LABS ? process.env.BENCH_LABS.split(',').map((id) => id.trim()) : listLabIds();
const grade = (args: string[]) => () => spawnSync(process.execPath, ['src/cli/grade.ts', ...args], { encoding: 'utf8' });
await ensurePgSnapshot();

/** The floor a grade is measured against: what the engines alone cost a fresh Node process. */
const FLOOR_SCRIPT = `
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import initSqlJs from 'sql.js';
const pg = await PGlite.create({ loadDataDir: new Blob([readFileSync(process.env.SNAPSHOT)]) });
await pg.query('SELECT 1');
const SQL = await initSqlJs();
new SQL.Database().exec('SELECT 1');
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);`;

/**
 * From the spawn to the floor script's "ready": the process is then killed, as the grader kills
 * its children, since a Node process that holds PGlite's memory takes 1.5-2.5 s more to exit.
 */
function floorRun(snapshot: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', FLOOR_SCRIPT], { env: { ...process.env, SNAPSHOT: snapshot }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => {
      child.kill('SIGKILL');
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`the floor's script ended early (exit code ${code})`)));
  });
}

/**
 * Where a learner's function never returns, for each lab: a function that every test of one
 * task calls, and the line that opens it in the solution. The loop goes at the top of its body.
 */
const ENDLESS_LOOPS: Record<string, { file: string; opening: string; task: number }> = {
  'event-sourcing': { file: 'src/event-store.ts', opening: 'async append(streamId: string, expectedVersion: number, events: OrderEvent[]): Promise<number> {', task: 1 },
  sagas: { file: 'src/saga.ts', opening: 'export function commandFor(state: SagaState): Command | undefined {', task: 1 },
  'backup-recovery': { file: 'src/backup.ts', opening: 'export async function sha256Hex(bytes: Uint8Array): Promise<string> {', task: 1 },
};

/** The solution with an endless loop where ENDLESS_LOOPS says, as a submission folder. */
function endlessLoopSubmission(labId: string): string | undefined {
  const spec = ENDLESS_LOOPS[labId];
  const bundle = loadLab(labId);
  const source = spec && bundle.solution?.[spec.file];
  if (!spec || !source?.includes(spec.opening)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-loop-'));
  for (const path of bundle.manifest.files.editable) {
    const text = path === spec.file ? source.replace(spec.opening, `${spec.opening}\n    for (;;) {}`) : bundle.solution![path]!;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The grader against its floor, an endless loop, verify, the gradebook, and PGlite in Node. */
async function benchNode(): Promise<void> {
  console.log('Grader (wall time of one `npm run grade`, process start included)');
  const nodeStart = await repeat(RUNS, () => spawnSync(process.execPath, ['-e', '0']));
  row('baseline: `node -e 0`', nodeStart);
  const snapshotPath = await ensurePgSnapshot();
  const floor = await repeat(RUNS, () => floorRun(snapshotPath));
  row('floor: node + PGlite (dumped data dir) + sql.js', floor);
  // What hardening the child's realm with SES adds to every grader child (lockdown.ts).
  const lockdownStart = await repeat(RUNS, () =>
    spawnSync(process.execPath, ['--input-type=module', '-e', "const { lockdownRealm } = await import('./src/runner/node/lockdown.ts'); lockdownRealm();"]),
  );
  row('node + SES lockdown (each grader child)', lockdownStart, `   +${ms(median(lockdownStart) - median(nodeStart))} over the baseline`);
  const breakdowns: string[] = [];
  for (const lab of labs) {
    const starter = await repeat(RUNS, grade([lab]));
    const solution = await repeat(RUNS, grade([lab, '--solution']));
    row(`${lab}: starter`, starter, `   ${(median(starter) / median(floor)).toFixed(1)}x the floor`);
    row(`${lab}: solution`, solution, `   ${(median(solution) / median(floor)).toFixed(1)}x the floor (target 1.5x)`);
    const loopDir = endlessLoopSubmission(lab);
    if (loopDir) {
      const json = join(tmpdir(), `bench-loop-${lab}.json`);
      const looping = await repeat(Math.min(RUNS, 3), grade([lab, '--submission', loopDir, '--json', json]));
      const result = JSON.parse(readFileSync(json, 'utf8')) as { tests: { task: number; status: string }[] };
      const task = ENDLESS_LOOPS[lab]!.task;
      const stopped = result.tests.filter((t) => t.task === task && t.status === 'timeout').length;
      const inTask = result.tests.filter((t) => t.task === task).length;
      row(`${lab}: solution, endless loop in task ${task}`, looping, `   +${ms(median(looping) - median(solution))} over the solution (target +5 s); ${stopped} of ${inTask} tests of the task stopped`);
      rmSync(loopDir, { recursive: true, force: true });
    }
    const timed = spawnSync(process.execPath, ['src/cli/grade.ts', lab, '--solution', '--timings'], { encoding: 'utf8' });
    breakdowns.push(`  ${lab}, solution, one run:\n${timed.stderr.slice(timed.stderr.indexOf('Where the time went:')).replace(/^/gm, '    ')}`);
  }
  console.log(`\nWhere a grade's time goes (npm run grade -- <lab> --solution --timings)\n${breakdowns.join('\n')}`);
  if (ONLY === 'grader') return;
  const verify = await repeat(Math.min(RUNS, 3), () => spawnSync(process.execPath, ['src/cli/verify.ts'], { encoding: 'utf8' }));
  row(`verify, all ${labs.length} lab(s)`, verify);
  await benchGradebook();

  console.log('\nPGlite in Node (a new instance, to its first query)');
  const fromScratch = await repeat(Math.min(RUNS, 3), async () => {
    const db = await PGlite.create();
    await db.query('SELECT 1');
    await db.close();
  });
  const snapshot = readFileSync(await ensurePgSnapshot());
  const fromSnapshot = await repeat(RUNS, async () => {
    const db = await PGlite.create({ loadDataDir: new Blob([snapshot]) });
    await db.query('SELECT 1');
    await db.close();
  });
  row('baseline: from scratch (initdb)', fromScratch);
  row('from the dumped data dir', fromSnapshot, `   ${(median(fromScratch) / median(fromSnapshot)).toFixed(1)}x faster`);
  const resetDb = await PGlite.create({ loadDataDir: new Blob([snapshot]) });
  const { resetPglite } = await import('../src/labkit/db/pg.ts');
  const resets = await repeat(RUNS * 4, async () => {
    await resetDb.exec('CREATE TABLE t (id int); CREATE SCHEMA s; CREATE TABLE s.t (id int);');
    await resetPglite(resetDb);
  });
  await resetDb.close();
  row('reset between tests (drop user schemas)', resets.map((t) => t));
}

if (ONLY !== 'browser') await benchNode();
if (ONLY === 'grader') process.exit(0);

console.log('\nBrowser (headless Chromium, built site, worker runner)');
const site = await serveBuiltSite(dist);
const browser = await launchChromium();
try {
  for (const lab of labs) {
    const bundle = loadLab(lab);
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${site.url}/labs/${lab}/`);
      // Pressed as soon as the button is enabled: the worker had only the page load to warm up.
      await page.waitForSelector('[data-part=run]:not([disabled])');
      cold.push(await time(() => runTests(page)));
      warm.push(await time(() => runTests(page)));
      await context.close();
    }
    const settled: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      // Pressed once the page has settled (editor loaded, nothing left to download): the usual case.
      await openLab(page, `${site.url}/labs/${lab}/`);
      await page.waitForLoadState('networkidle');
      settled.push(await time(() => runTests(page)));
      await context.close();
    }
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await openLab(page, `${site.url}/labs/${lab}/`);
    for (const path of bundle.manifest.files.editable) await replaceFile(page, path, bundle.solution![path]!);
    await runTests(page);
    const warmSolution = await repeat(RUNS, () => runTests(page));
    const presses: { firstVerdict: number; end: number }[] = [];
    for (let i = 0; i < RUNS; i++) presses.push(await timedPress(page, '[data-part=run]'));
    const tasks = new Map<number, number[]>();
    for (let i = 0; i < RUNS; i++) {
      for (const task of bundle.manifest.tasks) tasks.set(task.number, [...(tasks.get(task.number) ?? []), (await timedPress(page, `[data-run-task="${task.number}"]`)).end]);
    }
    const memory = await pageMemory(page);
    await context.close();
    const nodeWarm = warmNodeRounds(lab, RUNS);
    row(`${lab}: starter, first Run, pressed at once`, cold);
    row(`${lab}: starter, first Run, page settled`, settled, '   (target 1.5 s)');
    row(`${lab}: starter, next Run (warm)`, warm);
    row(`${lab}: solution, next Run (warm)`, warmSolution);
    row(`${lab}: solution, warm Run, in the page`, presses.map((p) => p.end), `   ${(median(presses.map((p) => p.end)) / median(nodeWarm)).toFixed(2)}x warm Node (target 1.25x)`);
    row(`  baseline: the same tests in a warm Node process`, nodeWarm);
    row(`${lab}: solution, warm Run, first verdict`, presses.map((p) => p.firstVerdict), '   (target 100 ms)');
    for (const [task, times] of tasks) row(`${lab}: Run this task, task ${task} (warm)`, times, '   (target 250 ms)');
    console.log(`  ${`${lab}: memory after the solution's Runs`.padEnd(44)} ${memory}   (page and workers, one measure; budget 600 MB)`);
  }

  console.log('\nJavaScript per page (gzipped)');
  const lesson = initialJavaScript(dist, '/lessons/event-sourcing/');
  console.log(`  ${'lesson page (event-sourcing)'.padEnd(44)} ${kb(lesson.gzipBytes).padStart(9)}   (${lesson.files.length} files, budget 30 KB)`);
  for (const lab of labs.slice(0, 1)) {
    const before = initialJavaScript(dist, `/labs/${lab}/`);
    const context = await browser.newContext();
    const page = await context.newPage();
    let all = 0;
    page.on('response', async (response) => {
      if (response.request().resourceType() !== 'script' && !response.url().endsWith('.js')) return;
      try {
        all += gzipSync(await response.body()).length;
      } catch {
        // a response without a body (a redirect) weighs nothing
      }
    });
    await openLab(page, `${site.url}/labs/${lab}/`);
    await page.waitForLoadState('networkidle');
    console.log(`  ${`lab page (${lab}), before the editor`.padEnd(44)} ${kb(before.gzipBytes).padStart(9)}`);
    console.log(`  ${`lab page (${lab}), editor and workers loaded`.padEnd(44)} ${kb(all).padStart(9)}`);
    await context.close();
  }
} finally {
  await browser.close();
  await site.stop();
}

if (ONLY !== 'browser') await benchLighthouse({ dist, runs: LIGHTHOUSE_RUNS });
