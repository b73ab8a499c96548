/**
 * The same bundle and files give the same verdicts in every runtime. For every lab, its starter,
 * its solution and one plausible learner mistake (from tests/fixtures/lab-submissions/) are
 * graded by the Node grader and by the worker in Chromium on the built site, with one seed, and
 * compared test by test: id, verdict, points. The bundle is the one the site ships (no solution,
 * no CI-only tests), so both sides run exactly the same tests.
 *
 * In the browser the files reach the runner the way a returning learner's do: saved in the
 * page's storage, restored by the lab page, then Run. The WebContainer project tree is compared
 * the same way under plain Node in tests/webcontainer/mounted-project.test.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { solutionFiles, type FileMap, type LabBundle } from '../../src/labs/bundle.ts';
import { listLabIds } from '../../src/labs/list-labs.ts';
import { loadLab } from '../../src/labs/load-lab.ts';
import { NodeRunner } from '../../src/runner/node/node-runner.ts';
import type { LabResult } from '../../src/schemas/lab-result.ts';
import { readSubmission } from '../../src/submissions/folder.ts';
import { useSiteAndBrowser } from './support/session.ts';

const session = useSiteAndBrowser();

/** One seed for every runtime: fault schedules derive from it. */
const SEED = 20261207;
/**
 * The starter fails nearly everything and the solution passes everything; a mistake passes most
 * tests and fails a few, the mix a learner mostly sees. One is enough to compare the runtimes on
 * it, and each more costs every lab about ten seconds of CI.
 */
const MISTAKES_PER_LAB = 1;

interface Variant {
  name: string;
  files: FileMap;
}

/** A test's verdict as a learner reads it: which test, what it says, what it earned of what. */
interface Verdict {
  id: string;
  status: string;
  points: string;
}

function variantsOf(id: string, bundle: LabBundle): Variant[] {
  const mistakesDir = join('tests', 'fixtures', 'lab-submissions', id, 'mistakes');
  const mistakes = readdirSync(mistakesDir).sort().slice(0, MISTAKES_PER_LAB);
  assert.ok(mistakes.length > 0, `${mistakesDir} holds no mistake`);
  return [
    { name: 'starter', files: {} },
    { name: 'solution', files: solutionFiles(loadLab(id)) },
    ...mistakes.map((name) => ({ name: `mistake ${name}`, files: readSubmission(bundle, join(mistakesDir, name)).files })),
  ];
}

function verdictsOf(result: LabResult): Verdict[] {
  return result.tests.map((t) => ({ id: t.id, status: t.status, points: `${t.earned} / ${t.points}` }));
}

