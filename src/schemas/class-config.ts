/**
 * The class file: settings of a class build, the copy of the site an instructor hands to a
 * class (no solutions, no "Show solution"). Read at build time only; no DOM or Astro imports.
 */
import { z } from 'zod';

/** `2026-12-01` (a day) or `2026-12-01T23:59` (a day and a time, shown as written). */
const dueDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/, 'a date as YYYY-MM-DD or YYYY-MM-DDTHH:MM');

export const classConfig = z.strictObject({
  /**
   * Due dates by lab id, shown on each lab's page.
   * @example { "event-sourcing": "2026-12-01T23:59" }
   */
  dueDates: z.record(z.string(), dueDate).default({}),
});
export type ClassConfig = z.infer<typeof classConfig>;
