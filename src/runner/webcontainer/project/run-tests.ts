/**
 * `npm test` in the full environment: grades the files in src/ with the course's tests through
 * the Node runner, as the grader does, prints the report, and writes the LabResult to
 * RESULT_PATH for the page. While it runs it appends each verdict to PROGRESS_PATH, so the page
 * shows them as they come and keeps them if the run is stopped. Exit codes are the grader's.
 *
 *   npm test                       all the tests, with a random seed
 *   npm test -- --seed 42          replay a run's seed
 *   npm test -- --only id1,id2     only those tests
 *   npm test -- --task 2           only the tests of task 2 (or 1,3: of tasks 1 and 3)
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXIT, exitCodeFor } from '../../../reports/exit-codes.ts';
import { formatPretty } from '../../../reports/pretty.ts';
import { parseSeed } from '../../../schemas/run-seed.ts';
import { NodeRunner } from '../../node/node-runner.ts';
import { RESULT_PATH } from '../project-tree.ts';
import { PROGRESS_PATH, progressLine } from '../run-log.ts';
import { readProject } from './read-project.ts';

const here = dirname(fileURLToPath(import.meta.url));

function readOptions(): { seed?: number; only?: string[]; tasks?: number[] } | string {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, only: { type: 'string' }, task: { type: 'string' } }, allowPositionals: false });
  const seed = values.seed === undefined ? undefined : parseSeed(values.seed);
  if (values.seed !== undefined && seed === undefined) return `--seed must be a whole number from 0 to 4294967295; got "${values.seed}".`;
  const only = values.only?.split(',').map((id) => id.trim()).filter(Boolean);
  const tasks = values.task?.split(',').map((n) => n.trim());
  if (tasks && !tasks.every((n) => /^[1-9][0-9]{0,2}$/.test(n))) return `--task takes task numbers, such as 2 or 1,3; got "${values.task}".`;
  return { ...(seed === undefined ? {} : { seed }), ...(only ? { only } : {}), ...(tasks ? { tasks: tasks.map(Number) } : {}) };
}

async function main(): Promise<number> {
  const runner = new NodeRunner({ childModule: join(here, 'child.mjs'), runtime: 'webcontainer' });
  try {
    const options = readOptions();
    if (typeof options === 'string') {
      console.error(options);
      return EXIT.couldNotGrade;
    }
    const { bundle, learnerFiles } = readProject();
    mkdirSync(dirname(PROGRESS_PATH), { recursive: true });
    rmSync(PROGRESS_PATH, { force: true });
    const result = await runner.run(
      bundle,
      learnerFiles,
      (progress) => {
        const line = progressLine(progress);
        if (line) appendFileSync(PROGRESS_PATH, line);
        if (progress.type === 'plan') console.log(`Running ${progress.tests.length} tests of "${bundle.manifest.title}"...`);
        if (progress.type === 'notice') console.log(progress.message);
      },
      options,
    );
    mkdirSync(dirname(RESULT_PATH), { recursive: true });
    writeFileSync(RESULT_PATH, JSON.stringify(result));
    console.log(`\n${formatPretty(result, { color: process.stdout.isTTY === true })}`);
    return exitCodeFor(result);
  } catch (error) {
    console.error((error as Error).message);
    return EXIT.couldNotGrade;
  } finally {
    runner.dispose();
  }
}

process.exitCode = await main();
