/**
 * The course catalog: the twelve strategies joined with their lessons and their labs, from the
 * data itself. A lesson belongs to the strategy whose slug is its file name
 * (src/content/docs/lessons/<slug>.mdx); a lab belongs to the strategy its lab.json names,
 * whatever its id. Nothing else in the course decides which lab goes with which strategy: the
 * home page, the progress page, the course map, a lesson's "Open the lab" link, the sidebar
 * and the README's lab table all read this, so adding a lab is dropping a folder into labs/.
 *
 * Node only, at build time (astro.config.mjs, Astro pages, scripts) and in tests; the browser
 * receives what it needs as plain data in the page. The catalog reads each lab's lab.json only,
 * not its files: the loader (src/labs/load-lab.ts) checks a lab folder as a whole.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import yaml from 'js-yaml';
import type { LabProblem } from '../labs/lab-format-error.ts';
import { labsRoot, listLabIds } from '../labs/list-labs.ts';
import { describeIssue } from '../labs/load-lab.ts';
import { labManifest } from '../schemas/lab-manifest.ts';
import { strategies as courseStrategies, type Strategy } from './strategies.ts';

/** A lab as the catalog knows it: enough to link to it and to list it. */
export interface CatalogLab {
  /** The lab's id, its folder under labs/ and its page /labs/<id>/. */
  id: string;
  title: string;
  /** One line on what the learner builds (lab.json `summary`), when the lab gives one. */
  summary?: string;
  /** The strategy number its lab.json names. */
  strategy: number;
  /** Its lab.json, as a path to show in messages (relative to the working directory when inside it). */
  manifestPath: string;
}

/** A lesson as the catalog knows it. */
export interface CatalogLesson {
  /** The lesson's slug: its file name and its page /lessons/<slug>/; the strategy's slug. */
  slug: string;
  title: string;
  /** The lesson file, as a path to show in messages. */
  path: string;
  /** The lab its frontmatter names with `lab:`, if any; checked against the catalog. */
  lab?: string;
}

/** One strategy with its lesson (when the file exists) and its labs (any number, by id). */
export interface CatalogStrategy extends Strategy {
  lesson?: CatalogLesson;
  labs: CatalogLab[];
}

export interface Catalog {
  /** All twelve, in teaching order. */
  strategies: CatalogStrategy[];
  /** Every lab, by strategy number then id. */
  labs: CatalogLab[];
}

/** Something the catalog cannot accept, in the shape of a lab problem: where, what, the fix. */
export type CatalogProblem = LabProblem;

/** Thrown by `courseCatalog` when the data does not join up. Its message lists every problem. */
export class CatalogError extends Error {
  readonly problems: CatalogProblem[];

