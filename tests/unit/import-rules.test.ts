/**
 * The import layers of .dependency-cruiser.mjs hold in src/, scripts/ and tests/, and each rule can fail.
 *
 * dependency-cruiser reads .ts files (with swc), not .astro components or .mdx lessons. So the check
 * runs on a copy of the tree in which each component and lesson has a shadow next to it holding its
 * code: X.astro.ts with the frontmatter and the <script>s, X.mdx.tsx with the import/export
 * paragraphs. Relative imports of .astro/.mdx files point at their shadows, so the graph runs
 * through components too. The same rules then see every import of the site, and a violation names
 * the .astro or .mdx file.
 *
 * The copy is also where the second test plants one import that breaks each rule, to show the check
 * reports exactly that rule and that file.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import config from '../../.dependency-cruiser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What the rules are checked over; tests/ matters for cli-is-a-leaf and no-circular. */
const SCANNED = ['src', 'scripts', 'tests'];
/** Learners' (and attackers') submissions: test data, excluded by the config too. */
const FIXTURES = join(ROOT, 'tests', 'fixtures');

const SHADOW = { '.astro': '.astro.ts', '.mdx': '.mdx.tsx' } as const;

interface Violation {
  rule: string;
  from: string;
  to: string;
  cycle?: string[];
}

/** A shadow's name back to the file it stands for. */
function original(path: string): string {
  return path.replace(/\.astro\.ts$/, '.astro').replace(/\.mdx\.tsx$/, '.mdx');
}

