/**
 * A StrykerJS test runner that grades mutants through the grader's own driver and executor,
 * in the Stryker worker's process: `driveRun` owns the verdicts and time limits as in the
 * grader, `executeRun` loads the lab's tests and the (mutated) lab files with the same module
 * system, databases and resets. Only the child process and its sandbox are left out, because a
 * fresh process per mutant would cost more than the tests (our own solution is not hostile).
 *
 * Stryker's instrumented code reads the active mutant from `globalThis.__stryker__` and records
 * coverage there per test id; lab code runs in this realm (no Compartment outside the
 * sandbox), so both work unchanged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commonTokens, declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';
import type { StrykerOptions } from '@stryker-mutator/api/core';
import {
  DryRunStatus,
  TestStatus,
  toMutantRunResult,
  type DryRunOptions,
  type DryRunResult,
  type MutantRunOptions,
  type MutantRunResult,
  type TestResult,
  type TestRunner,
  type TestRunnerCapabilities,
} from '@stryker-mutator/api/test-runner';
import type { FileMap, LabBundle } from '../labs/bundle.ts';
import { installEngines } from '../labkit/db/engines.ts';
import { installNodeHttp } from '../labkit/service/node-http.ts';
import { loadLab } from '../labs/load-lab.ts';
import { driveRun, NOT_RUN_AFTER_FAILURE, type ExecutorHandle, type ExecutorPool } from '../runner/driver.ts';
import { executeRun } from '../runner/executor/execute.ts';
import { nodeEngines } from '../runner/node/engines.ts';
import type { ExecutorEvent, RunRequest } from '../runner/protocol.ts';

/** What scripts/mutate.ts puts in Stryker's options under `labkit`. */
export interface LabkitRunnerOptions {
  labId: string;
  /** The labs folder the lab is read from (its tests, manifest and read-only files). */
  labsRoot: string;
  /** The seed of every run, so each mutant meets the same CI-only inputs and schedules. */
  seed: number;
  /** PGlite's dumped data directory (runner/node/engines.ts), made before Stryker starts. */
  pgSnapshot: string;
}

interface StrykerGlobal {
  activeMutant?: string;
  currentTestId?: string;
  mutantCoverage?: { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
}

const strykerGlobal = (): StrykerGlobal => {
  const holder = globalThis as { __stryker__?: StrykerGlobal };
  holder.__stryker__ ??= {};
  return holder.__stryker__;
};

/**
 * An executor in this process. A test that hangs cannot be stopped here, so after the driver
 * gives up on one, the runner stops answering and lets Stryker replace the whole process.
 */
class InProcessPool implements ExecutorPool {
  /** Set once the driver has killed an executor whose run may still be going. */
  poisoned = false;
  private readonly onTestStart: (id: string | undefined) => void;

  constructor(onTestStart: (id: string | undefined) => void) {
    this.onTestStart = onTestStart;
  }

  acquire(): ExecutorHandle {
    let listeners: { onEvent: (event: ExecutorEvent) => void; onExit: (reason: string) => void } | undefined;
    let killed = false;
    return {
      listen: (onEvent, onExit) => (listeners = { onEvent, onExit }),
      send: (request: RunRequest) => {
        if (this.poisoned) return;
        void executeRun(request, (event) => {
          if (killed) return;
          if (event.type === 'test-start') this.onTestStart(event.id);
          if (event.type === 'test-end') this.onTestStart(undefined);
          listeners?.onEvent(event);
        }).catch((error: unknown) => {
          if (!killed) listeners?.onExit(String(error));
        });
      },
      kill: () => {
        killed = true;
        this.poisoned = true;
      },
    };
  }

  release(): void {}
}

export class LabkitTestRunner implements TestRunner {
  static inject = [commonTokens.options];
  private readonly settings: LabkitRunnerOptions;
  private bundle!: LabBundle;

  constructor(options: StrykerOptions) {
    this.settings = (options as StrykerOptions & { labkit: LabkitRunnerOptions }).labkit;
  }

