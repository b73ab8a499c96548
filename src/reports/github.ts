/**
 * The GitHub Actions report: a Markdown job summary and one annotation per test that did not
 * pass. A pure function of the LabResult; the grade command writes the summary to the file
 * named by $GITHUB_STEP_SUMMARY and prints the annotations, which the runner reads from the
 * step's output.
 *
 * Annotations are workflow commands, `::error title=<property>::<data>`, one per line. The
 * runner reads any line that starts with `::` as a command, so a message from a submission
 * could otherwise end our line and start its own (`\n::add-mask::…`, `\n::set-output …`).
 * Escaping as @actions/core does (packages/core/src/command.ts in actions/toolkit) prevents
 * that: in data `%`, CR and LF become %25, %0D, %0A, so the whole message stays on our one
 * line; in properties `:` and `,` become %3A and %2C as well, so a title cannot end the
 * property list early.
 */
import type { LabResult, TestResult } from '../schemas/lab-result.ts';
import { meetsPassMark, passMarkOf, type PassMarkOptions } from './pass-mark.ts';
import type { Reporter } from './reporter.ts';

export interface GithubReport {
  /** Markdown for $GITHUB_STEP_SUMMARY. */
  summary: string;
  /** Workflow command lines, one per test that did not pass, and one for a run that could not be graded. */
  annotations: string[];
}

const VERDICT: Record<TestResult['status'], string> = { pass: '✅ pass', fail: '❌ fail', error: '❌ error', timeout: '⏱️ timeout' };

export function formatGithub(result: LabResult, options: PassMarkOptions = {}): GithubReport {
  const passMark = passMarkOf(result, options);
  const passed = meetsPassMark(result, options);
  const verdict = result.status === 'error' ? 'could not be graded' : passed ? 'passed' : 'below the pass mark';

  const summary = [
    `### ${cell(result.labId)}: ${result.score}/${result.maxScore} (${verdict})`,
    '',
    '| Task | Test | Points | Verdict |',
    '| ---: | --- | ---: | --- |',
    ...result.tests.map((t) => `| ${t.task} | ${cell(t.name)} | ${t.earned}/${t.points} | ${VERDICT[t.status]} |`),
    `| | **Total** | **${result.score}/${result.maxScore}** | |`,
    '',
    `Pass mark: ${passMark}/${result.maxScore}.`,
    ...(result.message ? ['', cell(result.message)] : []),
    '',
  ].join('\n');

  const annotations = result.tests
    .filter((t) => t.status !== 'pass')
    .map((t) => command('error', `${result.labId} task ${t.task}: ${t.name} (${t.status}, 0/${t.points})`, t.message || t.status));
  if (result.status === 'error') annotations.push(command('error', `${result.labId}: could not be graded`, result.message));
  return { summary, annotations };
}

export const githubReporter: Reporter = {
  name: 'github',
  help: 'job summary ($GITHUB_STEP_SUMMARY) and annotations, for GitHub Actions',
  parts: [
    { to: { appendTo: 'GITHUB_STEP_SUMMARY' }, text: (result, options) => `${formatGithub(result, options).summary}\n` },
    // The runner reads workflow commands only from the step's output, never from a file.
    { to: 'stdout', text: (result, options) => formatGithub(result, options).annotations.map((line) => `${line}\n`).join('') },
  ],
};

export function command(name: 'error' | 'warning' | 'notice', title: string, message: string): string {
  return `::${name} title=${escapeProperty(title)}::${escapeData(message)}`;
}

export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One line of Markdown table text. Names and messages may come from a submission, so HTML is
 * escaped (no tags or images in the summary) and `|` cannot open a new column.
 */
function cell(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim();
}
