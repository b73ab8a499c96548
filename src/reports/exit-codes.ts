/**
 * The exit codes of every command of the course (grade, gradebook, verify, mutate, and `npm
 * test` in the full environment), in one place so that they mean the same everywhere:
 *
 *   0 passed          what was checked met its bar: a score at or above the pass mark, every
 *                     lab verified, a mutation score at or above the bar; for the gradebook,
 *                     the class was graded (a submission that could not be graded has a row)
 *   1 belowPassMark   it ran to the end and fell short: a score below the pass mark, a lab with
 *                     problems, a mutation score below the bar (the gradebook never exits 1)
 *   2 couldNotGrade   it could not do the job: bad usage, an unknown or invalid lab, no test
 *                     ran, the lab folder changed during the run, an output that cannot be written
 *
 * "Fell short" and "could not" differ so that CI can tell a learner's shortfall from a broken
 * submission or a broken setup. Here in reports/, beside the pass mark, rather than in cli/:
 * the WebContainer project's `npm test` imports it too, and nothing imports from cli/.
 */
import type { LabResult } from '../schemas/lab-result.ts';
import { meetsPassMark } from './pass-mark.ts';

export const EXIT = { passed: 0, belowPassMark: 1, couldNotGrade: 2 } as const;

/** `passMark` defaults to full marks, so without it only a perfect score exits 0. */
export function exitCodeFor(result: LabResult, passMark: number = result.maxScore): number {
  if (result.status === 'error') return EXIT.couldNotGrade;
  return meetsPassMark(result, { passMark }) ? EXIT.passed : EXIT.belowPassMark;
}
