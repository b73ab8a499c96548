/**
 * The driver of a run: the one place that owns the clock and the verdicts, shared by every
 * runtime. It sends the run to an executor, arms a watchdog for each phase, and when an
 * executor hangs or dies it records the verdict, replaces the executor and carries on with
 * the tests that are left. Whatever happens, the result comes from `buildLabResult`.
 */
import { sourcesForRun, type FileMap, type LabBundle } from '../labs/bundle.ts';
import { testTimeLimits } from '../labs/test-time-limits.ts';
import type { CompileErrorReport, LabResult, PlannedTest, TestOutcome } from '../schemas/lab-result.ts';
import type { ExecutorEvent, RunRequest } from './protocol.ts';

/** One executor: a worker or a child process that runs lab code. */
export interface ExecutorHandle {
  send(request: RunRequest): void;
  /** Sets the listeners for this executor's events and for its unexpected end. */
  listen(onEvent: (event: ExecutorEvent) => void, onExit: (reason: string) => void): void;
  /** Stops it at once, whatever it is doing. */
  kill(): void;
}

/** Where executors come from. A pool may keep a healthy one warm for the next run. */
export interface ExecutorPool {
  acquire(): ExecutorHandle;
  /** Gives back an executor that finished its run normally. */
  release(executor: ExecutorHandle): void;
}

export type RunProgress =
  | { type: 'plan'; tests: PlannedTest[] }
  | { type: 'test-start'; id: string }
  | { type: 'test-end'; id: string; outcome: TestOutcome }
  | { type: 'notice'; message: string }
  /** A lab file that does not compile, told once per file, before the tests run. */
  | ({ type: 'compile-error' } & CompileErrorReport);

export interface DriveOptions {
  bundle: LabBundle;
  learnerFiles: FileMap;
  runtime: LabResult['runtime'];
  pool: ExecutorPool;
  onProgress?: (progress: RunProgress) => void;
  /** How long an executor may take to start its engines and read the tests. */
  bootTimeoutMs?: number;
  /** The seed of the CI-only checks' inputs; a random one when absent. */
  seed?: number;
  /** Run only these test ids (the mutation runner runs the tests that reach a mutant); all when absent. */
  only?: readonly string[];
  /** Run only the tests of these tasks; `only`, when given, wins. */
  tasks?: readonly number[];
  /** Stop at the first test that does not pass; the tests after it are reported as not run. */
  stopAfterFailure?: boolean;
  /** Aborted when the learner stops the run: the executor is killed at once and the result says so. */
  signal?: AbortSignal;
}

/** What a test not run because an earlier one failed (with `stopAfterFailure`) says. */
export const NOT_RUN_AFTER_FAILURE = 'Not run: the run stopped at the first test that did not pass.';
/** What a test not reached because the learner stopped the run says. */
export const NOT_RUN_STOPPED = 'Not run: you stopped the run.';
/** What the test that was running when the learner stopped the run says. */
export const STOPPED_BY_YOU = 'Stopped by you while it ran.';
/** The result's message for a run the learner stopped. */
export const RUN_STOPPED = 'You stopped the run.';

/** Extra time past a test's limit before the driver steps in, for the executor's own bookkeeping. */
const GRACE_MS = 250;
/**
 * Extra time between two tests: after a test that left the database in a state a reset cannot
 * undo, the executor starts a fresh one from the snapshot (about 1 s, more on a busy machine).
 */
const RELOAD_MS = 3_000;

type AttemptEnd = { kind: 'done' } | { kind: 'retry' } | { kind: 'stop' };

