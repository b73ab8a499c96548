/**
 * The grader's terminal report: the files that do not compile, then every test's verdict,
 * points and message, grouped by task, then the total. A pure function of the LabResult.
 */
import type { LabResult, TestResult } from '../schemas/lab-result.ts';
import { meetsPassMark, passMarkOf, type PassMarkOptions } from './pass-mark.ts';
import type { Reporter } from './reporter.ts';

export interface PrettyOptions extends PassMarkOptions {
  /** ANSI colours, for a terminal. */
  color?: boolean;
}

export const prettyReporter: Reporter = {
  name: 'pretty',
  help: 'verdicts and points for people (coloured on a terminal)',
  parts: [{ to: 'terminal', text: (result, options) => `${formatPretty(result, options)}\n` }],
};

const MARK: Record<TestResult['status'], string> = { pass: '✔', fail: '✘', error: '✘', timeout: '⏱' };

export function formatPretty(result: LabResult, options: PrettyOptions = {}): string {
  const paint = (code: number, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const green = (t: string) => paint(32, t);
  const red = (t: string) => paint(31, t);
  const dim = (t: string) => paint(2, t);
  const bold = (t: string) => paint(1, t);

  const lines: string[] = [bold(`${result.labId} (lab version ${result.labVersion}), run in ${result.runtime}`)];
  // Each broken file once, up front: the tests that needed it only say they were not run.
  for (const error of result.compileErrors ?? []) {
    const where = error.line ? `${error.file}:${error.line}:${error.column ?? 1}` : error.file;
    lines.push('', red(bold(`Syntax error at ${where}`)) + red(`: ${error.message}`), dim(`  ${error.file} does not compile, so the tests that need it were not run.`));
  }
  const tasks = [...new Set(result.tests.map((t) => t.task))].sort((a, b) => a - b);
  for (const task of tasks) {
    const tests = result.tests.filter((t) => t.task === task);
    const earned = tests.reduce((s, t) => s + t.earned, 0);
    const worth = tests.reduce((s, t) => s + t.points, 0);
    lines.push('', bold(`Task ${task}`) + dim(`  ${earned}/${worth}`));
    for (const test of tests) {
      const ok = test.status === 'pass';
      const verdict = `${MARK[test.status]} ${test.status.padEnd(7)}`;
      lines.push(`  ${ok ? green(verdict) : red(verdict)} ${test.name} ${dim(`(${test.earned}/${test.points})`)}`);
      if (test.message) lines.push(...indent(test.message, '      '));
      if (test.output && !ok) lines.push(dim('      printed:'), ...indent(test.output, '        ').map(dim));
    }
  }
  if (result.message) lines.push('', red(result.message));
  const total = `Score: ${result.score}/${result.maxScore}`;
  const summary = `${total} (${result.status}) in ${(result.durationMs / 1000).toFixed(1)} s`;
  lines.push('', result.status === 'pass' ? green(bold(summary)) : red(bold(summary)));
  // Only worth a line when it differs from full marks, where the status above already says it.
  const passMark = passMarkOf(result, options);
  if (passMark !== result.maxScore && result.status !== 'error') {
    const verdict = `Pass mark ${passMark}/${result.maxScore}: ${meetsPassMark(result, options) ? 'passed' : 'not reached'}`;
    lines.push(meetsPassMark(result, options) ? green(verdict) : red(verdict));
  }
  return lines.join('\n');
}

function indent(text: string, prefix: string): string[] {
  return text.split('\n').map((line) => prefix + line);
}
