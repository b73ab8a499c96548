/**
 * The Web Worker in which the worker runner executes lab code, off the page's main thread.
 * It starts its database engines as soon as it is created, so they are warm when the learner
 * presses Run, and keeps them for the next runs.
 */
/// <reference lib="webworker" />
import { installEngines } from '../../labkit/db/engines.ts';
import { executeRun } from '../executor/execute.ts';
import type { ExecutorEvent, RunRequest } from '../protocol.ts';
import { browserEngines } from './browser-engines.ts';
import type { WorkerInit } from './worker-messages.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (event: ExecutorEvent) => scope.postMessage(event);

function startEngines(init: WorkerInit): void {
  const engines = browserEngines(init.pgSnapshotUrl);
  installEngines(engines);
  // Warm up now (starting PGlite records its snapshot state and resets it once, which also warms
  // the code paths every test goes through); a failure is reported when a run needs the engine.
  if (init.databases.includes('pglite')) engines.pglite().catch(() => {});
  if (init.databases.includes('sqljs')) engines.sqljs().catch(() => {});
}

// Lab code may leave a rejected promise behind; it must not take the worker down.
scope.addEventListener('unhandledrejection', (event) => event.preventDefault());

scope.onmessage = (message: MessageEvent<WorkerInit | RunRequest>) => {
  const data = message.data;
  if (data.type === 'init') {
    startEngines(data);
    return;
  }
  executeRun(data, post).catch((error: unknown) => {
    post({ type: 'fatal', message: `The worker failed: ${error instanceof Error ? error.message : String(error)}` });
  });
};