/** Grades each variant in Node, two at a time, before the browser starts (so neither slows the other's time limits). */
async function gradeInNode(bundle: LabBundle, variants: Variant[]): Promise<LabResult[]> {
  const results: LabResult[] = new Array(variants.length);
  let next = 0;
  const worker = async () => {
    // The next child starts while a variant runs, as the gradebook's do.
    const runner = new NodeRunner({ prestart: true });
    try {
      while (next < variants.length) {
        const i = next++;
        results[i] = await runner.run(bundle, variants[i]!.files, undefined, { seed: SEED });
      }
    } finally {
      runner.dispose();
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

/** The editable files as the editor holds them: the starter's, with the learner's laid over. */
function editorFiles(bundle: LabBundle, files: FileMap): FileMap {
  return Object.fromEntries(bundle.manifest.files.editable.map((path) => [path, files[path] ?? bundle.starter[path]!]));
}

/** Saves `files` as the learner's work for the lab (the lab page's own storage), as an earlier visit would have. */
async function saveWork(page: Page, bundle: LabBundle, files: FileMap): Promise<void> {
  const work = { version: 1, labId: bundle.manifest.id, labVersion: bundle.manifest.version, files: editorFiles(bundle, files), savedAt: Date.now() };
  await page.evaluate(
    (value) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('data-in-microservices');
        open.onupgradeneeded = () => open.result.createObjectStore('saved-work');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('saved-work', 'readwrite');
          tx.objectStore('saved-work').put(value, `work:${value.labId}`);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    work,
  );
}

/**
 * Opens the lab page with the saved work, runs with SEED, and reads each test's row as shown.
 * The work is saved from another page of the site: a lab page saves its own files as it is left,
 * which could write over the ones saved here.
 */
async function gradeInBrowser(page: Page, bundle: LabBundle, files: FileMap): Promise<{ verdicts: Verdict[]; result: LabResult }> {
  await page.goto(`${session.site.url}/progress/`);
  await saveWork(page, bundle, files);
  await page.goto(`${session.site.url}/labs/${bundle.manifest.id}/`);
  await page.waitForSelector('lab-workbench[data-ready]', { timeout: 60_000 });
  const restored = await page.evaluate(() => (document.querySelector('lab-workbench') as unknown as { currentFiles(): FileMap }).currentFiles());
  assert.deepEqual(restored, editorFiles(bundle, files), 'the lab page should restore exactly the saved work');
  await page.getByLabel('Seed', { exact: true }).fill(String(SEED));
  await page.getByRole('button', { name: 'Run tests' }).click();
  await page.waitForSelector('lab-workbench[data-last-status]', { timeout: 120_000 });
  await page.waitForSelector('[data-part=run]:not([disabled])');
  const verdicts = await page.locator('.results-test').evaluateAll((rows) =>
    rows.map((row) => ({
      id: (row as HTMLElement).dataset.testId ?? '',
      status: (row as HTMLElement).dataset.status ?? '',
      points: (row.querySelector('.results-points')?.textContent ?? '').trim(),
    })),
  );
  const result = await page.evaluate(() => (document.querySelector('lab-workbench') as unknown as { lastResult: LabResult }).lastResult);
  return { verdicts, result };
}

/** Each test whose verdict differs, with what each runtime said, so a maintainer can act on it. */
function differences(node: LabResult, browserVerdicts: Verdict[], browser: LabResult): string[] {
  const shown = new Map(browserVerdicts.map((v) => [v.id, v]));
  const messages = new Map(browser.tests.map((t) => [t.id, t.message]));
  const problems: string[] = [];
  for (const [i, expected] of verdictsOf(node).entries()) {
    const got = shown.get(expected.id);
    if (!got) {
      problems.push(`${expected.id}: Node ran it (${expected.status}, ${expected.points}), the page shows no such test`);
    } else if (got.status !== expected.status || got.points !== expected.points) {
      problems.push(
        `${expected.id}: Node says ${expected.status} (${expected.points}): ${node.tests[i]!.message || 'no message'}\n` +
          `    the page says ${got.status} (${got.points}): ${messages.get(expected.id) || 'no message'}`,
      );
    }
  }
  for (const id of shown.keys()) if (!node.tests.some((t) => t.id === id)) problems.push(`${id}: the page shows it, Node did not run it`);
  return problems;
}

// LAB=<id> limits the run to one lab, as in tests/labs/lab-submissions.test.ts.
for (const id of process.env.LAB ? [process.env.LAB] : listLabIds()) {
  test(`${id}: starter, solution and a mistake get the same verdicts, test by test, in Node and in the browser's worker`, async () => {
    // What the lab page embeds: no solution, no CI-only tests.
    const bundle = loadLab(id, { withoutSolution: true, withoutCiTests: true });
    const variants = variantsOf(id, bundle);
    const inNode = await gradeInNode(bundle, variants);

    const maxScore = inNode[0]!.maxScore;
    assert.ok(inNode[0]!.score < maxScore, `the starter should fall short in Node; it got ${inNode[0]!.score} / ${maxScore}`);
    assert.equal(inNode[1]!.score, maxScore, `the solution should get full points in Node:\n${inNode[1]!.tests.filter((t) => t.status !== 'pass').map((t) => `${t.id}: ${t.message}`).join('\n')}`);

    const context = await session.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const problems: string[] = [];
    try {
      for (const [i, variant] of variants.entries()) {
        const { verdicts, result } = await gradeInBrowser(page, bundle, variant.files);
        assert.equal(result.runtime, 'worker');
        for (const problem of differences(inNode[i]!, verdicts, result)) problems.push(`${id}, ${variant.name}, ${problem}`);
        if (result.score !== inNode[i]!.score) problems.push(`${id}, ${variant.name}: Node scored ${inNode[i]!.score}, the page ${result.score}`);
      }
    } finally {
      await context.close();
    }
    assert.deepEqual(problems, [], `the runtimes disagree:\n${problems.join('\n')}`);
    assert.deepEqual(pageErrors, []);
  });
}
