/**
 * LabResult: the one result format every runtime produces and every reporter and view reads.
 * It is built only by `buildLabResult`, on every path (success, compile error, crash, timeout),
 * so a result always has the same shape and every planned test exactly one verdict.
 */
import { z } from 'zod';

export const LAB_RESULT_VERSION = 1;

export const testStatus = z.enum(['pass', 'fail', 'error', 'timeout']);
export type TestStatus = z.infer<typeof testStatus>;

/** Where a loop is: the function it is in ("top level" outside any), its file and line. */
export const loopSite = z.strictObject({
  function: z.string(),
  file: z.string(),
  line: z.number().int().min(0),
});

/** A lab file that does not compile, said once for the run rather than on every test that needs it. */
export const compileError = z.strictObject({
  file: z.string(),
  line: z.number().int().min(1).optional(),
  column: z.number().int().min(1).optional(),
  message: z.string(),
});
export type CompileErrorReport = z.infer<typeof compileError>;

export const testResult = z.strictObject({
  /** Stable id, derived from the test's name; unique within the lab. */
  id: z.string(),
  name: z.string(),
  /** The lab task the test belongs to, as numbered in the README. */
  task: z.number().int().min(1),
  /** What the test is worth. */
  points: z.number().min(0),
  /** What it earned: all its points on a pass, none otherwise. */
  earned: z.number().min(0),
  /** pass: it held; fail: an expectation did not hold; error: the code threw or could not load; timeout: stopped at its time limit. */
  status: testStatus,
  /** Why it did not pass, in words for the learner; empty on a pass. */
  message: z.string(),
  durationMs: z.number().min(0),
  /** What the test's code printed, cut to a few kilobytes. */
  output: z.string().optional(),
  /** On a timeout the loop guard ended: the loop it stopped. */
  stoppedIn: loopSite.optional(),
  /** On an error because a file the test needed does not compile: that file. */
  blockedBy: z.string().optional(),
});
export type TestResult = z.infer<typeof testResult>;

export const labResult = z.strictObject({
  version: z.literal(LAB_RESULT_VERSION),
  labId: z.string(),
  labVersion: z.number().int(),
  /** Where the tests ran. */
  runtime: z.enum(['node', 'worker', 'webcontainer']),
  /** pass: full marks; fail: graded below full marks; error: could not be graded (no test ran). */
  status: z.enum(['pass', 'fail', 'error']),
  score: z.number().min(0),
  maxScore: z.number().min(0),
  /** A summary of what went wrong for the whole run, when something did; empty otherwise. */
  message: z.string(),
  tests: z.array(testResult),
  durationMs: z.number().min(0),
  /** The lab files that do not compile, each once; absent when every file compiles. */
  compileErrors: z.array(compileError).optional(),
});
export type LabResult = z.infer<typeof labResult>;

/** A test as declared in a test file, before it runs. */
export interface PlannedTest {
  id: string;
  name: string;
  task: number;
  points: number;
  timeoutMs: number;
}

/** What a runtime observed for one test. */
export interface TestOutcome {
  status: TestStatus;
  message: string;
  durationMs: number;
  output?: string;
  /** The loop the guard stopped, on a timeout it ended. */
  stoppedIn?: { function: string; file: string; line: number };
  /** The file that does not compile, when that is why the test could not run. */
  blockedBy?: string;
}

export interface LabResultInput {
  labId: string;
  labVersion: number;
  runtime: LabResult['runtime'];
  /** The tests the lab declares; empty when the test files could not even be read. */
  plan: PlannedTest[];
  /** Outcomes by test id. A planned test without one gets an error verdict. */
  outcomes: ReadonlyMap<string, TestOutcome>;
  /** Why the run ended early, if it did: given to every test that never reported. */
  problem?: string;
  durationMs: number;
  /** The lab files that do not compile. */
  compileErrors?: readonly CompileErrorReport[];
  /** Replaces the run's message (a run the learner stopped says so), whatever else went wrong. */
  message?: string;
}

export function buildLabResult(input: LabResultInput): LabResult {
  const tests: TestResult[] = input.plan.map((t) => {
    const outcome = input.outcomes.get(t.id) ?? {
      status: 'error' as const,
      message: input.problem ?? 'This test never reported a result.',
      durationMs: 0,
    };
    return {
      id: t.id,
      name: t.name,
      task: t.task,
      points: t.points,
      earned: outcome.status === 'pass' ? t.points : 0,
      status: outcome.status,
      message: outcome.status === 'pass' ? '' : outcome.message,
      durationMs: Math.round(outcome.durationMs),
      ...(outcome.output ? { output: outcome.output } : {}),
      // Outcomes come from executors; only well-formed extras make it into the result.
      ...(outcome.status === 'timeout' && loopSite.safeParse(outcome.stoppedIn).success ? { stoppedIn: loopSite.parse(outcome.stoppedIn) } : {}),
      ...(outcome.status === 'error' && typeof outcome.blockedBy === 'string' && outcome.blockedBy ? { blockedBy: outcome.blockedBy } : {}),
    };
  });
  const score = tests.reduce((sum, t) => sum + t.earned, 0);
  const maxScore = tests.reduce((sum, t) => sum + t.points, 0);
  const ran = tests.some((t) => input.outcomes.has(t.id));
  const status = !ran ? 'error' : score === maxScore ? 'pass' : 'fail';
  const message = input.message ?? (!ran ? (input.problem ?? 'No test ran, so nothing could be graded.') : (input.problem ?? ''));
  return {
    version: LAB_RESULT_VERSION,
    labId: input.labId,
    labVersion: input.labVersion,
    runtime: input.runtime,
    status,
    score,
    maxScore,
    message,
    tests,
    durationMs: Math.round(input.durationMs),
    ...(input.compileErrors && input.compileErrors.length > 0 ? { compileErrors: input.compileErrors.map((e) => ({ ...e })) } : {}),
  };
}
