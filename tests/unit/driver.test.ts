/**
 * The driver's verdicts when executors misbehave, with scripted fake executors: the clock and
 * the verdicts stay the driver's whatever the executor does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LabBundle } from '../../src/labs/bundle.ts';
import { driveRun, NOT_RUN_STOPPED, type ExecutorHandle, type ExecutorPool } from '../../src/runner/driver.ts';
import type { ExecutorEvent, RunRequest } from '../../src/runner/protocol.ts';
import { labResult, type PlannedTest } from '../../src/schemas/lab-result.ts';

const plan: PlannedTest[] = ['a', 'b', 'c'].map((id) => ({ id, name: `test ${id}`, task: 1, points: 10, timeoutMs: 50 }));

const bundle = {
  manifest: {
    id: 'fake', title: 'Fake', strategy: 1, version: 3, objectives: ['x'],
    files: { editable: ['src/a.ts'], readonly: [] }, tests: ['tests/a.test.ts'], ciTests: [], databases: [],
    tasks: [{ number: 1, title: 'T', hints: [] }], limits: { testTimeoutMs: 50, runTimeoutMs: 5_000 },
  },
  readme: '', starter: { 'src/a.ts': '' }, tests: { 'tests/a.test.ts': '' },
} satisfies LabBundle;

/** Each executor the pool hands out plays `script` for its request: it emits events, hangs or exits. */
type Script = (request: RunRequest, emit: (e: ExecutorEvent) => void, exit: (reason: string) => void) => void;

function pool(scripts: Script[]): ExecutorPool & { spawned: number; killed: number } {
  const state = { spawned: 0, killed: 0 };
  return {
    get spawned() { return state.spawned; },
    get killed() { return state.killed; },
    acquire(): ExecutorHandle {
      const script = scripts[state.spawned++]!;
      let onEvent: (e: ExecutorEvent) => void = () => {};
      let onExit: (reason: string) => void = () => {};
      let dead = false;
      return {
        listen: (event, exit) => { onEvent = event; onExit = exit; },
        send: (request) => setTimeout(() => script(request, (e) => !dead && onEvent(e), (r) => !dead && onExit(r))),
        kill: () => { dead = true; state.killed++; },
      };
    },
    release: () => {},
  };
}

const pass = (id: string): ExecutorEvent => ({ type: 'test-end', id, outcome: { status: 'pass', message: '', durationMs: 1 } });
function runAll(ids: string[], emit: (e: ExecutorEvent) => void, stopAt?: string): void {
  for (const id of ids) {
    emit({ type: 'test-start', id });
    if (id === stopAt) return;
    emit(pass(id));
  }
  emit({ type: 'done' });
}
const start = (emit: (e: ExecutorEvent) => void) => {
  emit({ type: 'plan', tests: plan });
  emit({ type: 'lab-loaded' });
};

test('a test that hangs times out, the executor is replaced, and the remaining tests still run', async () => {
  const executors = pool([
    (_req, emit) => { start(emit); runAll(['a', 'b', 'c'], emit, 'b'); },
    (req, emit) => { start(emit); runAll(req.only!, emit); },
  ]);
  const notices: string[] = [];
  const result = await driveRun({ bundle, learnerFiles: {}, runtime: 'node', pool: executors, onProgress: (p) => p.type === 'notice' && notices.push(p.message) });
  assert.deepEqual(result.tests.map((t) => t.status), ['pass', 'timeout', 'pass']);
  assert.match(result.tests[1]!.message, /^Stopped after 0\.1 s/);
  assert.deepEqual([result.score, result.maxScore, result.status], [20, 30, 'fail']);
  assert.equal(executors.spawned, 2);
  assert.equal(notices.length, 1);
});

test('an executor that dies mid-test gives that test an error and the rest run in a new one', async () => {
  const executors = pool([
    (_req, emit, exit) => { start(emit); emit({ type: 'test-start', id: 'a' }); exit('exit code 0'); },
    (req, emit) => { start(emit); runAll(req.only!, emit); },
  ]);
  const result = await driveRun({ bundle, learnerFiles: {}, runtime: 'node', pool: executors });
  assert.deepEqual(result.tests.map((t) => t.status), ['error', 'pass', 'pass']);
  assert.match(result.tests[0]!.message, /stopped unexpectedly \(exit code 0\) during this test/);
});

test('lab code that never finishes loading fails every test with the file named, without retrying', async () => {
  const executors = pool([(_req, emit) => { emit({ type: 'plan', tests: plan }); emit({ type: 'evaluating', file: 'src/a.ts' }); }]);
  const result = await driveRun({ bundle, learnerFiles: {}, runtime: 'node', pool: executors });
  assert.deepEqual(result.tests.map((t) => t.status), ['error', 'error', 'error']);
  assert.match(result.tests[0]!.message, /src\/a\.ts was still running after 0\.1 s/);
  assert.equal(result.status, 'fail');
  assert.equal(executors.spawned, 1);
});

test('an executor that never starts cannot be graded: status error, no points', async () => {
  const executors = pool([() => {}]);
  const result = await driveRun({ bundle, learnerFiles: {}, runtime: 'node', pool: executors, bootTimeoutMs: 50 });
  assert.deepEqual([result.status, result.score, result.tests.length], ['error', 0, 0]);
  assert.match(result.message, /did not start within 0\.1 s/);
});

test('a test the executor skips is an error, never a pass', async () => {
  const executors = pool([(_req, emit) => { start(emit); runAll(['a'], emit); }]);
  const result = await driveRun({ bundle, learnerFiles: {}, runtime: 'node', pool: executors });
  assert.deepEqual(result.tests.map((t) => [t.status, t.message]), [['pass', ''], ['error', 'This test never reported a result.'], ['error', 'This test never reported a result.']]);
});