function violationText(v: Violation): string {
  return `${v.rule}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${[v.from, ...v.cycle].join(' → ')})` : ''}`;
}

/** The frontmatter and the script elements of an .astro component, as one module's code. */
function astroCode(text: string): string {
  const parts: string[] = [];
  const frontmatter = /^\s*---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (frontmatter) parts.push(frontmatter[1]!);
  const template = frontmatter ? text.slice(frontmatter[0].length) : text;
  // An opening tag, its attributes read past quoted values and {expressions} that may hold '>'.
  const opening = /<script\b((?:[^>"'{]|"[^"]*"|'[^']*'|\{[^}]*\})*)>/g;
  for (let match = opening.exec(template); match; match = opening.exec(template)) {
    const attributes = match[1]!;
    if (attributes.trimEnd().endsWith('/')) continue; // <script ... /> holds no code
    const end = template.indexOf('</script', opening.lastIndex);
    const body = template.slice(opening.lastIndex, end === -1 ? undefined : end);
    if (end !== -1) opening.lastIndex = end;
    const type = /\btype\s*=\s*["']?([^"'\s>]+)/.exec(attributes)?.[1];
    if (type && !/^(module|text\/javascript|application\/javascript|text\/typescript)$/i.test(type)) continue; // JSON data, templates
    parts.push(body);
  }
  return parts.join('\n;\n');
}

/** The ESM of an .mdx lesson: the paragraphs that start with import or export, outside code fences. */
function mdxCode(text: string): string {
  const body = text.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
  const paragraphs: string[] = [];
  let current: string[] = [];
  let fence: string | undefined;
  for (const line of body.split(/\r?\n/)) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (marker) {
      fence = marker;
      continue;
    }
    if (line.trim() === '') {
      paragraphs.push(current.join('\n'));
      current = [];
    } else current.push(line);
  }
  paragraphs.push(current.join('\n'));
  return paragraphs.filter((p) => /^(import|export)\b/.test(p)).join('\n');
}

/** Points relative imports of components and lessons at their shadows. */
function toShadows(code: string): string {
  return code.replace(/(['"])(\.\.?\/[^'"\n]*?)(\.astro|\.mdx)\1/g, (_all, quote: string, path: string, ext: keyof typeof SHADOW) => `${quote}${path}${SHADOW[ext]}${quote}`);
}

/** Writes a shadow beside every .astro and .mdx file under dir/src. */
function writeShadows(dir: string): void {
  for (const rel of readdirSync(join(dir, 'src'), { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, 'src', rel);
    if (rel.endsWith('.astro')) writeFileSync(path.replace(/\.astro$/, SHADOW['.astro']), toShadows(astroCode(readFileSync(path, 'utf8'))));
    if (rel.endsWith('.mdx')) writeFileSync(path.replace(/\.mdx$/, SHADOW['.mdx']), toShadows(mdxCode(readFileSync(path, 'utf8'))));
  }
}

/** A copy of the scanned folders (without the fixtures) and package.json, sharing node_modules. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'import-rules-'));
  for (const top of SCANNED) {
    cpSync(join(ROOT, top), join(dir, top), { recursive: true, filter: (path) => path !== FIXTURES && !path.startsWith(FIXTURES + sep) });
  }
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Runs the rules over a copied tree (writing its shadows first). */
async function check(dir: string): Promise<{ violations: Violation[]; result: ICruiseResult }> {
  writeShadows(dir);
  const { output } = await cruise(SCANNED, {
    ...config.options,
    baseDir: dir,
    // node_modules is a link to the real one; keep its paths under the copy.
    preserveSymlinks: true,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  });
  assert.equal(typeof output, 'object', 'dependency-cruiser returns its result as an object');
  const result = output as ICruiseResult;
  const violations = (result.summary.violations ?? []).map((v) => ({
    rule: v.rule.name,
    from: original(v.from),
    to: original(v.to),
    ...(v.cycle ? { cycle: v.cycle.map((step) => original(step.name)) } : {}),
  }));
  return { violations, result };
}

let tree: string;
let real: Awaited<ReturnType<typeof check>>;

before(async () => {
  tree = copyTree();
  real = await check(tree);
});
after(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
});

test('the import layers hold in src/, scripts/ and tests/, .astro components and .mdx lessons included', () => {
  assert.equal(real.violations.length, 0, `${real.violations.length} import(s) break the layers of .dependency-cruiser.mjs:\n${real.violations.map(violationText).join('\n')}\n`);
});

test('the check reads every .ts file and every kind of import', () => {
  const modules = new Map(real.result.modules.map((m) => [original(m.source), m]));
  // Without a TypeScript parser dependency-cruiser skips .ts files and would find nothing to break.
  const unread = SCANNED.flatMap((top) =>
    readdirSync(join(tree, top), { recursive: true, encoding: 'utf8' })
      .map((rel) => `${top}/${rel.split(sep).join('/')}`)
      .filter((path) => /\.(ts|astro|mdx)$/.test(path) && !/\.(astro\.ts|mdx\.tsx|d\.ts)$/.test(path) && !modules.has(path)),
  );
  assert.deepEqual(unread, [], 'files dependency-cruiser did not read');
  const edge = (from: string, to: string) => modules.get(from)?.dependencies.find((d) => original(d.resolved) === to);
  const expectations: [string, string, (types: string[], dynamic: boolean) => boolean][] = [
    ['src/cli/grade.ts', 'src/runner/node/node-runner.ts', (types) => types.includes('import')],
    ['src/reports/json.ts', 'src/schemas/lab-result.ts', (types) => types.includes('type-only')],
    ['src/runner/index.ts', 'src/runner/worker/worker-runner.ts', (types, dynamic) => dynamic && types.includes('dynamic-import')],
    ['src/components/Quiz.astro', 'src/client/quiz-element.ts', (types) => types.includes('import')],
    ['src/content/docs/lessons/cqrs.mdx', 'src/components/Quiz.astro', (types) => types.includes('import')],
  ];
  for (const [from, to, kind] of expectations) {
    const found = edge(from, to);
    assert.ok(found, `the check sees ${from} → ${to} (if one of them moved, update this list)`);
    assert.ok(kind(found.dependencyTypes, found.dynamic), `${from} → ${to} is read as ${found.dependencyTypes.join(', ')}`);
  }
});

/** Files to add to the copy, each breaking one rule (or none, for the allowed ones) in its own way. */
const PLANTED: Record<string, string> = {
  // labkit-self-contained, through a type-only import
  'src/labkit/db/planted-schema-type.ts': "import type { LabResult } from '../../schemas/lab-result.ts';\nexport type Planted = LabResult;\n",
  // schemas-self-contained, through a re-export
  'src/schemas/planted-reexport.ts': "export { listLabIds } from '../labs/list-labs.ts';\n",
  // site-no-engines, through a dynamic import in client code
  'src/client/planted-engine.ts': "export const load = () => import('@electric-sql/pglite');\n",
  // site-no-engines, from a page's frontmatter
  'src/pages/planted-engine.astro': "---\nimport initSqlJs from 'sql.js';\nconst SQL = await initSqlJs();\n---\n<p>{String(SQL)}</p>\n",
  // site-runner-single-door, from a component's <script>
  'src/components/PlantedRunner.astro':
    '<div data-runner></div>\n<script type="application/json" data-config set:html={config} />\n<script>\n  import { WorkerRunner } from \'../runner/worker/worker-runner.ts\';\n  console.log(WorkerRunner);\n</script>\n',
  // site-runner-single-door, from a lesson (the import in its code fence is an example, not an import)
  'src/content/docs/lessons/planted-lesson.mdx':
    "---\ntitle: Planted\n---\nimport { NodeRunner } from '../../../runner/node/node-runner.ts';\n\nSome text.\n\n```ts\nimport { PGlite } from '@electric-sql/pglite';\n```\n",
  // allowed: the runner's door and its assets, from a page and from client code
  'src/pages/planted-allowed.astro': "---\nimport { assetUrl } from '../runner/assets.ts';\nimport type { LabRunner } from '../runner/index.ts';\n---\n<p>{assetUrl('/', 'pgSnapshot')}</p>\n",
  'src/client/planted-allowed.ts': "import { createRunner } from '../runner/index.ts';\nexport { createRunner };\n",
  // reports-read-only-lab-result (importing a fellow reporter and the result schema is fine)
  'src/reports/planted-bundle.ts':
    "import type { LabResult } from '../schemas/lab-result.ts';\nimport { pretty } from './planted-fellow.ts';\nimport type { LabBundle } from '../labs/bundle.ts';\nexport type Planted = [LabResult, LabBundle, typeof pretty];\n",
  'src/reports/planted-fellow.ts': 'export const pretty = 1;\n',
  // cli-is-a-leaf, from scripts/ (a command importing a command is fine)
  'src/cli/planted-command.ts': "import { other } from './planted-other-command.ts';\nexport const command = other;\n",
  'src/cli/planted-other-command.ts': 'export const other = 1;\n',
  'scripts/planted-script.ts': "import { command } from '../src/cli/planted-command.ts';\nconsole.log(command);\n",
  // no-circular
  'src/labs/planted-cycle-a.ts': "import { b } from './planted-cycle-b.ts';\nexport const a = () => b;\n",
  'src/labs/planted-cycle-b.ts': "import { a } from './planted-cycle-a.ts';\nexport const b = () => a;\n",
};

const EXPECTED = [
  'labkit-self-contained: src/labkit/db/planted-schema-type.ts → src/schemas/lab-result.ts',
  'schemas-self-contained: src/schemas/planted-reexport.ts → src/labs/list-labs.ts',
  'site-no-engines: src/client/planted-engine.ts → node_modules/@electric-sql/pglite/',
  'site-no-engines: src/pages/planted-engine.astro → node_modules/sql.js/',
  'site-runner-single-door: src/components/PlantedRunner.astro → src/runner/worker/worker-runner.ts',
  'site-runner-single-door: src/content/docs/lessons/planted-lesson.mdx → src/runner/node/node-runner.ts',
  'reports-read-only-lab-result: src/reports/planted-bundle.ts → src/labs/bundle.ts',
  'cli-is-a-leaf: scripts/planted-script.ts → src/cli/planted-command.ts',
  'no-circular: src/labs/planted-cycle-a.ts → src/labs/planted-cycle-b.ts',
];

test('each rule fails on an import planted to break it, naming that rule and that file', async () => {
  const already = new Set(real.violations.map(violationText));
  for (const [path, code] of Object.entries(PLANTED)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), code);
  }
  const planted = await check(tree);
  // An npm package's entry file depends on its version; the rule is about the package.
  const found = planted.violations
    .filter((v) => !already.has(violationText(v)))
    .map((v) => `${v.rule}: ${v.from} → ${v.to.replace(/^(node_modules\/(@[^/]+\/)?[^/]+\/).*$/, '$1')}`)
    .sort();
  assert.deepEqual(found, [...EXPECTED].sort());
  assert.ok(
    real.violations.every((v) => planted.violations.some((p) => violationText(p) === violationText(v))),
    'planting adds violations and removes none',
  );
});
