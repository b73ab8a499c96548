/**
 * The child process in which the Node runner executes lab code. It takes one RunRequest over
 * IPC and sends back executor events; the parent owns every time limit and kills it when done.
 */
import { installEngines } from '../../labkit/db/engines.ts';
import { installNodeHttp } from '../../labkit/service/node-http.ts';
import { executeRun } from '../executor/execute.ts';
import type { RunRequest } from '../protocol.ts';
import { nodeEngines } from './engines.ts';

const snapshot = process.env.LAB_PG_SNAPSHOT;
if (!snapshot) throw new Error('LAB_PG_SNAPSHOT is not set: the parent must pass the PGlite snapshot path.');
installEngines(nodeEngines(snapshot));
// In Node, lab tests may also run their services over real HTTP on 127.0.0.1.
installNodeHttp();

// A rejection nobody handled belongs to lab code that left a promise behind; Node would end the
// process over it, which would cost the remaining tests their verdicts.
process.on('unhandledRejection', () => {});

process.once('message', (request: RunRequest) => {
  void executeRun(request, (event) => process.send?.(event));
});
