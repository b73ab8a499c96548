/**
 * The JUnit XML report, for CI systems that show test results from it (GitLab's
 * `artifacts:reports:junit`, Jenkins' junit step). A pure function of the LabResult.
 *
 * Shape (documented by junit-report.xsd beside this file, which follows the element and
 * attribute names of the Ant/Jenkins JUnit schema, junit-10.xsd):
 * - one <testsuite> for the whole lab, not one per task: the lab is what is graded, so its
 *   score, max score and pass mark belong in one <properties> block; tasks still show, because
 *   each test's classname is `<lab>.task-<n>` and Jenkins and GitLab group tests by classname;
 * - one <testcase> per test, named with what it is worth ("… [10 pts]"): a name that carries
 *   only the lab's own data stays the same from run to run, so CI history lines up;
 * - <failure> for a failed expectation, <error> for an error or a timeout (type says which);
 * - a run that could not be graded and has no tests gets one <error> test case, because CI
 *   tools count a report with no tests as green, and zero tests is never a pass.
 * Every string from the run may come from a hostile submission: it is escaped, and characters
 * XML 1.0 cannot hold are removed, so the document always parses.
 */
import type { LabResult, TestResult } from '../schemas/lab-result.ts';
import { meetsPassMark, passMarkOf, type PassMarkOptions } from './pass-mark.ts';
import type { Reporter } from './reporter.ts';

export function formatJunit(result: LabResult, options: PassMarkOptions = {}): string {
  const synthetic = result.tests.length === 0 && result.status === 'error';
  const tests = result.tests.length + (synthetic ? 1 : 0);
  const failures = result.tests.filter((t) => t.status === 'fail').length;
  const errors = result.tests.filter((t) => t.status === 'error' || t.status === 'timeout').length + (synthetic ? 1 : 0);
  const counts = { tests, failures, errors, skipped: 0, time: seconds(result.durationMs) };

  const properties: Record<string, string | number | boolean> = {
    labId: result.labId,
    labVersion: result.labVersion,
    runtime: result.runtime,
    status: result.status,
    score: result.score,
    maxScore: result.maxScore,
    passMark: passMarkOf(result, options),
    passed: meetsPassMark(result, options),
    labResultVersion: result.version,
  };

  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: result.labId, ...counts })}>`,
    `  <testsuite${attrs({ name: result.labId, ...counts })}>`,
    '    <properties>',
    ...Object.entries(properties).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    '    </properties>',
    ...result.tests.flatMap((test) => testcase(result.labId, test)),
  ];
  if (synthetic) {
    lines.push(
      `    <testcase${attrs({ name: 'the lab could be graded', classname: result.labId, time: seconds(0) })}>`,
      `      <error${attrs({ message: firstLine(result.message), type: 'not-graded' })}>${text(result.message)}</error>`,
      '    </testcase>',
    );
  }
  // Why the run went wrong as a whole (a hang, a crash) is not any one test's fault.
  if (result.message && !synthetic) lines.push(`    <system-err>${text(result.message)}</system-err>`);
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

export const junitReporter: Reporter = {
  name: 'junit',
  help: 'JUnit XML for GitLab, Jenkins and other CI',
  parts: [{ to: 'file', text: formatJunit }],
};

function testcase(labId: string, test: TestResult): string[] {
  const open = `    <testcase${attrs({ name: `${test.name} [${test.points} pts]`, classname: `${labId}.task-${test.task}`, time: seconds(test.durationMs) })}`;
  const body: string[] = [];
  if (test.status !== 'pass') {
    const element = test.status === 'fail' ? 'failure' : 'error';
    body.push(`      <${element}${attrs({ message: firstLine(test.message), type: test.status })}>${text(test.message)}</${element}>`);
  }
  if (test.output) body.push(`      <system-out>${text(test.output)}</system-out>`);
  if (body.length === 0) return [`${open}/>`];
  return [`${open}>`, ...body, '    </testcase>'];
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** The first line, cut short: CI tools show the message attribute in one-line lists. */
function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? '';
  const chars = Array.from(line);
  return chars.length > 200 ? `${chars.slice(0, 199).join('')}…` : line;
}

function attrs(values: Record<string, string | number | boolean>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${attribute(String(value))}"`)
    .join('');
}

/**
 * Makes a string storable in XML 1.0: its Char production allows tab, newline, carriage
 * return, U+0020–U+D7FF, U+E000–U+FFFD and U+10000 and up. Terminal colour codes are removed
 * whole, so no "[31m" is left behind; other control characters and U+FFFE/U+FFFF are removed;
 * a lone surrogate (half of a broken pair, not encodable in UTF-8) becomes U+FFFD.
 */
export function xmlSafe(value: string): string {
  return value
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Element text. Escaping `>` too keeps a "]]>" in a message from being read as markup. */
function text(value: string): string {
  return xmlSafe(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values: also quotes, and tab/newline/CR as references, which a parser would otherwise turn into spaces. */
function attribute(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}
