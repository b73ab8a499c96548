import { z } from 'zod';

const kebabCase = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** A path inside a lab bundle: forward slashes, no `..`, under src/ or tests/. */
const bundlePath = (root: 'src' | 'tests') =>
  z
    .string()
    .regex(new RegExp(`^${root}/([a-z0-9][a-z0-9._-]*/)*[a-z0-9][a-z0-9._-]*\\.ts$`), `a path like "${root}/event-store.ts" (lower case, ending in .ts)`);

/** One numbered task of a lab. The README has a "Task N" heading for it, and tests name it by number. */
export const labTask = z.strictObject({
  /** The task number, 1 for the first. @example 1 */
  number: z.number().int().min(1),
  /** The task's heading, as in the README. @example "Append with optimistic concurrency" */
  title: z.string().min(3),
  /** Hints revealed one at a time, from a nudge to nearly the answer. */
  hints: z.array(z.string().min(3)).default([]),
});

/**
 * `lab.json`: the file contract of a lab. Every file in the lab folder is named here or is
 * one of the fixed files (lab.json, README.md), so the loader can reject anything unexpected.
 */
export const labManifest = z.strictObject({
  /** The lab's id: kebab-case, equal to its folder name and, for a strategy's main lab, the strategy's slug. @example "event-sourcing" */
  id: z.string().regex(kebabCase, 'kebab-case, like "event-sourcing"'),
  /** The title shown on the lab page. */
  title: z.string().min(3),
  /** The strategy number (1-12) this lab practises. */
  strategy: z.number().int().min(1).max(12),
  /** Bump when the tests change, so saved results and submissions can tell which tests they met. */
  version: z.number().int().min(1),
  /** What the learner will have practised. */
  objectives: z.array(z.string().min(5)).min(1),
  files: z.strictObject({
    /** The files the learner edits: the editor's tabs, and all a submission may contain. */
    editable: z.array(bundlePath('src')).min(1),
    /** Files given to the learner that they read but do not change (types, helpers). */
    readonly: z.array(bundlePath('src')).default([]),
  }),
  /** The graded test files. Each test in them declares its task and points. */
  tests: z.array(bundlePath('tests')).min(1),
  /** The engines the lab's code uses; the runner starts only these. */
  databases: z.array(z.enum(['pglite', 'sqljs'])).default([]),
  tasks: z.array(labTask).min(1),
  limits: z
    .strictObject({
      /** The time limit of one test unless the test sets its own. */
      testTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
      /** The time limit of a whole run, all tests included. */
      runTimeoutMs: z.number().int().min(1_000).max(600_000).default(120_000),
    })
    .default({ testTimeoutMs: 5_000, runTimeoutMs: 120_000 }),
});

export type LabManifest = z.infer<typeof labManifest>;
export type LabTask = z.infer<typeof labTask>;
