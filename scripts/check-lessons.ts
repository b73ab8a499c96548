/**
 * npm run check:lessons [-- <slug> ...]: checks lessons without building the site, in seconds.
 * For each lesson: its frontmatter (its `lab:` against the course catalog: a lab that exists and
 * whose lab.json names the lesson's strategy), its quiz, its SQL console (the seed and every
 * suggested query, run in order on the real engine), its glossary terms, the parts every lesson
 * has, and its internal links. The unit tests run the same checks on every lesson.
 */
import { PGlite } from '@electric-sql/pglite';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import yaml from 'js-yaml';
import type { z } from 'zod';
import { readCatalog, type CatalogProblem } from '../src/course/catalog.ts';
import { strategies } from '../src/course/strategies.ts';
import { resetPglite } from '../src/labkit/db/pg.ts';
import { ensurePgSnapshot } from '../src/runner/node/engines.ts';
import { glossaryFile } from '../src/schemas/glossary.ts';
import { lessonFrontmatter } from '../src/schemas/lesson.ts';
import { quiz } from '../src/schemas/quiz.ts';
import { sqlConsole, type SqlConsole } from '../src/schemas/sql-console.ts';

const CONTENT = 'src/content';
const LESSONS = join(CONTENT, 'docs', 'lessons');
/** Pages outside the lessons that lessons may link to. */
const SITE_PAGES = ['/', '/glossary/', '/course-map/', '/progress/'];

export function lessonSlugs(): string[] {
  return readdirSync(LESSONS).filter((f) => f.endsWith('.mdx')).map((f) => f.replace(/\.mdx$/, '')).sort();
}

function readYaml(path: string): unknown {
  return yaml.load(readFileSync(path, 'utf8'));
}

function issues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
}

/** Every glossary id, from every lesson's glossary file. */
export function glossaryIds(): Map<string, string> {
  const ids = new Map<string, string>();
  const dir = join(CONTENT, 'glossary');
  if (!existsSync(dir)) return ids;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const parsed = glossaryFile.safeParse(readYaml(join(dir, file)));
    if (!parsed.success) continue;
    for (const term of parsed.data.terms) ids.set(term.id, file);
  }
  return ids;
}

type ReadCatalog = ReturnType<typeof readCatalog>;

function describeProblem(p: CatalogProblem): string {
  return `${p.where}: ${p.problem}. Fix: ${p.fix}`;
}

/** The catalog's problems about one lesson (its `lab:` field), as check:lessons prints them. */
export function lessonCatalogProblems(slug: string, read: ReadCatalog): string[] {
  const lesson = read.catalog.strategies.find((s) => s.lesson?.slug === slug)?.lesson;
  return lesson ? read.problems.filter((p) => p.where.startsWith(`${lesson.path} ›`)).map(describeProblem) : [];
}

/**
 * Problems with a lesson's files, apart from its console (see runConsole). `read` is the course
 * catalog with its problems; a lesson's `lab:` is checked there, against every lab.json.
 */
