/**
 * The JSON report: Exercism's results.json, version 3, plus our own fields, so tools written
 * for Exercism's test runners read it unchanged and our own tools get points and the pass mark.
 *
 * Exercism's rules, from its test runner interface
 * (https://exercism.org/docs/building/tooling/test-runners/interface, source:
 * exercism/docs building/tooling/test-runners/interface.md):
 * - top level `version` (3: tests linked to tasks), `status` pass | fail | error, where error
 *   means the tests did not run; `message` is required on error and null otherwise;
 * - `tests` in the order of the test file, each with `name`, `status` pass | fail | error,
 *   `message` (null when there is none), `output` (what the learner printed, at most 500
 *   characters), `test_code` (optional for practice exercises) and `task_id`.
 * Our LabResult already keeps tests in declaration order and numbers tasks the same way.
 *
 * Everything of ours sits under keys Exercism does not define; the shape is documented in
 * json-report.schema.json beside this file. Bump JSON_REPORT_VERSION when it changes.
 */
import type { LabResult, TestResult } from '../schemas/lab-result.ts';
import { meetsPassMark, passMarkOf, type PassMarkOptions } from './pass-mark.ts';
import type { Reporter } from './reporter.ts';

export const JSON_REPORT_VERSION = 1;

/** Exercism caps a test's output at 500 characters. */
export const OUTPUT_LIMIT = 500;
const TRUNCATED = '\n[output cut to 500 characters]';

export interface JsonReportTest {
  // Exercism's fields.
  name: string;
  status: 'pass' | 'fail' | 'error';
  message: string | null;
  output?: string;
  task_id: number;
  // Ours.
  id: string;
  /** Our four verdicts; Exercism has no timeout, so `status` reports one as error. */
  verdict: TestResult['status'];
  points: number;
  earned: number;
  durationMs: number;
}

export interface JsonReport {
  // Exercism's fields.
  version: 3;
  status: 'pass' | 'fail' | 'error';
  message: string | null;
  tests: JsonReportTest[];
  // Ours.
  reportVersion: typeof JSON_REPORT_VERSION;
  labResultVersion: number;
  labId: string;
  labVersion: number;
  runtime: LabResult['runtime'];
  score: number;
  maxScore: number;
  passMark: number;
  /** Graded, and the score is at or above the pass mark. */
  passed: boolean;
  /** What went wrong for the whole run when it was still graded (a test hung, say); null otherwise. */
  runMessage: string | null;
  durationMs: number;
}

export function toJsonReport(result: LabResult, options: PassMarkOptions = {}): JsonReport {
  const graded = result.status !== 'error';
  return {
    version: 3,
    // Same meaning as Exercism's: pass only if every test passed, error only if none ran.
    status: result.status,
    message: graded ? null : result.message,
    tests: result.tests.map(toJsonTest),
    reportVersion: JSON_REPORT_VERSION,
    labResultVersion: result.version,
    labId: result.labId,
    labVersion: result.labVersion,
    runtime: result.runtime,
    score: result.score,
    maxScore: result.maxScore,
    passMark: passMarkOf(result, options),
    passed: meetsPassMark(result, options),
    runMessage: graded && result.message ? result.message : null,
    durationMs: result.durationMs,
  };
}

export function formatJson(result: LabResult, options: PassMarkOptions = {}): string {
  return `${JSON.stringify(toJsonReport(result, options), null, 2)}\n`;
}

export const jsonReporter: Reporter = {
  name: 'json',
  help: 'Exercism results.json v3 plus points (src/reports/json-report.schema.json)',
  parts: [{ to: 'file', text: formatJson }],
};

function toJsonTest(test: TestResult): JsonReportTest {
  return {
    name: test.name,
    status: test.status === 'timeout' ? 'error' : test.status,
    message: test.message || null,
    ...(test.output ? { output: capOutput(test.output) } : {}),
    task_id: test.task,
    id: test.id,
    verdict: test.status,
    points: test.points,
    earned: test.earned,
    durationMs: test.durationMs,
  };
}

/**
 * Cuts output to Exercism's limit, counted in characters (code points), so a cut never
 * splits a surrogate pair into a lone half; the note that it was cut counts towards the limit.
 */
export function capOutput(output: string): string {
  const chars = Array.from(output);
  if (chars.length <= OUTPUT_LIMIT) return output;
  return chars.slice(0, OUTPUT_LIMIT - Array.from(TRUNCATED).length).join('') + TRUNCATED;
}
