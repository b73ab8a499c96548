import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildLabResult, labResult, type PlannedTest, type TestOutcome } from '../../src/schemas/lab-result.ts';

const plan: PlannedTest[] = [
  { id: 'a', name: 'a', task: 1, points: 30, timeoutMs: 1000 },
  { id: 'b', name: 'b', task: 2, points: 70, timeoutMs: 1000 },
];
const base = { labId: 'lab', labVersion: 2, runtime: 'node' as const, durationMs: 12.6 };

test('a result sums earned points and gives the full mark only when every test passes', () => {
  const outcomes = new Map<string, TestOutcome>([
    ['a', { status: 'pass', message: 'ignored on a pass', durationMs: 3 }],
    ['b', { status: 'fail', message: 'expected 1 to be 2', durationMs: 4 }],
  ]);
  const result = buildLabResult({ ...base, plan, outcomes });
  assert.deepEqual(labResult.parse(result), result);
  assert.deepEqual([result.score, result.maxScore, result.status], [30, 100, 'fail']);
  assert.deepEqual(result.tests.map((t) => [t.id, t.earned, t.message]), [['a', 30, ''], ['b', 0, 'expected 1 to be 2']]);
  assert.equal(result.durationMs, 13);
});

test('a planned test that never reported gets an error verdict with the reason', () => {
  const outcomes = new Map<string, TestOutcome>([['a', { status: 'pass', message: '', durationMs: 1 }]]);
  const result = buildLabResult({ ...base, plan, outcomes, problem: 'the process was killed' });
  assert.equal(result.tests[1]!.status, 'error');
  assert.equal(result.tests[1]!.message, 'the process was killed');
  assert.equal(result.status, 'fail');
});

test('zero tests run is an error, never a pass', () => {
  const empty = buildLabResult({ ...base, plan: [], outcomes: new Map() });
  assert.deepEqual([empty.status, empty.score, empty.maxScore], ['error', 0, 0]);
  assert.match(empty.message, /No test ran/);
  const unreported = buildLabResult({ ...base, plan, outcomes: new Map(), problem: 'engine failed' });
  assert.deepEqual([unreported.status, unreported.message], ['error', 'engine failed']);
});

test('the result schema rejects unknown fields and wrong statuses', () => {
  const result = buildLabResult({ ...base, plan, outcomes: new Map() });
  assert.throws(() => labResult.parse({ ...result, extra: 1 }));
  assert.throws(() => labResult.parse({ ...result, tests: [{ ...result.tests[0], status: 'skipped' }] }));
});

test('a stopped loop, a blocking file and compile errors reach the result, checked, and it still validates', () => {
  const outcomes = new Map<string, TestOutcome>([
    ['a', { status: 'timeout', message: 'Stopped after 1 s', durationMs: 900, stoppedIn: { function: 'append', file: 'src/event-store.ts', line: 42 } }],
    ['b', { status: 'error', message: 'Not run: src/x.ts does not compile (line 3, column 5).', durationMs: 0, blockedBy: 'src/x.ts' }],
  ]);
  const compileErrors = [{ file: 'src/x.ts', line: 3, column: 5, message: 'Unexpected token' }];
  const result = buildLabResult({ ...base, plan, outcomes, compileErrors });
  assert.deepEqual(labResult.parse(result), result);
  assert.deepEqual(result.tests[0]!.stoppedIn, { function: 'append', file: 'src/event-store.ts', line: 42 });
  assert.equal(result.tests[1]!.blockedBy, 'src/x.ts');
  assert.deepEqual(result.compileErrors, compileErrors);

  // A malformed site (from an executor that cannot be trusted) is left out rather than breaking the result.
  const forged = new Map<string, TestOutcome>([['a', { status: 'timeout', message: 'x', durationMs: 1, stoppedIn: { function: 'f', file: 'src/a.ts', line: 'ten' as unknown as number } }]]);
  const checked = buildLabResult({ ...base, plan, outcomes: forged });
  assert.equal('stoppedIn' in checked.tests[0]!, false);
  assert.equal('compileErrors' in checked, false);
  assert.ok(labResult.safeParse(checked).success);
});

test('a message given to buildLabResult replaces the run\'s own', () => {
  const result = buildLabResult({ ...base, plan, outcomes: new Map(), problem: 'Not run: you stopped the run.', message: 'You stopped the run.' });
  assert.equal(result.message, 'You stopped the run.');
  assert.equal(result.tests[0]!.message, 'Not run: you stopped the run.');
});