test('a test-end for a test that is not running is ignored', async () => {
  const executors = pool([(_req, emit) => { start(emit); emit(pass('c')); runAll(['a', 'b'], emit); }]);
  const result = await driveRun({ bundle, learnerFiles: {}, runtime: 'node', pool: executors });
  assert.equal(result.tests[2]!.status, 'error');
});

test('stopping a run kills the executor at once, records the running test and the rest as stopped, and resolves', async () => {
  const controller = new AbortController();
  const longPlan = plan.map((t) => ({ ...t, timeoutMs: 5_000 }));
  const executors = pool([
    (_req, emit) => {
      emit({ type: 'plan', tests: longPlan });
      emit({ type: 'lab-loaded' });
      emit({ type: 'test-start', id: 'a' });
      emit(pass('a'));
      emit({ type: 'test-start', id: 'b' });
      // Hangs in b; the learner presses Stop long before b's time limit would.
      setTimeout(() => controller.abort(), 5);
    },
  ]);
  const longBundle = { ...bundle, manifest: { ...bundle.manifest, limits: { testTimeoutMs: 5_000, runTimeoutMs: 60_000 } } };
  const started = performance.now();
  const ends: string[] = [];
  const result = await driveRun({
    bundle: longBundle,
    learnerFiles: {},
    runtime: 'worker',
    pool: executors,
    signal: controller.signal,
    onProgress: (p) => p.type === 'test-end' && ends.push(`${p.id}:${p.outcome.status}`),
  });
  assert.ok(performance.now() - started < 1_000, 'resolved at once, not at the time limit');
  assert.deepEqual(result.tests.map((t) => [t.status, t.message]), [['pass', ''], ['error', 'Stopped by you while it ran.'], ['error', NOT_RUN_STOPPED]]);
  assert.equal(result.message, 'You stopped the run.');
  assert.deepEqual(ends, ['a:pass', 'b:error', 'c:error']);
  assert.equal(executors.killed, 1);
  assert.equal(executors.spawned, 1);
});

test('a compile-error event is accepted only while the executor loads, each file once, and lands in the result', async () => {
  const executors = pool([
    (_req, emit) => {
      // Before the plan: boot. Accepted.
      emit({ type: 'compile-error', file: 'src/a.ts', line: 3, column: 5, message: 'Unexpected token' });
      emit({ type: 'plan', tests: plan });
      emit({ type: 'compile-error', file: 'src/a.ts', line: 9, column: 1, message: 'a second report of the same file' });
      emit({ type: 'compile-error', file: 'src/b.ts', message: 'no position' });
      emit({ type: 'compile-error', file: 'tests/a.test.ts', line: 1, column: 1, message: 'not lab code' });
      emit({ type: 'lab-loaded' });
      // After loading: lab code may be running, so this one could be forged.
      emit({ type: 'compile-error', file: 'src/c.ts', line: 1, column: 1, message: 'forged' });
      emit({ type: 'test-start', id: 'a' });
      emit({ type: 'test-end', id: 'a', outcome: { status: 'error', message: 'Not run: src/a.ts does not compile (line 3, column 5).', durationMs: 0, blockedBy: 'src/a.ts' } });
      emit({ type: 'test-start', id: 'b' });
      emit({ type: 'compile-error', file: 'src/d.ts', message: 'forged mid-test' });
      emit(pass('b'));
      emit({ type: 'test-start', id: 'c' });
      emit(pass('c'));
      emit({ type: 'done' });
    },
  ]);
  const told: string[] = [];
  const result = await driveRun({ bundle, learnerFiles: {}, runtime: 'node', pool: executors, onProgress: (p) => p.type === 'compile-error' && told.push(p.file) });
  assert.deepEqual(told, ['src/a.ts', 'src/b.ts']);
  assert.deepEqual(result.compileErrors, [
    { file: 'src/a.ts', line: 3, column: 5, message: 'Unexpected token' },
    { file: 'src/b.ts', message: 'no position' },
  ]);
  assert.deepEqual(result.tests.map((t) => [t.status, t.blockedBy]), [['error', 'src/a.ts'], ['pass', undefined], ['pass', undefined]]);
  assert.ok(labResult.safeParse(result).success);
});

test('a run without compile errors has no compileErrors field', async () => {
  const executors = pool([(_req, emit) => { start(emit); runAll(['a', 'b', 'c'], emit); }]);
  const result = await driveRun({ bundle, learnerFiles: {}, runtime: 'node', pool: executors });
  assert.equal('compileErrors' in result, false);
});

test('tasks: the executor is asked for those tasks, and the result holds only their tests', async () => {
  const twoTasks: PlannedTest[] = [...plan, { id: 'd', name: 'test d', task: 2, points: 5, timeoutMs: 50 }];
  let asked: RunRequest | undefined;
  const executors = pool([
    (req, emit) => {
      asked = req;
      emit({ type: 'plan', tests: twoTasks });
      emit({ type: 'lab-loaded' });
      runAll(twoTasks.filter((t) => req.tasks!.includes(t.task)).map((t) => t.id), emit);
    },
  ]);
  const result = await driveRun({ bundle, learnerFiles: {}, runtime: 'worker', pool: executors, tasks: [2] });
  assert.deepEqual(asked?.tasks, [2]);
  assert.equal(asked?.only, undefined);
  assert.deepEqual(result.tests.map((t) => t.id), ['d']);
  assert.deepEqual([result.score, result.maxScore], [5, 5]);
});

