/**
 * The loop guard: instrumented lab code keeps its line numbers, an endless loop is stopped at
 * its deadline with its function and line named, the stop is sticky, finite loops are left
 * alone, a loop stopped once gets a short budget, and test files are not instrumented.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileModule } from '../../src/runner/executor/compile.ts';
import { instrumentLoops, isLoopStop, LoopGuard, LOOP_GUARD_PARAM, REPEAT_BUDGET_MS } from '../../src/runner/executor/loop-guard.ts';
import { ModuleSystem } from '../../src/runner/executor/module-system.ts';
import { executeRun } from '../../src/runner/executor/execute.ts';
import type { ExecutorEvent } from '../../src/runner/protocol.ts';

function lab(sources: Record<string, string>, guard: LoopGuard) {
  const modules = new ModuleSystem({ sources, hostModules: {}, loopGuard: guard });
  return (path: string) => modules.require('tests/t.test.ts', `../${path}`) as Record<string, (...args: unknown[]) => unknown>;
}

test('instrumented code keeps every line where it was, for loops with and without braces', () => {
  const source = [
    'export function a(xs: number[]) {',
    '  let n = 0;',
    '  for (const x of xs) n += x;',
    '  while (n > 100) { n -= 1; }',
    '  do n++; while (n < 3)',
    '  for (const k in { a: 1 }) for (let i = 0; i < 2; i++) n += i;',
    '  return n;',
    '}',
    'export function where() { for (let i = 0; i < 1; i++) {} for (;;) break;',
    '  return new Error().stack; }',
  ].join('\n');
  const { code, loopSites } = compileModule('src/lines.ts', source);
  assert.equal(loopSites.length, 7);
  const plain = compileModule('tests/lines.test.ts', source).code;
  assert.equal(code.split('\n').length, plain.split('\n').length);
  // An error thrown after the loops still points at its own line.
  const guard = new LoopGuard();
  const load = lab({ 'src/lines.ts': source }, guard);
  const { a: run, where } = load('src/lines.ts');
  assert.equal(run!([1, 2, 3]), 8);
  assert.match(String(where!()), /lab:\/\/\/src\/lines\.ts:10:/);
  assert.deepEqual(loopSites.map((s) => s.line), [3, 4, 5, 6, 6, 9, 9]);
});

test('a for(;;){} inside function append is stopped with that name and line, as a loop stop', () => {
  const guard = new LoopGuard();
  const load = lab({ 'src/event-store.ts': 'export const x = 1;\n\nexport function append(): void {\n  for (;;) {}\n}\n' }, guard);
  const { append } = load('src/event-store.ts');
  guard.arm({ limitMs: 200, budgetMs: 100, testName: 'appends' });
  const started = performance.now();
  let thrown: unknown;
  try {
    append!();
  } catch (error) {
    thrown = error;
  }
  const took = performance.now() - started;
  assert.ok(isLoopStop(thrown), 'the guard threw its own error');
  assert.ok(took >= 95 && took < 1_000, `stopped after ${took} ms`);
  const stop = guard.disarm();
  assert.deepEqual(stop?.site, { function: 'append', file: 'src/event-store.ts', line: 4 });
  assert.equal(stop?.message, 'Stopped after 0.2 s: the loop in append() (src/event-store.ts:4) was still running. Look for a loop whose condition never becomes false.');
});

test('methods and arrow functions are named; a loop outside any function is at the top level', () => {
  const { sites } = instrumentLoops(
    'class EventStore { append() { while (true) {} } }\nconst load = () => { for (;;) {} };\nobj.save = function () { do {} while (1) };\nfor (;;) {}',
    'src/s.ts',
  );
  assert.deepEqual(sites.map((s) => s.function), ['EventStore.append', 'load', 'save', 'top level']);
});

test('past the deadline every guard call throws, so a try/catch around the loop cannot keep it alive', () => {
  const guard = new LoopGuard();
  const load = lab({ 'src/a.ts': 'export function stubborn(): number {\n  let caught = 0;\n  while (true) {\n    try { for (;;) {} } catch { caught++; }\n  }\n}\n' }, guard);
  const { stubborn } = load('src/a.ts');
  guard.arm({ limitMs: 100, budgetMs: 50, testName: 't' });
  assert.throws(() => stubborn!(), (error) => isLoopStop(error));
  assert.equal(guard.current?.site.line, 4);
  // Still stopped: the next loop call throws at once.
  assert.throws(() => stubborn!(), (error) => isLoopStop(error));
  guard.disarm();
});

test('a forged stop error is not taken for the guard\'s', () => {
  const forged = Object.assign(new Error('Stopped after 5 s'), { name: 'LoopStopped' });
  assert.equal(isLoopStop(forged), false);
});

test('a finite loop runs to its end under an armed guard, and unarmed nothing is ever stopped', () => {
  const guard = new LoopGuard();
  const load = lab({ 'src/a.ts': 'export function sum(n: number): number { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }' }, guard);
  const { sum } = load('src/a.ts');
  guard.arm({ limitMs: 5_000, budgetMs: 4_900, testName: 't' });
  assert.equal(sum!(1_000_000), 499999500000);
  assert.equal(guard.disarm(), undefined);
  assert.equal(sum!(1_000_000), 499999500000);
});

test('a loop stopped in one test gets a short budget in the next, and says where it was stopped first', () => {
  const guard = new LoopGuard();
  const load = lab({ 'src/a.ts': 'export function spin(): void { for (;;) {} }\nexport function slow(ms: number): number { const end = performance.now() + ms; let n = 0; while (performance.now() < end) n++; return n; }' }, guard);
  const { spin, slow } = load('src/a.ts');
  guard.arm({ limitMs: 1_000, budgetMs: 600, testName: 'first' });
  assert.throws(() => spin!(), (error) => isLoopStop(error));
  guard.disarm();

  guard.arm({ limitMs: 5_000, budgetMs: 4_900, testName: 'second' });
  const started = performance.now();
  assert.throws(() => spin!(), (error) => isLoopStop(error));
  const took = performance.now() - started;
  assert.ok(took >= REPEAT_BUDGET_MS - 5 && took < 1_500, `stopped after ${took} ms`);
  const stop = guard.disarm();
  assert.match(stop!.message, /^Stopped after 0\.3 s: the loop in spin\(\) \(src\/a\.ts:1\) was still running, the same loop that was stopped in test "first"\./);

  // Another loop, merely slow, keeps the full budget.
  guard.arm({ limitMs: 5_000, budgetMs: 4_900, testName: 'third' });
  assert.ok((slow!(600) as number) > 0);
  assert.equal(guard.disarm(), undefined);
});

test('between tests, a loop already known to be endless is stopped at once; other loops run free', () => {
  const guard = new LoopGuard();
  const load = lab({ 'src/a.ts': 'export function spin(): void { for (;;) {} }\nexport function count(n: number): number { let i = 0; while (i < n) i++; return i; }' }, guard);
  const { spin, count } = load('src/a.ts');
  guard.arm({ limitMs: 1_000, budgetMs: 300, testName: 'first' });
  assert.throws(() => spin!(), (error) => isLoopStop(error));
  guard.disarm();
  // Disarmed, as between two tests, when a leftover timer or a redelivered message reaches the loop.
  const started = performance.now();
  assert.throws(() => spin!(), (error) => isLoopStop(error) && /ran again after its test had ended, the same loop that was stopped in test "first"/.test((error as Error).message));
  assert.ok(performance.now() - started < 100);
  assert.equal(count!(100_000), 100_000);
});

test('test files are not instrumented', () => {
  const { code, loopSites } = compileModule('tests/a.test.ts', 'for (;;) { break; }');
  assert.equal(loopSites.length, 0);
  assert.ok(!code.includes(LOOP_GUARD_PARAM));
  assert.ok(compileModule('src/a.ts', 'for (;;) { break; }').code.includes(LOOP_GUARD_PARAM));
});

test('a loop at the top level of a file stops its loading with the file named', () => {
  const guard = new LoopGuard();
  const modules = new ModuleSystem({ sources: { 'src/answer.ts': 'export const a = 1;\nwhile (true) {}\n' }, hostModules: {}, loopGuard: guard });
  guard.arm({ limitMs: 3_000, budgetMs: 100 });
  assert.throws(() => modules.loadLabFiles());
  const stop = guard.disarm();
  assert.equal(stop?.message, 'Your code did not finish loading: src/answer.ts was still running after 3 s, in the loop at the top level of src/answer.ts (src/answer.ts:2). Look for a loop whose condition never becomes false.');
});

/** Runs a small lab through the executor itself (no database), returning its events. */
async function execute(sources: Record<string, string>, timeoutMs: number): Promise<ExecutorEvent[]> {
  const events: ExecutorEvent[] = [];
  await executeRun(
    { type: 'run', labId: 'loops', sources, testFiles: Object.keys(sources).filter((p) => p.startsWith('tests/')), defaultTimeoutMs: timeoutMs, databases: [], seed: 1 },
    (event) => events.push(event),
  );
  return events;
}

