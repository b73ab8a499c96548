/**
 * The pass mark: the score a lab result needs to count as passed. It is not part of the
 * LabResult (the same run can be judged against different marks), so every reporter that
 * mentions it takes it as an option, and all of them settle the default here.
 */
import type { LabResult } from '../schemas/lab-result.ts';

export interface PassMarkOptions {
  /** The score needed to pass, 0..maxScore. Default: full marks. */
  passMark?: number;
}

export function passMarkOf(result: LabResult, options: PassMarkOptions = {}): number {
  return options.passMark ?? result.maxScore;
}

/** Graded and at or above the pass mark. A run that could not be graded never passes. */
export function meetsPassMark(result: LabResult, options: PassMarkOptions = {}): boolean {
  return result.status !== 'error' && result.score >= passMarkOf(result, options);
}
