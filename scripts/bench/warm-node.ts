/**
 * The browser's baseline in `npm run bench`: a lab's tests (the solution's) run again and again
 * in one Node process whose engines are already warm, with no confinement and no child
 * process: what the same tests cost when nothing but the engines stands in the way.
 *
 *   node scripts/bench/warm-node.ts <lab-id> <rounds>    prints the rounds' times in ms, as JSON
 */
import { installEngines } from '../../src/labkit/db/engines.ts';
import { installNodeHttp } from '../../src/labkit/service/node-http.ts';
import { solutionFiles, sourcesForRun } from '../../src/labs/bundle.ts';
import { loadLab } from '../../src/labs/load-lab.ts';
import { testTimeLimits } from '../../src/labs/test-time-limits.ts';
import { executeRun } from '../../src/runner/executor/execute.ts';
import { ensurePgSnapshot, nodeEngines } from '../../src/runner/node/engines.ts';
import type { RunRequest } from '../../src/runner/protocol.ts';

const [labId, roundsText = '6'] = process.argv.slice(2);
if (!labId) throw new Error('usage: node scripts/bench/warm-node.ts <lab-id> <rounds>');
const bundle = loadLab(labId, { withoutCiTests: true });
installEngines(nodeEngines(await ensurePgSnapshot()));
installNodeHttp();
const { manifest } = bundle;
// What the browser runs: the site's tests, without the grader's CI-only ones.
const request: RunRequest = {
  type: 'run',
  labId,
  sources: { ...sourcesForRun(bundle, solutionFiles(bundle)), ...bundle.tests },
  testFiles: manifest.tests,
  seed: 1,
  defaultTimeoutMs: manifest.limits.testTimeoutMs,
  testTimeoutsMs: testTimeLimits(bundle),
  databases: manifest.databases,
};
const rounds: number[] = [];
for (let round = 0; round < Number(roundsText); round++) {
  const started = performance.now();
  let failed = 0;
  await executeRun(request, (event) => {
    if (event.type === 'test-end' && event.outcome.status !== 'pass') failed += 1;
  });
  if (failed > 0) throw new Error(`${failed} test(s) of the solution did not pass`);
  rounds.push(performance.now() - started);
}
console.log(JSON.stringify(rounds));
process.exit(0);
