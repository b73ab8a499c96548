/**
 * npm run grade -- <lab-id> [--solution | --submission DIR] [--json FILE]
 *
 * Grades the starter (the default), the reference solution, or a learner's submission, prints
 * every test's verdict and the total, and optionally writes the LabResult as JSON.
 *
 * Exit codes: 0 full marks; 1 graded, below full marks; 2 could not grade (bad usage, unknown
 * or invalid lab, no test ran).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { solutionFiles, type FileMap } from '../labs/bundle.ts';
import { loadLab } from '../labs/load-lab.ts';
import { NodeRunner } from '../runner/node/node-runner.ts';
import { formatPretty } from '../reports/pretty.ts';
import type { LabResult } from '../schemas/lab-result.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { readSubmission } from './submission.ts';

const USAGE = `Usage: npm run grade -- <lab-id> [--solution | --submission DIR] [--json FILE] [--labs DIR]

  <lab-id>           a folder under labs/, e.g. event-sourcing
  --solution         grade the reference solution instead of the starter
  --submission DIR   grade a learner's editable files (DIR/src/...) laid over the starter
  --json FILE        also write the LabResult as JSON to FILE
  --labs DIR         where the lab folders are (default: labs/)

Exit codes: 0 full marks, 1 graded below full marks, 2 could not grade.`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { solution: { type: 'boolean' }, submission: { type: 'string' }, json: { type: 'string' }, labs: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.couldNotGrade;
  }
  if (args.values.help) {
    console.log(USAGE);
    return EXIT.fullMarks;
  }
  const [labId, ...extra] = args.positionals;
  if (!labId || extra.length > 0 || (args.values.solution && args.values.submission)) {
    console.error(USAGE);
    return EXIT.couldNotGrade;
  }

  let result: LabResult;
  const runner = new NodeRunner();
  try {
    const bundle = loadLab(labId, { root: args.values.labs });
    let files: FileMap = {};
    if (args.values.solution) files = solutionFiles(bundle);
    if (args.values.submission) {
      const submission = readSubmission(bundle, args.values.submission);
      for (const note of submission.notes) console.error(`note: ${note}`);
      files = submission.files;
    }
    result = await runner.run(bundle, files);
  } catch (error) {
    console.error((error as Error).message);
    return EXIT.couldNotGrade;
  } finally {
    runner.dispose();
  }

  console.log(formatPretty(result, { color: process.stdout.isTTY === true }));
  if (args.values.json) writeFileSync(args.values.json, `${JSON.stringify(result, null, 2)}\n`);
  return exitCodeFor(result);
}

process.exitCode = await main(process.argv.slice(2));