const ends = (events: ExecutorEvent[]) => events.flatMap((e) => (e.type === 'test-end' ? [e] : []));

test('the executor survives an endless loop called by every test: the first is stopped at its limit, the rest soon, each naming the loop', async () => {
  const calls = Array.from({ length: 7 }, (_, i) => `test('appends ${i + 1}', { task: 1, points: 1 }, () => { append(); });`).join('\n');
  const started = performance.now();
  const events = await execute(
    {
      'src/event-store.ts': 'export function append(): void {\n  let n = 0;\n  while (n >= 0) { n = (n + 1) % 10; }\n}\nexport const ok = () => 1;\n',
      'tests/a.test.ts': `import { test, expect } from 'labkit/test';\nimport { append, ok } from '../src/event-store.ts';\n${calls}\ntest('other', { task: 1, points: 1 }, () => { expect(ok()).toBe(1); });`,
    },
    1_000,
  );
  const took = performance.now() - started;
  const outcomes = ends(events).map((e) => e.outcome);
  assert.deepEqual(outcomes.map((o) => o.status), [...Array(7).fill('timeout'), 'pass']);
  assert.ok(outcomes.slice(0, 7).every((o) => o.stoppedIn?.function === 'append' && o.stoppedIn.line === 3 && o.stoppedIn.file === 'src/event-store.ts'));
  assert.match(outcomes[0]!.message, /^Stopped after 1 s: the loop in append\(\) \(src\/event-store\.ts:3\) was still running\./);
  assert.match(outcomes[1]!.message, /the same loop that was stopped in test "appends 1"/);
  // 0.9 s for the first, about 0.3 s for each of the other six.
  assert.ok(took < 0.9 * 1_000 + 6 * 600 + 1_000, `the run took ${took} ms`);
  assert.ok(events.some((e) => e.type === 'done'));
});

