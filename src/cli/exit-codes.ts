import type { LabResult } from '../schemas/lab-result.ts';

/** The grader's exit codes, shared by every command that grades (grade, `npm test` in the full environment). */
export const EXIT = { fullMarks: 0, belowFullMarks: 1, couldNotGrade: 2 } as const;

export function exitCodeFor(result: LabResult): number {
  if (result.status === 'error') return EXIT.couldNotGrade;
  return result.status === 'pass' ? EXIT.fullMarks : EXIT.belowFullMarks;
}
