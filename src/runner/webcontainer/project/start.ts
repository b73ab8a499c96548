/**
 * `npm start` in the full environment: starts the lab's services (the module lab.json names in
 * `services`) with the learner's current code, and serves each on a port of its own from 3000,
 * so the learner can call them from the terminal and open their /_labkit pages in the preview.
 * Runs until stopped with Ctrl+C.
 */
import { sourcesForRun } from '../../../labs/bundle.ts';
import { installEngines } from '../../../labkit/db/engines.ts';
import { createNetwork, type Network, type ServiceHandle } from '../../../labkit/service/index.ts';
import { LABKIT_PAGE_PATH } from '../../../labkit/service/labkit-page.ts';
import { installNodeHttp, serveService, type ServedService } from '../../../labkit/service/node-http.ts';
import { describeError } from '../../executor/describe-error.ts';
import { hostModules } from '../../executor/host-modules.ts';
import { ModuleSystem } from '../../executor/module-system.ts';
import { ensurePgSnapshot, nodeEngines } from '../../node/engines.ts';
import { readProject } from './read-project.ts';

const FIRST_PORT = 3000;

type StartServices = (network: Network) => Promise<ServiceHandle[]>;

async function main(): Promise<number> {
  const { bundle, learnerFiles } = readProject();
  const servicesPath = bundle.manifest.services;
  if (!servicesPath) {
    console.log(`"${bundle.manifest.title}" has no services to start: its tests call the code directly. Run \`npm test\` to grade your work.`);
    return 0;
  }
  installEngines(nodeEngines(await ensurePgSnapshot()));
  installNodeHttp();
  const modules = new ModuleSystem({ sources: sourcesForRun(bundle, learnerFiles), hostModules });
  const network = createNetwork();
  const served: ServedService[] = [];
  try {
    const start = (modules.require('npm-start', `./${servicesPath}`) as { default?: unknown }).default;
    if (typeof start !== 'function') throw new Error(`${servicesPath} must export a default function (network) => Promise<ServiceHandle[]>.`);
    const handles = await (start as StartServices)(network);
    for (const [index, handle] of handles.entries()) {
      const server = await serveService(handle, { port: FIRST_PORT + index });
      served.push(server);
      console.log(`${handle.name.padEnd(16)} ${server.url}   (its endpoints: ${server.url}${LABKIT_PAGE_PATH})`);
    }
  } catch (error) {
    console.error(`The services could not start: ${describeError(error)}`);
    await Promise.all(served.map((server) => server.close()));
    await network.close();
    return 1;
  }
  console.log('\nThe services are running. Call them with curl, e.g. curl -s <url>/_labkit, or press Ctrl+C to stop.');
  const stop = async () => {
    await Promise.all(served.map((server) => server.close()));
    await network.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}

process.exitCode = await main();