export function checkLessonFiles(slug: string, read: ReadCatalog = readCatalog()): string[] {
  const problems: string[] = [];
  const path = join(LESSONS, `${slug}.mdx`);
  const source = readFileSync(path, 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n/.exec(source);
  if (!match) return [`${path}: no frontmatter`];
  const frontmatter = yaml.load(match[1]!) as Record<string, unknown>;
  const parsed = lessonFrontmatter.safeParse(frontmatter);
  if (!parsed.success) problems.push(...issues(parsed.error).map((i) => `${path} frontmatter › ${i}`));
  if (typeof frontmatter.title !== 'string') problems.push(`${path}: frontmatter has no title`);
  const strategy = strategies.find((s) => s.slug === slug);
  if (!strategy) problems.push(`${path}: "${slug}" is not a strategy slug in src/course/strategies.ts`);
  else if (parsed.success && parsed.data.strategy !== strategy.number) problems.push(`${path}: strategy should be ${strategy.number}`);
  problems.push(...lessonCatalogProblems(slug, read));

  const body = source.slice(match[0].length);
  const required: [RegExp, string][] = [
    [/<SqlConsole\s+lesson="([a-z-]+)"/, 'a <SqlConsole lesson="..."/>'],
    [/<Quiz\s+lesson="([a-z-]+)"/, 'a <Quiz lesson="..."/>'],
    [/<InstructorNotes>/, 'an <InstructorNotes> block'],
    [/^## Further reading/m, 'a "## Further reading" section'],
    [/<figure class="diagram">/, 'a diagram in <figure class="diagram">'],
  ];
  for (const [pattern, what] of required) if (!pattern.test(body)) problems.push(`${path}: the lesson needs ${what}`);
  for (const [pattern] of required.slice(0, 2)) {
    const named = pattern.exec(body)?.[1];
    if (named && named !== slug) problems.push(`${path}: ${pattern.source.split('\\')[0]} names lesson "${named}"; use "${slug}"`);
  }

  const quizPath = join(CONTENT, 'quizzes', `${slug}.yaml`);
  if (!existsSync(quizPath)) problems.push(`${quizPath}: missing`);
  else {
    const result = quiz.safeParse(readYaml(quizPath));
    if (!result.success) problems.push(...issues(result.error).map((i) => `${quizPath} › ${i}`));
  }
  const consoles = consoleIds(slug);
  if (!consoles.includes(slug)) problems.push(`${join(CONTENT, 'consoles', `${slug}.yaml`)}: missing`);
  for (const id of consoles) {
    const consolePath = join(CONTENT, 'consoles', `${id}.yaml`);
    const result = sqlConsole.safeParse(readYaml(consolePath));
    if (!result.success) problems.push(...issues(result.error).map((i) => `${consolePath} › ${i}`));
  }
  for (const usage of body.matchAll(/<SqlConsole\s+lesson="([a-z-]+)"\s+part="([a-z-]+)"/g)) {
    if (!consoles.includes(`${usage[1]}--${usage[2]}`)) problems.push(`${path}: <SqlConsole part="${usage[2]}"> has no file src/content/consoles/${usage[1]}--${usage[2]}.yaml`);
  }
  const glossaryPath = join(CONTENT, 'glossary', `${slug}.yaml`);
  if (!existsSync(glossaryPath)) problems.push(`${glossaryPath}: missing (the lesson's terms for the glossary)`);
  else {
    const result = glossaryFile.safeParse(readYaml(glossaryPath));
    if (!result.success) problems.push(...issues(result.error).map((i) => `${glossaryPath} › ${i}`));
  }

  const terms = glossaryIds();
  // Every strategy has a lesson once the course is complete; the built-site link test checks they exist.
  const lessons = new Set(strategies.map((s) => s.slug));
  const labs = new Set(read.catalog.labs.map((l) => l.id));
  for (const link of body.matchAll(/(?:\]\(|href=["'])(\/[^)"'\s]*)/g)) {
    const target = link[1]!;
    const [pathPart, anchor] = target.split('#');
    const lesson = /^\/lessons\/([a-z-]+)\/$/.exec(pathPart!);
    const lab = /^\/labs\/([a-z-]+)\/$/.exec(pathPart!);
    const known = (lesson && lessons.has(lesson[1]!)) || (lab && labs.has(lab[1]!)) || SITE_PAGES.includes(pathPart!);
    if (!known) problems.push(`${path}: the link ${target} points nowhere (lessons are /lessons/<slug>/, labs /labs/<id>/)`);
    if (pathPart === '/glossary/' && anchor && !terms.has(anchor)) problems.push(`${path}: the glossary has no term with id "${anchor}"`);
  }
  return problems;
}

let pglite: Promise<PGlite> | undefined;
async function sharedPglite(): Promise<PGlite> {
  pglite ??= ensurePgSnapshot().then((path) => PGlite.create({ loadDataDir: new Blob([readFileSync(path)]) }));
  return pglite;
}

/** The consoles of a lesson: `<slug>` and any `<slug>--<part>` files. */
export function consoleIds(slug: string): string[] {
  const dir = join(CONTENT, 'consoles');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => f.replace(/\.yaml$/, ''))
    .filter((id) => id === slug || id.startsWith(`${slug}--`))
    .sort();
}

/** Runs the seed and each suggested query of every console of a lesson, in order, as a learner would. */
export async function runConsoles(slug: string): Promise<string[]> {
  const problems: string[] = [];
  for (const id of consoleIds(slug)) problems.push(...(await runConsole(id)));
  return problems;
}

async function runConsole(id: string): Promise<string[]> {
  const path = join(CONTENT, 'consoles', `${id}.yaml`);
  const parsed = sqlConsole.safeParse(readYaml(path));
  if (!parsed.success) return [`${path}: not valid, see above`];
  const definition: SqlConsole = parsed.data;
  const problems: string[] = [];
  const run = await consoleRunner(definition.engine);
  try {
    await run(definition.seed);
  } catch (error) {
    return [`${path} › seed: ${(error as Error).message}`];
  }
  for (const query of definition.queries) {
    let failure: string | undefined;
    try {
      await run(query.sql);
    } catch (error) {
      failure = (error as Error).message;
    }
    if (failure && !query.expectError) problems.push(`${path} › "${query.label}": ${failure}`);
    if (!failure && query.expectError) problems.push(`${path} › "${query.label}": expected an error (expectError: true), but it ran`);
  }
  return problems;
}

async function consoleRunner(engine: SqlConsole['engine']): Promise<(sql: string) => Promise<void>> {
  if (engine === 'pglite') {
    const db = await sharedPglite();
    await resetPglite(db);
    return async (sql) => {
      await db.exec(sql);
    };
  }
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  return async (sql) => {
    db.exec(sql);
  };
}

export async function closeConsoles(): Promise<void> {
  if (pglite) await (await pglite).close();
  pglite = undefined;
}

if (import.meta.main) {
  const slugs = process.argv.length > 2 ? process.argv.slice(2) : lessonSlugs();
  const read = readCatalog();
  let failed = 0;
  // Problems with the labs themselves (an unreadable lab.json) belong to no lesson.
  const lessonPaths = read.catalog.strategies.flatMap((s) => (s.lesson ? [`${s.lesson.path} ›`] : []));
  const others = read.problems.filter((p) => !lessonPaths.some((path) => p.where.startsWith(path)));
  if (others.length > 0) {
    console.log('FAIL course catalog');
    for (const problem of others) console.log(`     - ${describeProblem(problem)}`);
    failed += 1;
  }
  for (const slug of slugs) {
    const problems = [...checkLessonFiles(slug, read), ...(await runConsoles(slug))];
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${slug}`);
    for (const problem of problems) console.log(`     - ${problem}`);
    if (problems.length > 0) failed += 1;
  }
  await closeConsoles();
  process.exitCode = failed === 0 ? 0 : 1;
}
