/**
 * Runs one RunRequest inside an executor (a browser worker or a Node child process) and
 * reports what it observes. The one limit it keeps is the loop guard's (loop-guard.ts): lab
 * code's loops end themselves a little before a test's limit, so the run goes on in this same
 * executor. Anything else that hangs (a promise never settled, a loop in a test file) is the
 * driver's to stop, by replacing the whole executor.
 */
import { engines } from '../../labkit/db/engines.ts';
import { databaseReady, endTestDatabases, resetTestDatabase } from '../../labkit/db/test-databases.ts';
import { closeAllNetworks } from '../../labkit/service/network.ts';
import { startCollecting, stopCollecting, type RegisteredTest } from '../../labkit/test/collector.ts';
import { isAssertionError } from '../../labkit/test/expect.ts';
import type { TestOutcome } from '../../schemas/lab-result.ts';
import { epochNow } from '../epoch-now.ts';
import type { ExecutorEvent, RunRequest } from '../protocol.ts';
import { captureConsole } from './capture-console.ts';
import { seededRandom } from '../../labkit/faults/seeded-random.ts';
import { setRunSeed } from '../../labkit/faults/schedule-seeds.ts';
import { compileErrorBehind, describeError } from './describe-error.ts';
import { hostModules } from './host-modules.ts';
import { LoopGuard } from './loop-guard.ts';
import { ModuleSystem, type LabCodeEvaluator } from './module-system.ts';

/** How the grader's child confines lab code (see node/lockdown.ts); other runtimes pass nothing. */
export interface ExecuteHooks {
  /** Evaluates the lab's files under src/ (in the grader: in an SES Compartment). */
  evaluateLabCode?: LabCodeEvaluator;
  /** The modules tests and lab code import (in the grader: hardened). */
  hostModules?: Record<string, unknown>;
}

export async function executeRun(request: RunRequest, emit: (event: ExecutorEvent) => void, hooks: ExecuteHooks = {}): Promise<void> {
  try {
    // Before any test file loads: scheduleSeeds() starts at the run's seed, so a seed a failure names replays it.
    setRunSeed(request.seed, request.labId);
  } catch (error) {
    emit({ type: 'fatal', message: `The run could not start: ${describeError(error)}` });
    return;
  }
  try {
    if (request.databases.includes('pglite')) await resetTestDatabase();
    if (request.databases.includes('sqljs')) await engines().sqljs();
  } catch (error) {
    emit({ type: 'fatal', message: `A database engine failed to start: ${describeError(error)}` });
    return;
  }
  emit({ type: 'phase', phase: 'databases-ready', at: epochNow() });

  const loopGuard = new LoopGuard();
  const modules = new ModuleSystem({
    sources: request.sources,
    loopGuard,
    hostModules: hooks.hostModules ?? hostModules,
    evaluateLabCode: hooks.evaluateLabCode,
    onEvaluate: (file) => {
      if (file.startsWith('src/')) emit({ type: 'evaluating', file });
    },
  });

  let tests: readonly RegisteredTest[];
  const collector = startCollecting(request.defaultTimeoutMs, request.testTimeoutsMs);
  const testFiles: Record<string, string[]> = {};
  try {
    // One file at a time, to know which tests each declares (for the timing breakdown).
    for (const path of request.testFiles) {
      const before = collector.tests.length;
      modules.loadTestFiles([path]);
      testFiles[path] = collector.tests.slice(before).map((test) => test.id);
    }
    collector.attachChecks();
    // Frozen before any lab code runs: no code of the run can change what a test checks.
    tests = collector.seal();
  } catch (error) {
    emit({ type: 'fatal', message: `The lab's test files could not be loaded: ${describeError(error)}` });
    return;
  } finally {
    stopCollecting();
  }
  emit({ type: 'phase', phase: 'tests-loaded', at: epochNow(), testFiles });
  emit({ type: 'plan', tests: tests.map(({ id, name, task, points, timeoutMs }) => ({ id, name, task, points, timeoutMs })) });

  // Pure (no lab code runs), so a file that does not compile is said once, before any test.
  for (const error of modules.compileLabFiles()) {
    emit({ type: 'compile-error', file: error.file, ...(error.line ? { line: error.line } : {}), ...(error.line && error.column ? { column: error.column } : {}), message: compileDetail(error) });
  }
  emit({ type: 'phase', phase: 'lab-compiled', at: epochNow() });

  loopGuard.arm({ limitMs: request.defaultTimeoutMs, budgetMs: guardBudget(request.defaultTimeoutMs, LOAD_MARGIN_MS) });
  try {
    modules.loadLabFiles();
  } catch {
    // A file that fails to load is remembered by the module system; each test that uses it reports why.
  } finally {
    loopGuard.disarm();
  }
  emit({ type: 'lab-loaded' });

  const { only, tasks: wantedTasks } = request;
  const selected = only ? tests.filter((t) => only.includes(t.id)) : wantedTasks ? tests.filter((t) => wantedTasks.includes(t.task)) : tests;
  for (const test of selected) {
    // A database replaced after the previous test (it left something a reset cannot undo) is
    // waited for here, outside every test's time limit.
    await databaseReady();
    emit({ type: 'test-start', id: test.id });
    const outcome = await runTest(test, request, loopGuard);
    emit({ type: 'test-end', id: test.id, outcome });
    if (request.stopAfterFailure && outcome.status !== 'pass') break;
  }
  emit({ type: 'done' });
}

