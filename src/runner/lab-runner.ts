import type { FileMap, LabBundle } from '../labs/bundle.ts';
import type { LabResult } from '../schemas/lab-result.ts';
import type { RunProgress } from './driver.ts';

export type { RunProgress } from './driver.ts';
export { NOT_RUN_STOPPED } from './driver.ts';

/** What a caller may ask of one run. */
export interface RunOptions {
  /** The run's seed (the lab page's Seed field, the grader's --seed), from which scheduleSeeds() starts; a random one when absent. */
  seed?: number;
  /** Run only these test ids; the result holds only them. All tests when absent. */
  only?: readonly string[];
  /**
   * Run only the tests of these tasks (by number); the result holds only them. Needs no earlier
   * run to know which tests those are. `only`, when given, wins.
   */
  tasks?: readonly number[];
  /**
   * Stops the run when aborted: the test that was running is recorded as an error ("Stopped by
   * you while it ran."), the tests not yet run as NOT_RUN_STOPPED, and `run()` still resolves
   * with the LabResult, whose message says the run was stopped.
   */
  signal?: AbortSignal;
}

/**
 * What every runtime implements: take a lab and the learner's files, run the lab's tests,
 * return a LabResult. The page, the grader and the reporters know only this interface.
 */
export interface LabRunner {
  readonly runtime: LabResult['runtime'];
  /**
   * Gets the runtime ready before the first run, so the learner's first Run does not wait for
   * it: a worker loads its engines, a WebContainer boots and installs. Optional; `run()` works
   * without it. Rejects with a message for the learner when the runtime cannot start.
   */
  prepare?(bundle: LabBundle, learnerFiles: FileMap): Promise<void>;
  /** Runs the lab's tests. `onProgress` hears each test start and end as it happens. */
  run(bundle: LabBundle, learnerFiles: FileMap, onProgress?: (progress: RunProgress) => void, options?: RunOptions): Promise<LabResult>;
  /** Frees what the runner keeps warm between runs (workers, processes). */
  dispose(): void;
}
