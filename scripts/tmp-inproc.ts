import { installEngines } from '../src/labkit/db/engines.ts';
import { installNodeHttp } from '../src/labkit/service/node-http.ts';
import { nodeEngines, ensurePgSnapshot } from '../src/runner/node/engines.ts';
import { executeRun } from '../src/runner/executor/execute.ts';
import { loadLab } from '../src/labs/load-lab.ts';
import { sourcesForRun, solutionFiles } from '../src/labs/bundle.ts';
const lab = process.argv[2]!;
const bundle = loadLab(lab);
installEngines(nodeEngines(await ensurePgSnapshot()));
installNodeHttp();
const m = bundle.manifest;
const request = { type: 'run' as const, labId: m.id, sources: { ...sourcesForRun(bundle, solutionFiles(bundle)), ...bundle.tests }, testFiles: [...m.tests, ...m.ciTests.filter((p) => p in bundle.tests)], seed: 1, defaultTimeoutMs: m.limits.testTimeoutMs, databases: m.databases };
const t0 = performance.now();
const times: [string, number][] = [];
let last = t0;
for (let round = 0; round < Number(process.argv[3] ?? 1); round++) {
  const started = performance.now();
  await executeRun(request, (e) => { if (e.type === 'test-end') { times.push([e.id, e.outcome.durationMs]); if (e.outcome.status !== 'pass') console.log(e.id, e.outcome.status, e.outcome.message.slice(0, 200)); } });
  console.log('round', round, Math.round(performance.now() - started), 'ms; sum of tests', Math.round(times.reduce((a, [, d]) => a + d, 0)));
  times.length = 0;
}
process.exit(0);