/**
 * How long the guard lets a loop run: a little under the limit, so it steps in before the
 * driver (which waits 250 ms past a test's limit, and exactly the limit while files load).
 */
function guardBudget(limitMs: number, marginMs: number): number {
  return Math.max(limitMs - marginMs, limitMs / 2);
}
const TEST_MARGIN_MS = 100;
const LOAD_MARGIN_MS = 250;

/** A CompileError's words without the file and place it starts with, which the event carries apart. */
function compileDetail(error: { file: string; message: string }): string {
  const prefix = /^[^:]+(?::\d+:\d+)?: /.exec(error.message)?.[0];
  return prefix && error.message.startsWith(error.file) ? error.message.slice(prefix.length) : error.message;
}

async function runTest(test: RegisteredTest, { seed, labId }: Pick<RunRequest, 'seed' | 'labId'>, loopGuard: LoopGuard): Promise<TestOutcome> {
  const output = captureConsole();
  const started = performance.now();
  let status: TestOutcome['status'] = 'pass';
  let message = '';
  let blockedBy: string | undefined;
  // Settles the moment the guard stops a loop, even one in a timer the test is waiting on.
  let loopStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (loopStopped = resolve));
  loopGuard.arm({ limitMs: test.timeoutMs, budgetMs: guardBudget(test.timeoutMs, TEST_MARGIN_MS), testName: test.name }, () => loopStopped());
  try {
    const body = (async () => {
      for (const hook of test.beforeEach) await hook();
      await test.body();
    })();
    // The body may still settle later; its rejection then belongs to no one.
    body.catch(() => {});
    await Promise.race([body, stopped]);
  } catch (error) {
    status = isAssertionError(error) ? 'fail' : 'error';
    message = describeSafely(error);
    const broken = compileErrorBehind(error);
    if (broken) {
      status = 'error';
      blockedBy = broken.file;
      const at = broken.line ? ` (line ${broken.line}${broken.column ? `, column ${broken.column}` : ''})` : '';
      message = `Not run: ${broken.file} does not compile${at}.`;
    }
  }
  if (status === 'pass' && !loopGuard.current) {
    try {
      for (const check of test.ciChecks) await check({ seed, random: seededRandom(seed) });
    } catch (error) {
      status = isAssertionError(error) ? 'fail' : 'error';
      message = `This passes the examples you can see, but not the grader's extra checks on more inputs (seed ${seed}; \`npm run grade -- ${labId} --seed ${seed}\` replays them): ${describeSafely(error)}`;
    }
  }
  try {
    for (const hook of test.afterEach) await hook();
  } catch (error) {
    if (status === 'pass') {
      status = 'error';
      message = `After the test: ${describeSafely(error)}`;
    }
  }
  // Whatever the code did with the guard's error (caught it, returned normally), a stopped loop is a timeout.
  const stop = loopGuard.disarm();
  const durationMs = performance.now() - started;
  const printed = output.stop();
  try {
    // A test's services go with it, so the next test starts with none running.
    await closeAllNetworks();
    const { usedPg } = endTestDatabases();
    if (usedPg) await resetTestDatabase();
  } catch (error) {
    if (status === 'pass') {
      status = 'error';
      message = `The database could not be reset after the test: ${describeError(error)}`;
    }
  }
  if (stop) {
    status = 'timeout';
    message = stop.message;
    blockedBy = undefined;
  }
  return {
    status,
    message,
    durationMs,
    ...(printed ? { output: printed } : {}),
    ...(stop ? { stoppedIn: { ...stop.site } } : {}),
    ...(blockedBy ? { blockedBy } : {}),
  };
}

/** Lab code can throw anything, even a value whose getters throw or a message of megabytes. */
function describeSafely(error: unknown): string {
  let text: string;
  try {
    text = describeError(error);
  } catch {
    text = 'The code threw a value that cannot be described.';
  }
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}… (cut at ${MESSAGE_LIMIT} characters)` : text;
}

const MESSAGE_LIMIT = 4_000;
