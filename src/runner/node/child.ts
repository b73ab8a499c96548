/**
 * The child process in which the Node runner executes lab code. It takes one RunRequest over
 * IPC, closes IPC, and writes executor events to its own pipe, each line signed with the key
 * the parent sent (see channel.ts); the parent owns every time limit and kills it when done.
 */
import { installEngines, type Engines } from '../../labkit/db/engines.ts';
import { installNodeHttp } from '../../labkit/service/node-http.ts';
import { expect } from '../../labkit/test/expect.ts';
import { epochNow } from '../epoch-now.ts';
import { executeRun, type ExecuteHooks } from '../executor/execute.ts';
import type { ExecutorEvent, RunRequest } from '../protocol.ts';
import { channelWriter } from './channel.ts';
import { nodeEngines } from './engines.ts';
import { hostModules } from '../executor/host-modules.ts';

/** What the parent sends: the run and the key that signs this child's events. */
export interface ChildMessage {
  request: RunRequest;
  /** Absent when the parent reads events over IPC (a runner without the event pipe). */
  key?: string;
}

/** When this module's imports were done: the rest of the child's start is timed from here. */
const modulesLoadedAt = epochNow();

const snapshot = process.env.LAB_PG_SNAPSHOT;
if (!snapshot) throw new Error('LAB_PG_SNAPSHOT is not set: the parent must pass the PGlite snapshot path.');
const engines: Engines = nodeEngines(snapshot);
installEngines(engines);
// The engines the lab uses start now, before the run arrives: the parent may start a child
// ahead of its submission (the gradebook does), and then the run finds them up. A failure
// shows when the run asks for the engine (executeRun reports it).
for (const name of (process.env.LAB_DATABASES ?? '').split(',')) {
  if (name === 'pglite') engines.pglite().catch(() => {});
  if (name === 'sqljs') engines.sqljs().catch(() => {});
}
// In Node, lab tests may also run their services over real HTTP on 127.0.0.1.
installNodeHttp();

// A rejection nobody handled belongs to lab code that left a promise behind; Node would end the
// process over it, which would cost the remaining tests their verdicts.
process.on('unhandledRejection', () => {});
// The same for an exception thrown from a timer or an event lab code left behind (or an 'error'
// event nobody listens to, such as process.send() after IPC is closed): it belongs to no test.
// A test's own exceptions reach the executor through the test's promise.
process.on('uncaughtException', () => {});

process.once('message', (message: ChildMessage) => {
  const runReceivedAt = epochNow();
  const { request, key } = message;
  let emit: (event: ExecutorEvent) => void;
  if (key) {
    // Each event one write, on a line of its own; a closed or replaced channel ends the child at once.
    const channel = channelWriter(key);
    emit = (event) => channel.send(event);
    // The first 'exit' listener (PGlite adds its own later): tells the parent at once, since
    // tearing down the wasm heap takes long enough to look like a timeout.
    process.prependListener('exit', (code) => {
      // When the channel is gone there is no one to tell.
      channel.trySend({ type: 'exiting', code: Number(code) || 0 });
    });
    // Lab code gets no IPC: nothing it sends could be mistaken for the executor's.
    process.disconnect();
    // IPC no longer keeps the process alive; a test waiting on a promise that never settles
    // must run into its time limit, not end the process as if the code had exited.
    setInterval(() => {}, 1 << 30);
  } else {
    emit = (event) => process.send?.(event);
  }
  emit({ type: 'phase', phase: 'process-start', at: performance.timeOrigin });
  emit({ type: 'phase', phase: 'modules-loaded', at: modulesLoadedAt });
  emit({ type: 'phase', phase: 'run-received', at: runReceivedAt });
  void run(request, emit, key !== undefined);
});

async function run(request: RunRequest, emit: (event: ExecutorEvent) => void, confine: boolean): Promise<void> {
  if (!confine) return executeRun(request, emit);
  let hooks: ExecuteHooks;
  try {
    // Loaded only here: the full environment (no sandbox) never needs SES.
    const { lockdownRealm, hardenHostModules } = await import('./lockdown.ts');
    const { learnerCompartment } = await import('./learner-compartment.ts');
    lockdownRealm();
    // chai's Assertion prototype is not reachable from the module's exports, and every expectation goes through it.
    harden(Object.getPrototypeOf(expect(0)));
    hooks = { hostModules: hardenHostModules(hostModules), evaluateLabCode: learnerCompartment() };
    emit({ type: 'phase', phase: 'sandbox-ready', at: epochNow() });
  } catch (error) {
    emit({ type: 'fatal', message: `The grader could not prepare its sandbox: ${error instanceof Error ? error.message : String(error)}` });
    return;
  }
  return executeRun(request, emit, hooks);
}
