import type { FileMap, LabBundle } from '../labs/bundle.ts';
import type { LabResult } from '../schemas/lab-result.ts';
import type { RunProgress } from './driver.ts';

export type { RunProgress } from './driver.ts';

/**
 * What every runtime implements: take a lab and the learner's files, run the lab's tests,
 * return a LabResult. The page, the grader and the reporters know only this interface.
 */
export interface LabRunner {
  readonly runtime: LabResult['runtime'];
  /** Runs all the lab's tests. `onProgress` hears each test start and end as it happens. */
  run(bundle: LabBundle, learnerFiles: FileMap, onProgress?: (progress: RunProgress) => void): Promise<LabResult>;
  /** Frees what the runner keeps warm between runs (workers, processes). */
  dispose(): void;
}