  constructor(problems: CatalogProblem[]) {
    const lines = problems.map((p) => `  - ${p.where}: ${p.problem}\n    Fix: ${p.fix}`);
    super(`The course catalog does not join up (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'CatalogError';
    this.problems = problems;
  }
}

/** A lesson file, read: its slug, path and frontmatter fields the catalog uses. */
export interface LessonSource {
  slug: string;
  path: string;
  title?: string;
  lab?: string;
}

/** A lab's lab.json, read and checked by the manifest schema. */
export interface LabSource {
  /** The folder name. */
  folder: string;
  manifestPath: string;
  id: string;
  title: string;
  summary?: string;
  strategy: number;
}

export interface CatalogSources {
  strategies: readonly Strategy[];
  lessons: LessonSource[];
  labs: LabSource[];
  /** The labs folder as shown in messages; `labs` by default. */
  labsDir?: string;
}

/**
 * Joins strategies, lessons and labs. Pure: the same sources give the same catalog and problems.
 * Lessons whose slug is no strategy's are left out (`npm run check:lessons` names them).
 */
export function joinCatalog(sources: CatalogSources): { catalog: Catalog; problems: CatalogProblem[] } {
  const problems: CatalogProblem[] = [];
  const labs: CatalogLab[] = sources.labs
    .map((l) => ({ id: l.id, title: l.title, ...(l.summary === undefined ? {} : { summary: l.summary }), strategy: l.strategy, manifestPath: l.manifestPath }))
    .sort((a, b) => a.strategy - b.strategy || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const lab of sources.labs) {
    if (lab.id !== lab.folder) problems.push({ where: `${lab.manifestPath} › id`, problem: `the id is "${lab.id}" but the folder is "${lab.folder}"`, fix: `set "id" to "${lab.folder}" or rename the folder` });
  }

  const strategies: CatalogStrategy[] = sources.strategies.map((s) => {
    const found = sources.lessons.find((l) => l.slug === s.slug);
    const lesson: CatalogLesson | undefined = found && { slug: found.slug, title: found.title ?? s.title, path: found.path, ...(found.lab === undefined ? {} : { lab: found.lab }) };
    return { ...s, ...(lesson ? { lesson } : {}), labs: labs.filter((l) => l.strategy === s.number) };
  });
  for (const strategy of strategies) if (strategy.lesson) problems.push(...lessonLabProblems(strategy.lesson, strategy, labs, sources.labsDir));
  return { catalog: { strategies, labs }, problems };
}

/**
 * What is wrong with a lesson's `lab:` field: it must name a lab that exists and whose lab.json
 * names the lesson's strategy. Each message names both files, the lesson and the lab.json.
 */
export function lessonLabProblems(lesson: CatalogLesson, strategy: Strategy, labs: readonly CatalogLab[], labsDir = 'labs'): CatalogProblem[] {
  if (lesson.lab === undefined) return [];
  const where = `${lesson.path} › lab`;
  const own = labs.filter((l) => l.strategy === strategy.number);
  const nameOwn = own.length > 0 ? `name a lab of strategy ${strategy.number} (${own.map((l) => `"${l.id}"`).join(', ')}) or remove the field` : undefined;
  const lab = labs.find((l) => l.id === lesson.lab);
  if (!lab) {
    const manifest = `${labsDir}/${lesson.lab}/lab.json`;
    return [
      {
        where,
        problem: `names the lab "${lesson.lab}", but there is no ${manifest}`,
        fix: nameOwn ?? `remove the field (strategy ${strategy.number} has no lab yet), or create ${manifest} with "strategy": ${strategy.number}`,
      },
    ];
  }
  if (lab.strategy !== strategy.number) {
    const named = courseStrategies.find((s) => s.number === lab.strategy);
    return [
      {
        where,
        problem: `names the lab "${lab.id}", but ${lab.manifestPath} says "strategy": ${lab.strategy}${named ? ` (${named.title})` : ''} and this lesson teaches strategy ${strategy.number} (${strategy.title})`,
        fix: `${nameOwn ?? `remove the field (strategy ${strategy.number} has no lab yet)`}; if the lab does practise strategy ${strategy.number}, set "strategy": ${strategy.number} in ${lab.manifestPath}`,
      },
    ];
  }
  return [];
}

export interface CatalogOptions {
  /** Where lab folders live; the course's labs/ by default. */
  labsRoot?: string;
  /** Where lesson files live; src/content/docs/lessons/ under the course root by default. */
  lessonsDir?: string;
  /** The strategies; the course's twelve by default. */
  strategies?: readonly Strategy[];
}

/** The course's lessons folder (the course root is the working directory, or COURSE_ROOT). */
export function lessonsDir(): string {
  return join(process.env.COURSE_ROOT ?? process.cwd(), 'src', 'content', 'docs', 'lessons');
}

/** Reads the sources from disk and joins them; every problem found is returned, none thrown. */
export function readCatalog(options: CatalogOptions = {}): { catalog: Catalog; problems: CatalogProblem[] } {
  const problems: CatalogProblem[] = [];
  const lessons = readLessons(options.lessonsDir ?? lessonsDir(), problems);
  const root = options.labsRoot ?? labsRoot();
  const labs = readLabs(root, problems);
  const joined = joinCatalog({ strategies: options.strategies ?? courseStrategies, lessons, labs, labsDir: shown(root) });
  return { catalog: joined.catalog, problems: [...problems, ...joined.problems] };
}

/** The catalog, or a CatalogError that names every problem. What the site and the scripts use. */
export function courseCatalog(options: CatalogOptions = {}): Catalog {
  const { catalog, problems } = readCatalog(options);
  if (problems.length > 0) throw new CatalogError(problems);
  return catalog;
}

/** A path to show in a message: relative to the working directory when inside it, with forward slashes. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return (rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path).split(sep).join('/');
}

function readLessons(dir: string, problems: CatalogProblem[]): LessonSource[] {
  if (!existsSync(dir)) return [];
  const lessons: LessonSource[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mdx')).sort()) {
    const path = shown(join(dir, file));
    const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(readFileSync(join(dir, file), 'utf8'));
    let frontmatter: unknown;
    try {
      frontmatter = match ? yaml.load(match[1]!) : undefined;
    } catch (error) {
      problems.push({ where: path, problem: `the frontmatter is not valid YAML (${(error as Error).message.split('\n')[0]})`, fix: 'correct the YAML between the --- lines' });
      continue;
    }
    const data = typeof frontmatter === 'object' && frontmatter !== null ? (frontmatter as Record<string, unknown>) : {};
    const lesson: LessonSource = { slug: file.replace(/\.mdx$/, ''), path };
    if (typeof data.title === 'string') lesson.title = data.title;
    if (data.lab !== undefined) {
      if (typeof data.lab === 'string') lesson.lab = data.lab;
      else problems.push({ where: `${path} › lab`, problem: `expected a lab id, got ${JSON.stringify(data.lab)}`, fix: 'write the id of a lab, like lab: event-sourcing' });
    }
    lessons.push(lesson);
  }
  return lessons;
}

function readLabs(root: string, problems: CatalogProblem[]): LabSource[] {
  const labs: LabSource[] = [];
  for (const folder of listLabIds(root)) {
    const file = join(root, folder, 'lab.json');
    const manifestPath = shown(file);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push({ where: manifestPath, problem: `not valid JSON (${(error as Error).message})`, fix: 'correct the JSON syntax; a trailing comma or a missing quote is the usual cause' });
      continue;
    }
    const parsed = labManifest.safeParse(json, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const problem = describeIssue(issue);
        problems.push({ ...problem, where: problem.where.replace(/^lab\.json/, manifestPath) });
      }
      continue;
    }
    const { id, title, summary, strategy } = parsed.data;
    labs.push({ folder, manifestPath, id, title, ...(summary === undefined ? {} : { summary }), strategy });
  }
  return labs;
}
