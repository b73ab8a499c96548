/**
 * npm run verify [-- <lab-id> ...] [--labs DIR] [--record-times]
 *
 * Verifies every lab (or the ones named) both ways; see src/labs/verify-lab.ts for the checks.
 * --record-times first records the solution's time per test in each lab's test-times.json.
 * Exit codes (src/reports/exit-codes.ts): passed when every lab verified; belowPassMark when a lab
 * has problems or there is none to verify; couldNotGrade for bad usage.
 */
import { parseArgs } from 'node:util';
import { listLabIds } from '../labs/list-labs.ts';
import { verifyLab } from '../labs/verify-lab.ts';
import { EXIT } from '../reports/exit-codes.ts';
import { NodeRunner } from '../runner/node/node-runner.ts';

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { labs: { type: 'string' }, 'record-times': { type: 'boolean' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm run verify [-- <lab-id> ...] [--labs DIR] [--record-times]`);
    return EXIT.couldNotGrade;
  }
  const ids = args.positionals.length > 0 ? args.positionals : listLabIds(args.values.labs);
  if (ids.length === 0) {
    console.error('No labs found to verify.');
    return EXIT.belowPassMark;
  }
  // The solution's child starts while the starter runs; not while times are recorded, where a
  // second child starting would take the core the measured one runs on.
  const runner = new NodeRunner({ prestart: args.values['record-times'] !== true });
  let failed = 0;
  try {
    for (const id of ids) {
      const started = performance.now();
      const verification = await verifyLab(id, runner, { root: args.values.labs, recordTimes: args.values['record-times'] === true });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const scores = verification.starter && verification.solution ? ` starter ${verification.starter.score}/${verification.starter.maxScore}, solution ${verification.solution.score}/${verification.solution.maxScore}` : '';
      if (verification.problems.length === 0) {
        console.log(`ok    ${id}:${scores} (${seconds} s)`);
      } else {
        failed += 1;
        console.log(`FAIL  ${id}:${scores} (${seconds} s)`);
        for (const problem of verification.problems) console.log(`      - ${problem}`);
      }
    }
  } finally {
    runner.dispose();
  }
  console.log(`${ids.length - failed} of ${ids.length} labs verified`);
  return failed === 0 ? EXIT.passed : EXIT.belowPassMark;
}

process.exitCode = await main(process.argv.slice(2));
