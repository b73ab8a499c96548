/**
 * The class build: built with COURSE_CLASS_BUILD (a class file with a due date) into a temporary
 * folder, it contains no solution anywhere (no file holds a distinctive line of any solution
 * file) and no "Compare with solution"; the normal build (dist/, or SITE_DIR) has both, which also
 * proves the search below would find a solution if one leaked.
 *
 * One extra site build (~30-60 s), run under the lock the project's builds share.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { listLabIds } from '../../src/labs/list-labs.ts';
import { loadLab } from '../../src/labs/load-lab.ts';

const normalSite = process.env.SITE_DIR ?? 'dist';
const TEXT = /\.(html|js|mjs|json|css|txt|xml|md|map|svg|webmanifest)$/;

/**
 * Lines of a lab's solution found nowhere in what the course gives a learner (labs' starters,
 * tests, READMEs, manifests with their hints; lessons, consoles, quizzes and glossaries, which
 * may show a schema the solution also writes): finding one in the built site means a solution
 * leaked. Short lines (`return rows;`) are too common to tell anything.
 */
function distinctiveLines(labId: string, given: string): string[] {
  const bundle = loadLab(labId);
  const lines = new Set<string>();
  for (const [path, text] of Object.entries(bundle.solution!)) {
    if (bundle.starter[path] === text) continue;
    for (const line of text.split('\n').map((l) => l.trim())) if (line.length >= 30 && !given.includes(line)) lines.add(line);
  }
  return [...lines];
}

/** A line as it could appear in a built file: as is, inside a JSON string, or HTML-escaped. */
function forms(line: string): string[] {
  const html = line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [...new Set([line, JSON.stringify(line).slice(1, -1), html, html.replace(/'/g, '&#39;')])];
}

function textFiles(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((rel) => TEXT.test(rel))
    .map((rel) => ({ path: rel, text: readFileSync(join(dir, rel), 'utf8') }));
}

function leaks(files: Array<{ path: string; text: string }>, lines: string[]): string[] {
  const found: string[] = [];
  for (const line of lines) {
    for (const file of files) if (forms(line).some((form) => file.text.includes(form))) found.push(`${file.path}: ${line}`);
  }
  return found;
}

/** Every string in a lab's manifest, as written: a last hint may quote a line the solution has too. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

const labs = listLabIds();
const courseText = readdirSync('src/content', { recursive: true, encoding: 'utf8' })
  .filter((rel) => /\.(mdx?|ya?ml|json)$/.test(rel))
  .map((rel) => readFileSync(join('src/content', rel), 'utf8'));
const given = labs
  .map((id) => loadLab(id))
  .flatMap((b) => [...Object.values(b.starter), ...Object.values(b.tests), b.readme, ...stringsIn(b.manifest)])
  .concat(courseText)
  .join('\n');
const lines = Object.fromEntries(labs.map((id) => [id, distinctiveLines(id, given)]));
let dir: string;
let classSite: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'class-build-'));
  classSite = join(dir, 'site');
  const classFile = join(dir, 'class.json');
  writeFileSync(classFile, JSON.stringify({ dueDates: { [labs[0]!]: '2026-12-01T23:59' } }));
  const build = spawnSync('flock', ['/tmp/astro-build.lock', 'npx', 'astro', 'build', '--outDir', classSite], {
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', COURSE_CLASS_BUILD: classFile },
  });
  assert.equal(build.status, 0, `the class build failed:\n${build.stdout}\n${build.stderr}`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('class build: every lab has solution lines to look for', () => {
  for (const id of labs) assert.ok(lines[id]!.length >= 3, `${id}: only ${lines[id]!.length} distinctive solution lines`);
});

test('class build: no built file contains a solution, and there is no "Compare with solution" and no solution endpoint', () => {
  const files = textFiles(classSite);
  assert.ok(files.some((f) => f.path === join('labs', labs[0]!, 'index.html')), 'the lab pages were built');
  for (const id of labs) {
    assert.deepEqual(leaks(files, lines[id]!), [], `${id}: solution lines in the class build`);
    assert.ok(!existsSync(join(classSite, 'labs', id, 'solution.json')), `${id}: no solution endpoint`);
    const page = readFileSync(join(classSite, 'labs', id, 'index.html'), 'utf8');
    // assert.ok, not match: a failing match would print the whole page.
    assert.ok(!/compare-open|Compare with solution|data-solution-url|solution\.json/.test(page), `${id}: no solution control`);
    assert.ok(page.includes('Download my work'), `${id}: the learner can still download their work`);
  }
});

test('class build: the class file\'s due date is shown on its lab page', () => {
  const page = readFileSync(join(classSite, 'labs', labs[0]!, 'index.html'), 'utf8');
  assert.ok(/<strong[^>]*>Due:<\/strong> <time datetime="2026-12-01T23:59"[^>]*>1 December 2026, 23:59<\/time>/.test(page), 'the due date, written out');
});

test('normal build: "Compare with solution" and the solution endpoint are there (so the search above can find a leak)', () => {
  assert.ok(existsSync(join(normalSite, 'index.html')), `${normalSite}/ has no site: run npm run build first (npm test does)`);
  const files = textFiles(normalSite);
  // Solution endpoints are public in a normal build, and two labs' solutions may share a line.
  const pages = files.filter((f) => !/^labs\/[^/]+\/solution\.json$/.test(f.path));
  for (const id of labs) {
    const page = readFileSync(join(normalSite, 'labs', id, 'index.html'), 'utf8');
    assert.ok(/data-part="compare-open"[^>]*>Compare with solution</.test(page), `${id}: the button`);
    assert.deepEqual(leaks(pages, lines[id]!), [], `${id}: the solution is only in its endpoint, not in a page`);
    const endpoint = files.find((f) => f.path === join('labs', id, 'solution.json'));
    assert.ok(endpoint, `${id}: labs/${id}/solution.json`);
    assert.deepEqual(leaks([endpoint], lines[id]!).length, lines[id]!.length, `${id}: every distinctive line is found in the endpoint`);
  }
});
