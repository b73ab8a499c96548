/**
 * The gradebook: every learner's LabResult per lab, plus what is needed to merge shards safely
 * (the course version, each lab's version and a hash of its tests). One schema, read back by
 * `gradebook merge`, so a shard made by another course version is refused rather than mixed in.
 */
import { z } from 'zod';
import { labResult } from '../schemas/lab-result.ts';

export const GRADEBOOK_VERSION = 1;

export const shard = z.strictObject({
  /** 1-based: shard K of N. */
  index: z.number().int().min(1),
  count: z.number().int().min(1),
});
export type Shard = z.infer<typeof shard>;

export const gradebookLab = z.strictObject({
  id: z.string(),
  title: z.string(),
  version: z.number().int(),
  maxScore: z.number().min(0),
  /** sha256 of the lab's test files: two checkouts with the same version but other tests differ here. */
  testsHash: z.string(),
});
export type GradebookLab = z.infer<typeof gradebookLab>;

/**
 * One learner's outcome for one lab. `graded`: a result with a score. `error`: the submission
 * could not be graded (unreadable, no test ran); `missing`: nothing was handed in.
 */
export const labEntry = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('graded'), source: z.string(), notes: z.array(z.string()), result: labResult }),
  z.strictObject({ state: z.literal('error'), source: z.string(), notes: z.array(z.string()), error: z.string(), result: labResult.optional() }),
  z.strictObject({ state: z.literal('missing'), notes: z.array(z.string()) }),
]);
export type LabEntry = z.infer<typeof labEntry>;

export const learnerRow = z.strictObject({
  id: z.string(),
  labs: z.record(z.string(), labEntry),
});
export type LearnerRow = z.infer<typeof learnerRow>;

export const gradebook = z.strictObject({
  version: z.literal(GRADEBOOK_VERSION),
  course: z.strictObject({ name: z.string(), version: z.string() }),
  labs: z.array(gradebookLab),
  /** The slice this gradebook holds; null when it holds the whole class (ungraded in shards, or merged). */
  shard: shard.nullable(),
  /** For a merged gradebook: the shards it was made from. */
  mergedFrom: z.array(shard.nullable()).optional(),
  /** Shards of the set (1..N) that the merge did not receive: their learners are absent. */
  missingShards: z.array(z.number().int()).optional(),
  generatedAt: z.string(),
  learners: z.array(learnerRow),
});
export type Gradebook = z.infer<typeof gradebook>;

/** The score to report for an entry, or undefined when there is none (not graded, not handed in). */
export function scoreOf(entry: LabEntry | undefined): number | undefined {
  return entry?.state === 'graded' ? entry.result.score : undefined;
}