test('a file that does not compile is reported once, and only the tests that need it are blocked', async () => {
  const events = await execute(
    {
      'src/broken.ts': 'export const a = 1;\nexport const f = ;\n',
      'src/uses-broken.ts': "import { a } from './broken.ts';\nexport const b = () => a + 1;\n",
      'src/fine.ts': 'export const c = () => 3;\n',
      'tests/a.test.ts': [
        "import { test, expect } from 'labkit/test';",
        "import { b } from '../src/uses-broken.ts';",
        "import { c } from '../src/fine.ts';",
        "test('needs it', { task: 1, points: 1 }, () => { expect(b()).toBe(2); });",
        "test('does not', { task: 1, points: 1 }, () => { expect(c()).toBe(3); });",
      ].join('\n'),
    },
    1_000,
  );
  const reported = events.filter((e) => e.type === 'compile-error');
  assert.deepEqual(reported, [{ type: 'compile-error', file: 'src/broken.ts', line: 2, column: 18, message: 'Unexpected token' }]);
  // Said before any lab code ran.
  assert.ok(events.findIndex((e) => e.type === 'compile-error') < events.findIndex((e) => e.type === 'evaluating'));
  const [needs, fine] = ends(events).map((e) => e.outcome);
  assert.deepEqual([needs!.status, needs!.message, needs!.blockedBy], ['error', 'Not run: src/broken.ts does not compile (line 2, column 18).', 'src/broken.ts']);
  assert.deepEqual([fine!.status, fine!.blockedBy], ['pass', undefined]);
});