export async function driveRun(options: DriveOptions): Promise<LabResult> {
  const { bundle, pool } = options;
  const manifest = bundle.manifest;
  const started = performance.now();
  // The result's schema (zod) loads while the tests run: a lab page that only warms its runner
  // up does not evaluate it while the learner is still reading.
  const resultSchema = import('../schemas/lab-result.ts');
  const deadline = started + manifest.limits.runTimeoutMs;
  const bootTimeoutMs = options.bootTimeoutMs ?? 60_000;
  const progress = options.onProgress ?? (() => {});

  let plan: PlannedTest[] = [];
  const outcomes = new Map<string, TestOutcome>();
  let problem: string | undefined;
  const compileErrors = new Map<string, CompileErrorReport>();
  const { signal } = options;

  const record = (id: string, outcome: TestOutcome) => {
    if (outcomes.has(id)) return;
    outcomes.set(id, outcome);
    progress({ type: 'test-end', id, outcome });
  };
  const wanted = (id: string) => {
    if (options.only) return options.only.includes(id);
    if (options.tasks) return options.tasks.includes(plan.find((t) => t.id === id)?.task ?? -1);
    return true;
  };
  const remaining = () => plan.map((t) => t.id).filter((id) => wanted(id) && !outcomes.has(id));
  const failRemaining = (status: TestOutcome['status'], message: string) => {
    for (const id of remaining()) record(id, { status, message, durationMs: 0 });
  };

  const request: RunRequest = {
    type: 'run',
    labId: manifest.id,
    sources: { ...sourcesForRun(bundle, options.learnerFiles), ...bundle.tests },
    // CI-only test files run wherever the bundle carries them: in the grader, never on the site.
    testFiles: [...manifest.tests, ...manifest.ciTests.filter((path) => path in bundle.tests)],
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
    defaultTimeoutMs: manifest.limits.testTimeoutMs,
    ...(bundle.testTimesMs ? { testTimeoutsMs: testTimeLimits(bundle) } : {}),
    databases: manifest.databases,
    ...(options.stopAfterFailure ? { stopAfterFailure: true } : {}),
    ...(options.tasks && !options.only ? { tasks: [...options.tasks] } : {}),
  };

  const attempt = (only: string[] | undefined): Promise<AttemptEnd> =>
    new Promise((resolve) => {
      if (signal?.aborted) {
        resolve({ kind: 'stop' });
        return;
      }
      const executor = pool.acquire();
      let phase: 'boot' | 'loading' | 'test' | 'between' = 'boot';
      let evaluating = '';
      let current: PlannedTest | undefined;
      let testStarted = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let finished = false;

      const finish = (end: AttemptEnd, healthy: boolean) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (healthy) pool.release(executor);
        else executor.kill();
        resolve(end);
      };
      const arm = (ms: number) => {
        clearTimeout(timer);
        const untilDeadline = deadline - performance.now();
        const onRunDeadline = untilDeadline < ms;
        timer = setTimeout(() => (onRunDeadline ? outOfTime() : onTimeout()), Math.max(0, Math.min(ms, untilDeadline)));
      };
      const onAbort = () => {
        if (finished) return;
        if (current) record(current.id, { status: 'error', message: STOPPED_BY_YOU, durationMs: performance.now() - testStarted });
        failRemaining('error', NOT_RUN_STOPPED);
        finish({ kind: 'stop' }, false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const outOfTime = () => {
        if (current) record(current.id, { status: 'timeout', message: `Stopped: the whole run reached its limit of ${seconds(manifest.limits.runTimeoutMs)}.`, durationMs: performance.now() - testStarted });
        failRemaining('error', `Not run: the whole run reached its limit of ${seconds(manifest.limits.runTimeoutMs)} before this test started.`);
        finish({ kind: 'stop' }, false);
      };
      const onTimeout = () => {
        if (phase === 'boot') {
          problem = `The test environment did not start within ${seconds(bootTimeoutMs)}.`;
          finish({ kind: 'stop' }, false);
        } else if (phase === 'loading') {
          failRemaining('error', `Your code did not finish loading: ${evaluating || 'a lab file'} was still running after ${seconds(manifest.limits.testTimeoutMs)}. Look for a loop at the top level of that file that never ends.`);
          finish({ kind: 'stop' }, false);
        } else if (phase === 'test' && current) {
          record(current.id, {
            status: 'timeout',
            message: `Stopped after ${seconds(current.timeoutMs)}: the test did not finish in time. Look for a loop that never ends, or a promise that is never resolved or awaited.`,
            durationMs: performance.now() - testStarted,
          });
          if (remaining().length > 0) progress({ type: 'notice', message: `"${current.name}" was stopped at its time limit; the remaining tests run in a fresh environment.` });
          finish(remaining().length > 0 ? { kind: 'retry' } : { kind: 'stop' }, false);
        } else {
          finish({ kind: 'retry' }, false);
        }
      };

      // Events are observations from code that may be hostile: each is accepted only in the
      // phase where the executor would send it, for a test it was asked to run, once.
      executor.listen(
        (event) => {
          if (finished) return;
          switch (event.type) {
            case 'plan':
              if (phase !== 'boot') return;
              if (plan.length === 0) {
                plan = event.tests;
                progress({ type: 'plan', tests: plan });
              }
              phase = 'loading';
              arm(manifest.limits.testTimeoutMs);
              break;
            case 'compile-error': {
              // Only before lab code runs, as the executor sends it; and each file once, across attempts.
              if (phase !== 'boot' && phase !== 'loading') return;
              if (typeof event.file !== 'string' || !event.file.startsWith('src/') || typeof event.message !== 'string') return;
              if (compileErrors.has(event.file) || compileErrors.size >= 100) return;
              const report: CompileErrorReport = {
                file: event.file,
                ...(isPosition(event.line) ? { line: event.line } : {}),
                ...(isPosition(event.line) && isPosition(event.column) ? { column: event.column } : {}),
                message: event.message.slice(0, 2_000),
              };
              compileErrors.set(event.file, report);
              progress({ type: 'compile-error', ...report });
              break;
            }
            case 'evaluating':
              if (phase === 'loading') evaluating = event.file;
              break;
            case 'lab-loaded':
              if (phase !== 'loading') return;
              phase = 'between';
              arm(manifest.limits.testTimeoutMs);
              break;
            case 'test-start': {
              if (phase !== 'between') return;
              const next = plan.find((t) => t.id === event.id);
              if (!next || outcomes.has(next.id) || (only && !only.includes(next.id))) return;
              current = next;
              phase = 'test';
              testStarted = performance.now();
              progress({ type: 'test-start', id: event.id });
              arm(current.timeoutMs + GRACE_MS);
              break;
            }
            case 'test-end':
              if (phase !== 'test' || current?.id !== event.id) return;
              record(event.id, event.outcome);
              current = undefined;
              phase = 'between';
              arm(manifest.limits.testTimeoutMs + RELOAD_MS);
              break;
            case 'done':
              if (phase !== 'between') return;
              failRemaining('error', options.stopAfterFailure ? NOT_RUN_AFTER_FAILURE : 'This test never reported a result.');
              finish({ kind: 'done' }, true);
              break;
            case 'fatal':
              if (phase !== 'boot' && phase !== 'loading') return;
              problem = event.message;
              finish({ kind: 'stop' }, false);
              break;
          }
        },
        (reason) => {
          if (finished) return;
          const what = `The test process stopped unexpectedly (${reason})`;
          if (phase === 'boot') {
            problem = `${what} before the tests could start.`;
            finish({ kind: 'stop' }, false);
          } else if (phase === 'loading') {
            failRemaining('error', `${what} while loading ${evaluating || 'your code'}. Look at what that file does at the top level (process.exit(), a large allocation).`);
            finish({ kind: 'stop' }, false);
          } else {
            if (current) {
              record(current.id, { status: 'error', message: `${what} during this test.`, durationMs: performance.now() - testStarted });
              if (remaining().length > 0) progress({ type: 'notice', message: `"${current.name}" ended the test process; the remaining tests run in a fresh environment.` });
            }
            finish(remaining().length > 0 ? { kind: 'retry' } : { kind: 'stop' }, false);
          }
        },
      );
      arm(bootTimeoutMs);
      executor.send(only ? { ...request, only } : request);
    });

  let end = await attempt(options.only ? [...options.only] : undefined);
  while (end.kind === 'retry' && remaining().length > 0 && performance.now() < deadline) {
    end = await attempt(remaining());
  }
  const stoppedByYou = signal?.aborted === true;
  if (plan.length > 0 && remaining().length > 0) {
    failRemaining('error', stoppedByYou ? NOT_RUN_STOPPED : (problem ?? `Not run: the whole run reached its limit of ${seconds(manifest.limits.runTimeoutMs)}.`));
  }

  const { buildLabResult } = await resultSchema;
  return buildLabResult({
    labId: manifest.id,
    labVersion: manifest.version,
    runtime: options.runtime,
    plan: plan.filter((t) => wanted(t.id)),
    outcomes,
    problem,
    durationMs: performance.now() - started,
    compileErrors: [...compileErrors.values()],
    ...(stoppedByYou ? { message: RUN_STOPPED } : {}),
  });
}

function isPosition(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value < 10_000_000;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
