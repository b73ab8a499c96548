/**
 * The executor makes the run's seed (RunRequest.seed) the start of scheduleSeeds() before the
 * lab's test files load, in every runtime, and a failure under a schedule names that seed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setRunSeed } from '../../src/labkit/faults/schedule-seeds.ts';
import { executeRun } from '../../src/runner/executor/execute.ts';
import type { ExecutorEvent, RunRequest } from '../../src/runner/protocol.ts';
import type { TestOutcome } from '../../src/schemas/lab-result.ts';

const TESTS = `
import { scheduleSeeds, withSeed } from 'labkit/faults';
import { expect, test } from 'labkit/test';

// Read while the file loads, as a test file may to name its tests.
const atLoad = scheduleSeeds(2);

test('seeds while loading', { task: 1, points: 1 }, () => {
  expect(atLoad).toEqual([77, 78]);
});

test('seeds in a test', { task: 1, points: 1 }, async () => {
  for (const seed of scheduleSeeds(3)) {
    await withSeed(seed, () => expect(seed, 'the schedule').toBeLessThan(79));
  }
});
`;

async function run(seed: number): Promise<Map<string, TestOutcome>> {
  const request: RunRequest = { type: 'run', labId: 'seeded', sources: { 'tests/seeds.test.ts': TESTS }, testFiles: ['tests/seeds.test.ts'], defaultTimeoutMs: 2_000, databases: [], seed };
  const outcomes = new Map<string, TestOutcome>();
  const events: ExecutorEvent[] = [];
  try {
    await executeRun(request, (event) => {
      events.push(event);
      if (event.type === 'test-end') outcomes.set(event.id, event.outcome);
    });
  } finally {
    setRunSeed(1);
  }
  assert.equal(events.at(-1)?.type, 'done', JSON.stringify(events));
  return outcomes;
}

test("the run's seed is where scheduleSeeds starts, while the files load and in the tests", async () => {
  const outcomes = await run(77);
  assert.equal(outcomes.get('seeds-while-loading')?.status, 'pass', outcomes.get('seeds-while-loading')?.message);
  const inTest = outcomes.get('seeds-in-a-test')!;
  // 77 and 78 pass; 79, the third schedule, fails and is named.
  assert.equal(inTest.status, 'fail');
  assert.match(inTest.message, /^the schedule\nexpected 79 to be less than 79\nFault seed 79; to replay it, run with seed 79: `npm run grade -- seeded --seed 79`, or type 79 in the Seed field beside Run\n\(at tests\/seeds\.test\.ts:\d+\)$/);
});

test('another seed, other schedules: run with the failing seed, that schedule runs first', async () => {
  const outcomes = await run(79);
  assert.equal(outcomes.get('seeds-while-loading')?.status, 'fail');
  assert.match(outcomes.get('seeds-while-loading')!.message, /^expected: \[77,78\]\nreceived: \[79,80\]/);
  assert.match(outcomes.get('seeds-in-a-test')!.message, /^the schedule\nexpected 79 to be less than 79\nFault seed 79;/);
});

test('a seed outside 0..2^32-1 stops the run before any test file loads', async () => {
  const events: ExecutorEvent[] = [];
  const request: RunRequest = { type: 'run', labId: 'seeded', sources: { 'tests/seeds.test.ts': TESTS }, testFiles: ['tests/seeds.test.ts'], defaultTimeoutMs: 2_000, databases: [], seed: 2 ** 32 };
  await executeRun(request, (event) => events.push(event));
  assert.deepEqual(events.map((e) => e.type), ['fatal']);
  assert.match((events[0] as { message: string }).message, /^The run could not start: RangeError: the run's seed must be a whole number from 0 to 4294967295, got 4294967296$/);
});
