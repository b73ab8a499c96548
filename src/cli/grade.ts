/**
 * npm run grade -- <lab-id> [--solution | --submission DIR|ZIP] [--reporter NAMES] [--output FILE]
 *                  [--min-score N] [--json FILE] [--timings]
 *
 * Grades the starter (the default), the reference solution, or a learner's submission, and
 * reports the LabResult through the chosen reporters. The reporters are pure functions; all
 * the I/O (stdout, files, the GitHub Actions files named by environment variables) is here.
 *
 * Exit codes: those of src/reports/exit-codes.ts, with the lab's score against the pass mark.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { solutionFiles, type FileMap } from '../labs/bundle.ts';
import { labFingerprint, labFolderChanged } from '../labs/lab-fingerprint.ts';
import { labsRoot } from '../labs/list-labs.ts';
import { loadLab } from '../labs/load-lab.ts';
import { NodeRunner } from '../runner/node/node-runner.ts';
import { formatTimings, type ChildTimings } from '../runner/node/run-timings.ts';
import { EXIT, exitCodeFor } from '../reports/exit-codes.ts';
import type { Reporter } from '../reports/reporter.ts';
import { REPORTERS } from '../reports/reporters.ts';
import { buildLabResult, type LabResult } from '../schemas/lab-result.ts';
import { readSubmissionFrom } from '../submissions/read-submission.ts';

/** A report for programs, on stdout or in --output: two would mix there or overwrite each other. */
const writesFile = (reporter: Reporter) => reporter.parts.some((part) => part.to === 'file');
/** Writes to stdout whatever --output says: workflow commands always, an appended file when its variable is unset. */
const usesStdout = (reporter: Reporter) => reporter.parts.some((part) => part.to === 'stdout' || typeof part.to === 'object');
const names = (reporters: readonly Reporter[], joiner: string) => reporters.map((r) => r.name).join(joiner);

/** The reporters for the usage text: their names in a column, each help line beside it. */
function reporterHelp(): string {
  const indent = ' '.repeat(23);
  const width = Math.max(...REPORTERS.map((r) => r.name.length)) + 2;
  return REPORTERS.map((r) => r.help.split('\n').map((line, i) => `${indent}${(i === 0 ? r.name : '').padEnd(width)}${line}`).join('\n')).join('\n');
}

const USAGE = `Usage: npm run grade -- <lab-id> [--solution | --submission DIR] [--reporter NAMES]
                       [--output FILE] [--min-score N] [--seed N] [--json FILE] [--labs DIR]
                       [--timings]

  <lab-id>           a folder under labs/, e.g. event-sourcing
  --solution         grade the reference solution instead of the starter
  --submission DIR   grade a learner's editable files (DIR/src/...) laid over the starter;
                     DIR may be a .zip ("Download my work" on the lab page makes one)
  --reporter NAMES   how to report, comma-separated or repeated (default: pretty):
${reporterHelp()}
  --output FILE      where the ${names(REPORTERS.filter(writesFile), ' or ')} report goes (default: stdout)
  --min-score N      the pass mark, 0..max score (default: full marks)
  --seed N           the seed of the lab's CI-only checks, to replay a failure (default: random)
  --json FILE        also write the raw LabResult as JSON to FILE
  --labs DIR         where the lab folders are (default: labs/)
  --timings          also print where the time went (the child's start, the databases,
                     each test file, the teardown) to stderr

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

  const asked = ((values.reporter as string[] | undefined) ?? ['pretty']).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const unknown = asked.filter((name) => !REPORTERS.some((r) => r.name === name));
  if (unknown.length > 0) return `Unknown reporter "${unknown[0]}": choose from ${names(REPORTERS, ', ')}.\n\n${USAGE}`;
  const reporters = [...new Set(asked)].map((name) => REPORTERS.find((r) => r.name === name)!);
  if (reporters.length === 0) return `--reporter needs at least one of ${names(REPORTERS, ', ')}.`;

  const output = values.output as string | undefined;
  // In the list's order, not the user's, so a message names them the same way every time.
  const fileReports = REPORTERS.filter((r) => reporters.includes(r) && writesFile(r));
  if (output !== undefined && fileReports.length === 0) {
    const fileReporters = REPORTERS.filter(writesFile);
    return `--output is for the ${names(fileReporters, ' or ')} reporter: add ${fileReporters.map((r) => `--reporter ${r.name}`).join(' or ')}.`;
  }
  if (fileReports.length > 1) return `${names(fileReports, ' and ')} cannot share stdout or one --output file: run the grader once per report, or keep the raw LabResult with --json FILE.`;
  // A report on stdout is read by a program; annotations or result= lines mixed in would break it.
  if (fileReports.length === 1 && output === undefined && reporters.some(usesStdout)) {
    return `--reporter ${fileReports[0]!.name} writes to stdout, which the ${names(REPORTERS.filter(usesStdout), ' and ')} reporters also use: add --output FILE.`;
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
        timings: { type: 'boolean' },
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
  const children: ChildTimings[] = [];
  const runner = new NodeRunner({ seed: checked.seed, ...(args.values.timings ? { onChildTimings: (timings: ChildTimings) => children.push(timings) } : {}) });
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
    report(result, reporters, { passMark, output, graded });
    if (args.values.json) writeFileSync(args.values.json, `${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    console.error(`Could not write the report: ${(error as Error).message}`);
    return EXIT.couldNotGrade;
  }
  if (args.values.timings) {
    await runner.childrenClosed();
    process.stderr.write(`\n${formatTimings(performance.timeOrigin, children)}`);
  }
  return exitCodeFor(result, passMark);
}

function report(result: LabResult, reporters: Reporter[], how: { passMark: number; output?: string; graded: boolean }): void {
  const { output } = how;
  // When a file report goes to stdout, people's text goes to stderr to keep stdout parseable.
  const stdoutTaken = output === undefined && reporters.some(writesFile);
  const terminal = stdoutTaken ? process.stderr : process.stdout;
  const options = { passMark: how.passMark, color: terminal.isTTY === true };
  for (const reporter of reporters) {
    for (const { to, text } of reporter.parts) {
      // Nothing was graded: the reason is on stderr already, and an empty table adds nothing for people.
      if (to === 'terminal' && !how.graded) continue;
      const content = text(result, options);
      if (to === 'terminal') terminal.write(content);
      else if (to === 'file' && output !== undefined) writeFileSync(output, content);
      else if (typeof to === 'object' && process.env[to.appendTo]) appendFileSync(process.env[to.appendTo]!, content);
      // stdout: its own place, and where a file report or an unset variable's file falls back to.
      else process.stdout.write(content);
    }
  }
}

process.exitCode = await main(process.argv.slice(2));
