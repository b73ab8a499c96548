import { z } from 'zod';

const kebabCase = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Frontmatter fields a lesson adds to Starlight's own (title, description, ...).
 * They are optional at the collection level because the same collection also holds
 * non-lesson pages; `lessonFrontmatter` below is the strict form every file under
 * `lessons/` must satisfy, and the lesson tests check it.
 */
export const lessonFields = z.object({
  /** The strategy this lesson teaches, 1 to 12, as numbered in src/course/strategies.ts. @example 3 */
  strategy: z.number().int().min(1).max(12).optional(),
  /** One or two sentences shown under the title and on the home page. */
  summary: z.string().min(20).optional(),
  /** What the learner can do after the lesson, each starting with a verb. @example ["Append events with an expected version"] */
  objectives: z.array(z.string().min(5)).min(1).optional(),
  /** The id of the lab that practises this lesson (a folder under labs/). @example "event-sourcing" */
  lab: z.string().regex(kebabCase, 'a lab id is kebab-case, like "event-sourcing"').optional(),
});

export const lessonFrontmatter = lessonFields.required({ strategy: true, summary: true, objectives: true });
export type LessonFrontmatter = z.infer<typeof lessonFrontmatter>;
