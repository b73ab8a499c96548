/**
 * Each test's time limit, from what the reference solution needs rather than one limit for
 * every test: a learner's endless loop then ends in two seconds instead of five, in every
 * runtime. `npm run verify -- <lab> --record-times` records the solution's times (the median of
 * three grader runs, each in a fresh child) in the lab's test-times.json.
 *
 * A correct solution written differently may be slower than ours, a browser's first Run is
 * 3-4 times slower than a warm one (a cold engine: event-sourcing's 33 tests, 4.5 s against
 * 1.6 s, `npm run bench`), and CI machines vary: hence a generous factor and a floor. A limit
 * never exceeds the lab's own (lab.json's testTimeoutMs), and a test that sets its own
 * timeoutMs keeps it.
 */
import type { LabBundle } from './bundle.ts';

export const TEST_TIMES_FILE = 'test-times.json';
export const LIMIT_FACTOR = 10;
export const LIMIT_FLOOR_MS = 2_000;

/** Limits by test id for the tests with a recorded time; the others keep the lab's limit. */
export function testTimeLimits(bundle: Pick<LabBundle, 'manifest' | 'testTimesMs'>): Record<string, number> {
  const labLimit = bundle.manifest.limits.testTimeoutMs;
  const limits: Record<string, number> = {};
  for (const [id, ms] of Object.entries(bundle.testTimesMs ?? {})) {
    limits[id] = Math.min(labLimit, Math.max(LIMIT_FLOOR_MS, Math.ceil((ms * LIMIT_FACTOR) / 100) * 100));
  }
  return limits;
}
