/**
 * The project's import layers (DESIGN.md, "Layout" and "One lab, three runtimes, one result"),
 * checked by dependency-cruiser. tests/unit/import-rules.test.ts runs these rules inside `npm test`
 * over src/, scripts/ and tests/, the code of .astro components and the imports of .mdx lessons
 * included (dependency-cruiser cannot read those two itself; the test gives it their code).
 * `npx depcruise src scripts tests` runs them over the .ts files alone, with each rule's reason.
 *
 * Parsing: TypeScript 7.0 has no JavaScript compiler API that dependency-cruiser can use (it takes
 * TypeScript below 7 or from 7.1 on), and without one it skips .ts files altogether; so it parses
 * with swc (@swc/core, a devDependency). swc's native binary comes as an optional dependency; its
 * postinstall, which only falls back to a WebAssembly build, is denied in package.json's
 * allowScripts. swc sees every import: `import type`, `export ... from` and dynamic `import()`.
 *
 * Type-only imports count for every rule: a type names the layer it comes from, and a type import
 * today is a value import after the next edit.
 */

/** Our own code, as opposed to npm packages, Node's built-in modules and virtual modules. */
const OURS = '^(src|scripts|tests|labs|templates)/';

/** The database engines: only runtimes and the labkit load them, never the page. */
const ENGINES = '(^|/)node_modules/(@electric-sql/pglite|sql\\.js)(/|$)|^(@electric-sql/pglite|sql\\.js)(/|$)';

/**
 * The site's code: what runs on a page or builds one, the lessons (src/content/, .mdx) included.
 * src/console/ held the lessons' SQL console before it moved into src/runner/console; a page-side
 * src/console would be site code again.
 */
const SITE = '^src/(client|components|pages|layouts|content|console)/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'labkit-self-contained',
      comment:
        "The labkit is what lab code and lab tests import, as 'labkit/*', in every runtime; the lab " +
        "page's editor loads its sources alone (src/client/editor.ts), so an import of another of our " +
        "modules, a type-only one too, would not resolve there. npm packages are fine.",
      severity: 'error',
      from: { path: '^src/labkit/' },
      to: { path: OURS, pathNot: '^src/labkit/' },
    },
    {
      name: 'schemas-self-contained',
      comment:
        'The schemas (lab.json, LabResult, lessons, quizzes...) are the shared vocabulary of every layer, ' +
        'the browser included; they depend on zod and on each other, never on the code that uses them.',
      severity: 'error',
      from: { path: '^src/schemas/' },
      to: { path: OURS, pathNot: '^src/schemas/' },
    },
    {
      name: 'site-no-engines',
      comment:
        'A page never loads PGlite or sql.js itself: the databases live in the runtimes (a Web Worker, ' +
        'a WebContainer), reached through src/runner/index.ts. This keeps the database out of the ' +
        "page's JavaScript and off its main thread.",
      severity: 'error',
      from: { path: SITE },
      to: { path: ENGINES },
    },
    {
      name: 'site-runner-single-door',
      comment:
        'The site reaches the runtimes through one door, src/runner/index.ts (the LabRunner interface, ' +
        "progress events, a lazy createRunner), and the build-time assets through src/runner/assets.ts; " +
        "a runner's internals can then change without touching a page.",
      severity: 'error',
      from: { path: SITE },
      to: { path: '^src/runner/', pathNot: '^src/runner/(index|assets)\\.ts$' },
    },
    {
      name: 'reports-read-only-lab-result',
      comment:
        'Reporters turn a LabResult into a format (pretty, JSON, JUnit, GitHub Classroom) and read ' +
        'nothing else, so a new format is one new module and every runtime gets it for free.',
      severity: 'error',
      from: { path: '^src/reports/' },
      to: { path: OURS, pathNot: '^(src/reports/|src/schemas/lab-result\\.ts$)' },
    },
    {
      name: 'cli-is-a-leaf',
      comment:
        'src/cli/ is the command line, the top of the stack: nothing imports it, not even scripts/ or ' +
        'tests/ (they run the commands, or import the modules the commands are made of).',
      severity: 'error',
      from: { pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle makes two modules one: neither can be understood, tested or loaded lazily without the ' +
        'other, and module evaluation order decides what is undefined at load time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // TypeScript 7's compiler has no JavaScript API for dependency-cruiser; swc parses .ts instead.
    parser: 'swc',
    // npm packages are not ours to check: a rule sees our import of a package, not its insides.
    doNotFollow: { path: 'node_modules' },
    // Submissions under tests/fixtures/ are test data (learners' and attackers' code, some of it
    // deliberately not valid UTF-8), run by the grader's tests, not part of the project's layers.
    exclude: { path: '^tests/fixtures/' },
    // Our imports name files with their .ts extension, as Node runs them; packages resolve
    // through their exports, as Node and Vite resolve them.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs'],
    },
    skipAnalysisNotInRules: true,
  },
};
