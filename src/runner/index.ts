/**
 * The runner's one door for the site: the only module of src/runner/ that pages, components and
 * client code import. It names what a runtime is (LabRunner) and creates one by kind, loading
 * each runtime's code only when it is asked for, so a lesson page carries none of it and a lab
 * page carries the WebContainer runtime only after the learner opens the full environment.
 *
 * The lessons' SQL console is a runtime too (a worker holding a seeded database) and comes
 * through here the same way. Node's runner is not here: the grader's commands, which run in
 * Node, import it themselves.
 */
import type { ConsoleOptions, ConsoleSession } from './console/console-session.ts';
import type { WebContainerRunner, WebContainerRunnerOptions } from './webcontainer/webcontainer-runner.ts';
import type { WorkerRunner, WorkerRunnerOptions } from './worker/worker-runner.ts';

export type { LabRunner, RunOptions, RunProgress } from './lab-runner.ts';
export type { ConsoleOptions, ConsoleSession as SqlConsole, QueryResult } from './console/console-session.ts';
export type { ShellTerminal, StartStep, TerminalSink, WebContainerRunner } from './webcontainer/webcontainer-runner.ts';
export { StartError, webContainerSupport, type Support } from './webcontainer/support.ts';

/** Each kind of runner the site can create, with what it needs to start. */
export interface RunnerOptions {
  /** The in-page runner: a Web Worker with PGlite and sql.js. The default on a lab page. */
  worker: WorkerRunnerOptions;
  /** The full environment: the lab as an npm project in a WebContainer, with a terminal. */
  webcontainer: WebContainerRunnerOptions;
}
export type RunnerKind = keyof RunnerOptions;

interface Runners {
  worker: WorkerRunner;
  webcontainer: WebContainerRunner;
}

const loaders: { [K in RunnerKind]: (options: RunnerOptions[K]) => Promise<Runners[K]> } = {
  worker: async (options) => new (await import('./worker/worker-runner.ts')).WorkerRunner(options),
  webcontainer: async (options) => new (await import('./webcontainer/webcontainer-runner.ts')).WebContainerRunner(options),
};

/** A runner of `kind`, its code loaded on first use. Call its `prepare()` to warm it up before the first run. */
export function createRunner<K extends RunnerKind>(kind: K, options: RunnerOptions[K]): Promise<Runners[K]> {
  return loaders[kind](options);
}

/** A lesson's SQL console: a worker that opens the database with the lesson's seed on `open()`. */
export async function createSqlConsole(options: ConsoleOptions): Promise<ConsoleSession> {
  const { ConsoleSession } = await import('./console/console-session.ts');
  return new ConsoleSession(options);
}
