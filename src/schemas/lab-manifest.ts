/**
 * `lab.json`: the file contract of a lab. Every file in the lab folder is named here or is one
 * of the fixed files (lab.json, README.md), so the loader can reject anything unexpected.
 * Field descriptions live in `.meta()`, from which README.md's lab.json reference is generated
 * (`npm run docs`).
 */
import { z } from 'zod';

const kebabCase = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** A path inside a lab bundle: forward slashes, no `..`, under src/ or tests/. */
const bundlePath = (root: 'src' | 'tests') =>
  z
    .string()
    .regex(new RegExp(`^${root}/([a-z0-9][a-z0-9._-]*/)*[a-z0-9][a-z0-9._-]*\\.ts$`), `a path like "${root}/event-store.ts" (lower case, ending in .ts)`);

export const labTask = z.strictObject({
  number: z.number().int().min(1).meta({ description: 'The task number, 1 for the first. The README has a "## Task N: title" heading for it, and tests name it.', examples: [1] }),
  title: z.string().min(3).meta({ description: "The task's title, exactly as in its README heading.", examples: ['Append with optimistic concurrency'] }),
  hints: z.array(z.string().min(3)).default([]).meta({ description: 'Hints the learner opens one at a time, from a nudge to nearly the answer.' }),
});

export const labManifest = z.strictObject({
  id: z.string().regex(kebabCase, 'kebab-case, like "event-sourcing"').meta({ description: "The lab's id: kebab-case, equal to its folder name.", examples: ['event-sourcing'] }),
  title: z.string().min(3).meta({ description: 'The title shown on the lab page.', examples: ['An event store for the Orders service'] }),
  summary: z
    .string()
    .min(10)
    .regex(/^[^\r\n]*$/, 'one line, with no line break')
    .optional()
    .meta({
      description: "One line on what the learner builds, for the lab table in README.md (`npm run docs` writes it there). Without it the table shows the title.",
      examples: ["the Orders service's event store: optimistic concurrency, rehydration, snapshots, a projection with a checkpoint, upcasting"],
    }),
  strategy: z.number().int().min(1).max(12).meta({ description: 'The strategy (1-12) the lab practises; its lesson links to the lab.', examples: [3] }),
  version: z.number().int().min(1).meta({ description: 'Bump it when the tests change, so saved work and results can tell which tests they met.', examples: [1] }),
  objectives: z.array(z.string().min(5)).min(1).meta({ description: 'What the learner will have practised, each starting with a verb.' }),
  files: z
    .strictObject({
      editable: z.array(bundlePath('src')).min(1).meta({ description: "The learner's files: the editor's tabs, and all that a submission may contain.", examples: [['src/event-store.ts']] }),
      readonly: z.array(bundlePath('src')).default([]).meta({ description: 'Given files the learner reads but does not change (types, errors). Identical in starter/ and solution/.', examples: [['src/events.ts']] }),
    })
    .meta({ description: 'Every file of starter/ and solution/, by its bundle path (src/...).' }),
  tests: z.array(bundlePath('tests')).min(1).meta({ description: 'The graded test files (and their helpers) under tests/. Each test declares its task and points.', examples: [['tests/append.test.ts']] }),
  ciTests: z
    .array(bundlePath('tests'))
    .default([])
    .meta({
      description:
        "Test files only the grader runs, never shipped to the site: they hold `ciCheck(testName, fn)` checks that try a graded test's behaviour on more inputs drawn from a seed, so an answer fitted to the visible examples fails in CI. They add no tests and no points.",
      examples: [['tests/ci/amounts.test.ts']],
    }),
  services: bundlePath('src')
    .optional()
    .meta({
      description:
        "A module, listed in files, whose default export `(network) => Promise<ServiceHandle[]>` starts the lab's services on a labkit network. `npm start` in the full environment serves each of them on a port of its own. Leave it out when the lab has no services to run.",
      examples: ['src/services.ts'],
    }),
  databases: z.array(z.enum(['pglite', 'sqljs'])).default([]).meta({ description: 'The engines the lab uses; the runner starts only these, before the first test.', examples: [['pglite', 'sqljs']] }),
  tasks: z.array(labTask).min(1).meta({ description: "The lab's numbered tasks, in order." }),
  limits: z
    .strictObject({
      testTimeoutMs: z.number().int().min(100).max(60_000).default(5_000).meta({ description: 'The time limit of one test, unless the test sets its own timeoutMs.' }),
      runTimeoutMs: z.number().int().min(1_000).max(600_000).default(120_000).meta({ description: 'The time limit of a whole run, all tests included.' }),
    })
    .default({ testTimeoutMs: 5_000, runTimeoutMs: 120_000 })
    .meta({ description: 'Time limits.' }),
});

export type LabManifest = z.infer<typeof labManifest>;
export type LabTask = z.infer<typeof labTask>;
