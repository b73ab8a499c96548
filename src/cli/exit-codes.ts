import { meetsPassMark } from '../reports/pass-mark.ts';
import type { LabResult } from '../schemas/lab-result.ts';

/**
 * The grader's exit codes, shared by every command that grades (grade, `npm test` in the full
 * environment). "Below the pass mark" and "could not grade" differ so that CI can tell a
 * learner's shortfall from a broken submission or a broken setup.
 */
export const EXIT = { passed: 0, belowPassMark: 1, couldNotGrade: 2 } as const;

/** `passMark` defaults to full marks, so without it only a perfect score exits 0. */
export function exitCodeFor(result: LabResult, passMark: number = result.maxScore): number {
  if (result.status === 'error') return EXIT.couldNotGrade;
  return meetsPassMark(result, { passMark }) ? EXIT.passed : EXIT.belowPassMark;
}
