/**
 * The Web Worker in which the worker runner executes lab code, off the page's main thread.
 * It starts its database engines as soon as it is created, so they are warm when the learner
 * presses Run, and keeps them for the next runs.
 */
/// <reference lib="webworker" />
import type { PGlite } from '@electric-sql/pglite';
import type { SqlJsStatic } from 'sql.js';
import { installEngines } from '../../labkit/db/engines.ts';
import { resetPglite } from '../../labkit/db/pg.ts';
import { executeRun } from '../executor/execute.ts';
import type { ExecutorEvent, RunRequest } from '../protocol.ts';
import { loadPgliteFromSnapshot, loadSqlJs } from './browser-engines.ts';
import type { WorkerInit } from './worker-messages.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (event: ExecutorEvent) => scope.postMessage(event);

let pglite: Promise<PGlite> | undefined;
let sqljs: Promise<SqlJsStatic> | undefined;

function startEngines(init: WorkerInit): void {
  const loadPglite = async () => {
    const db = await loadPgliteFromSnapshot(init.pgSnapshotUrl);
    // One reset while the learner is still reading warms the code paths every test goes through.
    await resetPglite(db);
    return db;
  };
  installEngines({
    pglite: () => (pglite ??= loadPglite()),
    sqljs: () => (sqljs ??= loadSqlJs()),
  });
  // Warm up now; a failure is reported when a run needs the engine.
  if (init.databases.includes('pglite')) pglite = loadPglite();
  if (init.databases.includes('sqljs')) sqljs = loadSqlJs();
  pglite?.catch(() => {});
  sqljs?.catch(() => {});
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