  capabilities(): TestRunnerCapabilities {
    // Every run evaluates the lab files afresh, so a mutant that acts while a module loads is caught too.
    return { reloadEnvironment: true };
  }

  async init(): Promise<void> {
    this.bundle = loadLab(this.settings.labId, { root: this.settings.labsRoot });
    // As in the grader's child (runner/node/child.ts): the same engines, real HTTP, and a
    // mutant's stray rejection or timer exception ends no worker.
    installEngines(nodeEngines(this.settings.pgSnapshot));
    installNodeHttp();
    process.on('unhandledRejection', () => {});
    process.on('uncaughtException', () => {});
  }

  async dryRun(options: DryRunOptions): Promise<DryRunResult> {
    const global = strykerGlobal();
    global.activeMutant = undefined;
    global.mutantCoverage = { static: {}, perTest: {} };
    // The dry run measures every test and its coverage, so it never stops at a failure.
    const run = await this.run(undefined, false);
    if (run === 'hung') return { status: DryRunStatus.Timeout, reason: 'a test did not finish in time with no mutant active' };
    if (run.problem) return { status: DryRunStatus.Error, errorMessage: run.problem };
    const failing = run.tests.filter((t) => t.status === TestStatus.Failed);
    if (failing.length > 0) {
      return { status: DryRunStatus.Error, errorMessage: `the solution fails ${failing.map((t) => `"${t.name}": ${(t as { failureMessage?: string }).failureMessage}`).join('; ')}` };
    }
    const coverage = options.coverageAnalysis === 'off' ? undefined : global.mutantCoverage;
    return { status: DryRunStatus.Complete, tests: run.tests, ...(coverage ? { mutantCoverage: coverage } : {}) };
  }

  async mutantRun(options: MutantRunOptions): Promise<MutantRunResult> {
    const global = strykerGlobal();
    global.activeMutant = options.activeMutant.id;
    global.mutantCoverage = { static: {}, perTest: {} };
    try {
      const run = await this.run(options.testFilter, !options.disableBail);
      if (run === 'hung') return new Promise<never>(() => {});
      if (run.problem && run.tests.length === 0) return toMutantRunResult({ status: DryRunStatus.Error, errorMessage: run.problem });
      return toMutantRunResult({ status: DryRunStatus.Complete, tests: run.tests });
    } finally {
      global.activeMutant = undefined;
    }
  }

  /** One run of the lab's tests (or those named) against the sandbox's lab files, as Stryker's results. */
  private async run(only: readonly string[] | undefined, bail: boolean): Promise<{ tests: TestResult[]; problem: string } | 'hung'> {
    const pool = new InProcessPool((id) => (strykerGlobal().currentTestId = id));
    const result = await driveRun({
      bundle: this.bundle,
      learnerFiles: this.sandboxFiles(),
      runtime: 'node',
      pool,
      seed: this.settings.seed,
      ...(only ? { only } : {}),
      stopAfterFailure: bail,
    });
    if (pool.poisoned) return 'hung';
    const tests: TestResult[] = result.tests.map((test) => {
      const base = { id: test.id, name: test.name, timeSpentMs: test.durationMs };
      if (test.status === 'pass') return { ...base, status: TestStatus.Success };
      if (test.message === NOT_RUN_AFTER_FAILURE) return { ...base, status: TestStatus.Skipped };
      return { ...base, status: TestStatus.Failed, failureMessage: `${test.status}: ${test.message}` };
    });
    return { tests, problem: result.message };
  }

  /** The editable files as they are in Stryker's sandbox (the working folder), mutated or not. */
  private sandboxFiles(): FileMap {
    const files: FileMap = {};
    for (const path of this.bundle.manifest.files.editable) files[path] = readFileSync(join(process.cwd(), path), 'utf8');
    return files;
  }
}

/** Tells Stryker the `labkit` option is ours. */
export const strykerValidationSchema = { properties: { labkit: { type: 'object' } } };

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'labkit', LabkitTestRunner)];

