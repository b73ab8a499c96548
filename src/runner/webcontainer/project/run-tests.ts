/**
 * `npm test` in the full environment: grades the files in src/ with the course's tests through
 * the Node runner, as the grader does, prints the report, and writes the LabResult to
 * RESULT_PATH for the page. Exit codes are the grader's: 0 full marks, 1 below, 2 could not grade.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, exitCodeFor } from '../../../cli/exit-codes.ts';
import { formatPretty } from '../../../reports/pretty.ts';
import { NodeRunner } from '../../node/node-runner.ts';
import { RESULT_PATH } from '../project-tree.ts';
import { readProject } from './read-project.ts';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<number> {
  const runner = new NodeRunner({ childModule: join(here, 'child.mjs'), runtime: 'webcontainer' });
  try {
    const { bundle, learnerFiles } = readProject();
    const result = await runner.run(bundle, learnerFiles, (progress) => {
      if (progress.type === 'plan') console.log(`Running ${progress.tests.length} tests of "${bundle.manifest.title}"...`);
      if (progress.type === 'notice') console.log(progress.message);
    });
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
