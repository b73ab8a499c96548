/**
 * The GitHub Classroom report: the result format of the classroom-resources autograding
 * runners, which the autograding-grading-reporter action (and its forks) collects and posts to
 * Classroom. A pure function of the LabResult.
 *
 * The format, as read from the sources (github-education-resources/autograding-grading-reporter,
 * classroom-resources/autograding-python-grader, and the command grader's generateResult):
 * - a runner sets a step output named `result`: the result JSON, UTF-8, base64-encoded
 *   (the python grader's bin/run.sh appends `result=<base64>` to $GITHUB_OUTPUT; the command
 *   grader sets the same output with @actions/core);
 * - the workflow hands it to the reporter as env `<RUNNER-ID>_RESULTS` with `runners: <id>`;
 *   the reporter base64-decodes and parses it (src/main.js parseRunnerResults);
 * - the JSON: `version` (1), `status` pass | fail | error, `max_score`, and `tests`, each with
 *   `name`, `status`, `score`, `message`, `test_code`, `filename`, `line_no`, `duration` (ms in
 *   the command grader, which measured end - start with Date);
 * - the points sent to Classroom are the sum of `tests[].score` out of `max_score`
 *   (src/notify-classroom.js); the reporter fails the job when any runner's status is fail or
 *   error (src/main.js), and prints each test's name and message (src/console-results.js).
 * Its console table (src/aggregate-results.js) scores passed/total × max_score, ignoring
 * per-test points, so with tests of unequal weight that table can differ from the points sent.
 */
import type { LabResult, TestResult } from '../schemas/lab-result.ts';
import type { Reporter } from './reporter.ts';

export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  duration: number;
}

export interface ClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

export function toClassroomResult(result: LabResult): ClassroomResult {
  const tests = result.tests.map(toClassroomTest);
  // The reporter reads tests.length and divides by it; an empty list would print NaN, and the
  // reason nothing was graded would be shown nowhere.
  if (tests.length === 0) {
    tests.push({ name: `${result.labId}: could not be graded`, status: 'error', score: 0, message: result.message, test_code: '', filename: '', line_no: 0, duration: 0 });
  }
  // Status follows the tests (pass only when all passed), as the runners report it; the pass
  // mark decides the grade command's exit code, not what Classroom is told.
  return { version: 1, status: result.status, max_score: result.maxScore, tests };
}

/** The value of the `result` output: base64 of the UTF-8 JSON. */
export function formatClassroom(result: LabResult): string {
  return base64(JSON.stringify(toClassroomResult(result)));
}

export const classroomReporter: Reporter = {
  name: 'classroom',
  help: "the autograding result for GitHub Classroom's reporter:\nresult=<base64> appended to $GITHUB_OUTPUT (printed when unset)",
  // The step output the workflow hands to the reporter, as the autograding runners set it.
  parts: [{ to: { appendTo: 'GITHUB_OUTPUT' }, text: (result) => `result=${formatClassroom(result)}\n` }],
};

function toClassroomTest(test: TestResult): ClassroomTest {
  return {
    name: test.name,
    // The runners know only these three; a timeout is an error, as the command grader reports one.
    status: test.status === 'timeout' ? 'error' : test.status,
    score: test.earned,
    message: test.message,
    // The LabResult carries no test source or location; the runners send empty values then.
    test_code: '',
    filename: '',
    line_no: 0,
    duration: test.durationMs,
  };
}

/** UTF-8 then base64 with web APIs only, so this module runs in the browser as well as in Node. */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
