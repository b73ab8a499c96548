/**
 * npm run grade -- <lab-id> [--solution | --submission DIR|ZIP] [--reporter NAMES] [--output FILE]
 *                  [--min-score N] [--json FILE]
 *
 * Grades the starter (the default), the reference solution, or a learner's submission, and
 * reports the LabResult through the chosen reporters. The reporters are pure functions; all
 * the I/O (stdout, files, the GitHub Actions files named by environment variables) is here.
 *
 * Exit codes: 0 score at or above the pass mark; 1 graded, below the pass mark; 2 could not
 * grade (bad usage, unknown or invalid lab, no test ran, the lab folder changed during the run).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { solutionFiles, type FileMap } from '../labs/bundle.ts';
import { labFingerprint, labFolderChanged } from '../labs/lab-fingerprint.ts';
import { labsRoot } from '../labs/list-labs.ts';
import { loadLab } from '../labs/load-lab.ts';
import { NodeRunner } from '../runner/node/node-runner.ts';
import { formatClassroom } from '../reports/classroom.ts';
import { formatGithub } from '../reports/github.ts';
import { formatJson } from '../reports/json.ts';
import { formatJunit } from '../reports/junit.ts';
import { formatPretty } from '../reports/pretty.ts';
import { buildLabResult, type LabResult } from '../schemas/lab-result.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { readSubmissionFrom } from './submission-zip.ts';

const REPORTERS = ['pretty', 'json', 'junit', 'github', 'classroom'] as const;
type Reporter = (typeof REPORTERS)[number];

const USAGE = `Usage: npm run grade -- <lab-id> [--solution | --submission DIR] [--reporter NAMES]
                       [--output FILE] [--min-score N] [--seed N] [--json FILE] [--labs DIR]

  <lab-id>           a folder under labs/, e.g. event-sourcing
  --solution         grade the reference solution instead of the starter
  --submission DIR   grade a learner's editable files (DIR/src/...) laid over the starter;
                     DIR may be a .zip ("Download my work" on the lab page makes one)
  --reporter NAMES   how to report, comma-separated or repeated (default: pretty):
                       pretty     verdicts and points for people (coloured on a terminal)
                       json       Exercism results.json v3 plus points (src/reports/json-report.schema.json)
                       junit      JUnit XML for GitLab, Jenkins and other CI
                       github     job summary ($GITHUB_STEP_SUMMARY) and annotations, for GitHub Actions
                       classroom  the autograding result for GitHub Classroom's reporter:
                                  result=<base64> appended to $GITHUB_OUTPUT (printed when unset)
  --output FILE      where the json or junit report goes (default: stdout)
  --min-score N      the pass mark, 0..max score (default: full marks)
  --seed N           the seed of the lab's CI-only checks, to replay a failure (default: random)
  --json FILE        also write the raw LabResult as JSON to FILE
  --labs DIR         where the lab folders are (default: labs/)

Exit codes: 0 at or above the pass mark, 1 graded below the pass mark, 2 could not grade.`;

interface Plan {
  labId: string;
  reporters: Reporter[];
  output?: string;
  minScore?: number;
  seed?: number;
}

/** Reads and checks the arguments; returns a message for the user when they do not make sense. */
function plan(values: Record<string, unknown>, positionals: string[]): Plan | string {
  const [labId, ...extra] = positionals;
  if (!labId || extra.length > 0) return USAGE;
  if (values.solution && values.submission) return `--solution and --submission cannot be used together.\n\n${USAGE}`;

  const names = ((values.reporter as string[] | undefined) ?? ['pretty']).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(REPORTERS as readonly string[]).includes(n));
  if (unknown.length > 0) return `Unknown reporter "${unknown[0]}": choose from ${REPORTERS.join(', ')}.\n\n${USAGE}`;
  const reporters = [...new Set(names)] as Reporter[];
  if (reporters.length === 0) return `--reporter needs at least one of ${REPORTERS.join(', ')}.`;

  const output = values.output as string | undefined;
  const fileReports = reporters.filter((r) => r === 'json' || r === 'junit');
  if (output !== undefined && fileReports.length === 0) return '--output is for the json or junit reporter: add --reporter json or --reporter junit.';
  if (fileReports.length > 1) return 'json and junit cannot share stdout or one --output file: run the grader once per report, or keep the raw LabResult with --json FILE.';
  // A report on stdout is read by a program; annotations or result= lines mixed in would break it.
  if (fileReports.length === 1 && output === undefined && reporters.some((r) => r === 'github' || r === 'classroom')) {
    return `--reporter ${fileReports[0]} writes to stdout, which the github and classroom reporters also use: add --output FILE.`;
  }

  let minScore: number | undefined;
  if (values['min-score'] !== undefined) {
    const text = String(values['min-score']);
    minScore = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(minScore)) return `--min-score must be a number of points, 0 or more; got "${text}".`;
  }
  let seed: number | undefined;
  if (values.seed !== undefined) {
    const text = String(values.seed);
    seed = /^\d{1,10}$/.test(text) && Number(text) < 2 ** 32 ? Number(text) : NaN;
    if (!Number.isFinite(seed)) return `--seed must be a whole number from 0 to 4294967295; got "${text}".`;
  }
  return { labId, reporters, output, minScore, seed };
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        solution: { type: 'boolean' },
        submission: { type: 'string' },
        reporter: { type: 'string', multiple: true },
        output: { type: 'string' },
        'min-score': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'string' },
        labs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.couldNotGrade;
  }
  if (args.values.help) {
    console.log(USAGE);
    return EXIT.passed;
  }
  const checked = plan(args.values, args.positionals);
  if (typeof checked === 'string') {
    console.error(checked);
    return EXIT.couldNotGrade;
  }
  const { labId, reporters, output } = checked;

  let result: LabResult;
  let graded = true;
  const runner = new NodeRunner({ seed: checked.seed });
  try {
    // Taken before the lab is read and compared after the run: a lab folder that changed
    // meanwhile (nothing of the grader's writes there) makes the result untrustworthy.
    const labDir = join(args.values.labs ?? labsRoot(), labId);
    const labOnDisk = labFingerprint(labDir);
    const bundle = loadLab(labId, { root: args.values.labs });
    let files: FileMap = {};
    if (args.values.solution) files = solutionFiles(bundle);
    if (args.values.submission) {
      // A .zip goes to the zip reader; anything else is read as a folder, as before.
      const submission = readSubmissionFrom(bundle, args.values.submission);
      for (const note of submission.notes) console.error(`note: ${note}`);
      files = submission.files;
    }
    result = await runner.run(bundle, files);
    const changed = labFolderChanged(labDir, labOnDisk);
    if (changed) throw new Error(changed);
  } catch (error) {
    // Machine-readable reports still get a result, through the same constructor as every
    // other run, so CI shows why nothing was graded instead of a missing file.
    const message = (error as Error).message;
    console.error(message);
    result = buildLabResult({ labId, labVersion: 0, runtime: 'node', plan: [], outcomes: new Map(), problem: message, durationMs: 0 });
    graded = false;
  } finally {
    runner.dispose();
  }

  const passMark = checked.minScore ?? result.maxScore;
  if (graded && passMark > result.maxScore) {
    console.error(`--min-score ${passMark} is more than the lab's maximum score, ${result.maxScore}.`);
    return EXIT.couldNotGrade;
  }

  try {
    report(result, reporters, { passMark, output, showPretty: graded });
    if (args.values.json) writeFileSync(args.values.json, `${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    console.error(`Could not write the report: ${(error as Error).message}`);
    return EXIT.couldNotGrade;
  }
  return exitCodeFor(result, passMark);
}

function report(result: LabResult, reporters: Reporter[], how: { passMark: number; output?: string; showPretty: boolean }): void {
  const { passMark, output } = how;
  // When a json or junit report goes to stdout, people's text goes to stderr to keep it parseable.
  const stdoutTaken = output === undefined && reporters.some((r) => r === 'json' || r === 'junit');
  for (const reporter of reporters) {
    if (reporter === 'pretty' && how.showPretty) {
      const stream = stdoutTaken ? process.stderr : process.stdout;
      stream.write(`${formatPretty(result, { color: stream.isTTY === true, passMark })}\n`);
    }
    if (reporter === 'json' || reporter === 'junit') {
      const text = reporter === 'json' ? formatJson(result, { passMark }) : formatJunit(result, { passMark });
      if (output === undefined) process.stdout.write(text);
      else writeFileSync(output, text);
    }
    if (reporter === 'github') {
      const { summary, annotations } = formatGithub(result, { passMark });
      if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${summary}\n`);
      else process.stdout.write(`${summary}\n`);
      for (const line of annotations) process.stdout.write(`${line}\n`);
    }
    if (reporter === 'classroom') {
      const line = `result=${formatClassroom(result)}\n`;
      if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, line);
      else process.stdout.write(line);
    }
  }
}

process.exitCode = await main(process.argv.slice(2));
