/**
 * Messages between a run's driver (which owns the clock and the verdicts) and the executor
 * that runs lab code (a browser worker or a Node child process). Plain data, so they cross
 * postMessage and IPC unchanged.
 */
import type { FileMap } from '../labs/bundle.ts';
import type { PlannedTest, TestOutcome } from '../schemas/lab-result.ts';

export interface RunRequest {
  type: 'run';
  labId: string;
  /** Every file of the run: lab code under src/ (learner files laid over the starter) and tests under tests/. */
  sources: FileMap;
  testFiles: string[];
  defaultTimeoutMs: number;
  /** Limits by test id, derived from the reference solution's times (driver.ts); a test's own timeoutMs wins. */
  testTimeoutsMs?: Record<string, number>;
  /** The engines to start before the first test, so their start-up never counts against a test's time. */
  databases: ('pglite' | 'sqljs')[];
  /** Seeds the inputs of the lab's CI-only checks; printed with a failure so it can be replayed. */
  seed: number;
  /** Run only these test ids (after an executor was replaced mid-run); all when absent. */
  only?: string[];
  /** Run only the tests of these task numbers ("Run this task"); `only`, when given, wins. */
  tasks?: number[];
  /** Stop at the first test that does not pass (a mutant needs one failing test, not all). */
  stopAfterFailure?: boolean;
}

/** The steps of an executor's start, in order; `npm run grade -- --timings` shows what each cost. */
export type StartPhase = 'process-start' | 'modules-loaded' | 'run-received' | 'sandbox-ready' | 'databases-ready' | 'tests-loaded' | 'lab-compiled';

export type ExecutorEvent =
  /**
   * The executor reached a step of its start, at `at` (ms since the epoch, so the parent can
   * line it up with its own clock). Only for the timing breakdown: no verdict depends on it.
   * `testFiles` (with tests-loaded) lists the test ids each test file declared.
   */
  | { type: 'phase'; phase: StartPhase; at: number; testFiles?: Record<string, string[]> }
  | { type: 'plan'; tests: PlannedTest[] }
  /** A lab file under src/ that does not compile; sent before any lab code runs. */
  | { type: 'compile-error'; file: string; line?: number; column?: number; message: string }
  | { type: 'evaluating'; file: string }
  | { type: 'lab-loaded' }
  | { type: 'test-start'; id: string }
  | { type: 'test-end'; id: string; outcome: TestOutcome }
  | { type: 'done' }
  /** The run could not start: the test files themselves are broken, or an engine failed to load. */
  | { type: 'fatal'; message: string };
