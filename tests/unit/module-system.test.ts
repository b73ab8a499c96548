import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModuleLoadError, ModuleSystem } from '../../src/runner/executor/module-system.ts';
import { describeError } from '../../src/runner/executor/describe-error.ts';

function system(sources: Record<string, string>, evaluated: string[] = []) {
  return new ModuleSystem({ sources, hostModules: { 'labkit/x': { answer: 42 } }, onEvaluate: (file) => evaluated.push(file) });
}

test('test files load without running any lab code, which runs on first use', () => {
  const evaluated: string[] = [];
  const modules = system(
    {
      'src/a.ts': 'export const value: number = 1; (globalThis as any).__ranA = true;',
      'tests/a.test.ts': "import { value } from '../src/a.ts'; export const read = () => value;",
    },
    evaluated,
  );
  modules.loadTestFiles(['tests/a.test.ts']);
  assert.deepEqual(evaluated, ['tests/a.test.ts']);
  assert.equal((globalThis as { __ranA?: boolean }).__ranA, undefined);
  const testModule = modules.require('tests/x.ts', '../tests/a.test.ts') as { read(): number };
  assert.equal(testModule.read(), 1);
  assert.deepEqual(evaluated, ['tests/a.test.ts', 'src/a.ts']);
});

test('a test file that uses lab code while loading is told to move it into a test', () => {
  const modules = system({ 'src/a.ts': 'export const v = 1;', 'tests/a.test.ts': "import { v } from '../src/a.ts'; const x = v;" });
  assert.throws(() => modules.loadTestFiles(['tests/a.test.ts']), /tests\/a\.test\.ts uses src\/a\.ts while it is being loaded\. Test files may use lab code only inside tests and hooks\./);
});

test('a syntax error names the file, line and column, and fails every use of the module', () => {
  const modules = system({ 'src/a.ts': 'export const a = 1;\nexport const f = ;\n', 'tests/a.test.ts': "import { f } from '../src/a.ts'; export const use = () => f();" });
  modules.loadTestFiles(['tests/a.test.ts']);
  assert.throws(() => modules.loadLabFiles(), ModuleLoadError);
  const { use } = modules.require('tests/x.ts', '../tests/a.test.ts') as { use(): void };
  try {
    use();
    assert.fail('using a broken module should throw');
  } catch (error) {
    assert.match(describeError(error), /^src\/a\.ts could not be loaded, so this test could not use it\. Syntax error at src\/a\.ts:2:18: Unexpected token$/);
  }
});

test('a missing export and a missing file are explained', () => {
  const modules = system({ 'src/a.ts': 'export const a = 1;', 'src/b.ts': "import { c } from './c.ts'; export const b = c;" });
  const a = modules.require('tests/t.ts', '../src/a.ts') as Record<string, unknown>;
  assert.throws(() => a.nope, /src\/a\.ts has no export named "nope"/);
  assert.throws(() => modules.loadLabFiles(), /src\/b\.ts imports "\.\/c\.ts", but there is no file src\/c\.ts in this lab/);
});

test('imports resolve with or without the .ts extension, host modules by name, others are refused', () => {
  const modules = system({
    'src/a.ts': "import { answer } from 'labkit/x'; import { b } from './b'; export const sum = answer + b;",
    'src/b.ts': 'export const b = 1;',
    'src/c.ts': "import fs from 'node:fs'; export const c = fs;",
  });
  assert.equal((modules.require('tests/t.ts', '../src/a.ts') as { sum: number }).sum, 43);
  const c = modules.require('tests/t.ts', '../src/c.ts') as Record<string, unknown>;
  assert.throws(() => c.c, /src\/c\.ts imports "node:fs", which is not available in this lab\. Labs can import relative files and labkit\/x\./);
});

test('modules that import each other in a cycle load', () => {
  const modules = system({
    'src/a.ts': "import { b } from './b.ts'; export const a = () => 'a' + b();",
    'src/b.ts': "import { a } from './a.ts'; export const b = () => 'b'; export const useA = () => a();",
  });
  assert.equal((modules.require('tests/t.ts', '../src/b.ts') as { useA(): string }).useA(), 'ab');
});

test('errors thrown by lab code point at the line in the learner file', () => {
  const modules = system({ 'src/a.ts': "export function f(): void {\n  const o: any = undefined;\n  o.x;\n}" });
  const a = modules.require('tests/t.ts', '../src/a.ts') as { f(): void };
  try {
    a.f();
  } catch (error) {
    assert.match(describeError(error), /^TypeError: Cannot read properties of undefined \(reading 'x'\) \(at src\/a\.ts:3\)$/);
    return;
  }
  assert.fail('f should throw');
});

test('lab code cannot import the lab tests or the test API, and is told what it can import', () => {
  const modules = new ModuleSystem({
    sources: {
      'src/a.ts': "export { tests } from '../tests/a.test.ts';",
      'src/b.ts': "export { expect } from 'labkit/test';",
      'src/c.ts': "export { helper } from '../tests/helpers.ts';",
      'tests/a.test.ts': 'export const tests = [];',
      'tests/helpers.ts': 'export const helper = 1;',
    },
    hostModules: { 'labkit/test': { expect: () => {} }, 'labkit/db': {} },
  });
  assert.throws(() => (modules.require('tests/a.test.ts', '../src/a.ts') as { tests: unknown }).tests, /src\/a\.ts imports "\.\.\/tests\/a\.test\.ts", which is tests\/a\.test\.ts: lab code can import only files under src\/, never the lab's tests\./);
  assert.throws(() => (modules.require('tests/a.test.ts', '../src/b.ts') as { expect: unknown }).expect, /src\/b\.ts imports "labkit\/test", which only the lab's tests can use\. Lab code can import relative files under src\/ and labkit\/db\./);
  assert.throws(() => (modules.require('tests/a.test.ts', '../src/c.ts') as { helper: unknown }).helper, /never the lab's tests/);
  // Tests themselves may import their helpers and the test API.
  assert.equal((modules.require('tests/a.test.ts', './helpers.ts') as { helper: number }).helper, 1);
  assert.ok(modules.require('tests/a.test.ts', 'labkit/test'));
});

test('files under src/ go through the lab code evaluator, test files never do', () => {
  const seen: string[] = [];
  const modules = new ModuleSystem({
    sources: { 'src/a.ts': 'export const a = 1;', 'tests/a.test.ts': "import { a } from '../src/a.ts'; export const read = () => a;" },
    hostModules: {},
    evaluateLabCode: (code) => {
      seen.push(/sourceURL=lab:\/\/\/(\S+)/.exec(code)![1]!);
      return (0, eval)(code);
    },
  });
  modules.loadTestFiles(['tests/a.test.ts']);
  assert.equal((modules.require('tests/x.ts', '../tests/a.test.ts') as { read(): number }).read(), 1);
  assert.deepEqual(seen, ['src/a.ts']);
});

test('lab code with text the grader refuses (a dynamic-import look-alike, an HTML comment) is refused in every runtime, with its line', () => {
  const modules = new ModuleSystem({
    sources: {
      'src/a.ts': "export const a = 1;\n// later we could import('./b.ts') lazily\n",
      'src/b.ts': "export const b = '<!-- not a comment -->';",
      'src/c.ts': "export const load = () => import('./a.ts');",
      'tests/a.test.ts': '',
    },
    hostModules: {},
  });
  assert.throws(() => (modules.require('tests/a.test.ts', '../src/a.ts') as { a: unknown }).a, /Line 2 contains "import" followed by "\(" \(it looks like a dynamic import\), which the grader refuses even inside a string or a comment/);
  assert.throws(() => (modules.require('tests/a.test.ts', '../src/b.ts') as { b: unknown }).b, /an HTML comment marker/);
  // A real dynamic import is compiled to require() first, so it is not refused.
  assert.equal(typeof (modules.require('tests/a.test.ts', '../src/c.ts') as { load: unknown }).load, 'function');
});

test('outside the grader, the host globals lab code would not have there are refused by name, and a file may still declare its own', () => {
  const modules = system({
    'src/a.ts': [
      'export const respond = () => new Response("ok");',
      'export const abort = () => AbortSignal.timeout(200);',
      'export const env = () => process.env.HOME;',
      'export const kind = () => typeof fetch;',
    ].join('\n'),
    'src/b.ts': 'export class Response { constructor(readonly body: string) {} }\nconst location = "mine";\nexport const where = () => location;\nexport const make = () => new Response("x").body;',
    'tests/a.test.ts': "export * as a from '../src/a.ts'; export * as b from '../src/b.ts';",
  });
  modules.loadTestFiles(['tests/a.test.ts']);
  const { a, b } = modules.require('tests/x.ts', '../tests/a.test.ts') as { a: Record<string, () => unknown>; b: Record<string, () => unknown> };
  for (const [use, name] of [[a.respond, 'Response'], [a.abort, 'AbortSignal'], [a.env, 'process']] as const) {
    assert.throws(use, (error: Error) => error instanceof ReferenceError && error.message.startsWith(`${name} is not available to lab code (nor in the grader`));
  }
  assert.equal(a.kind!(), 'function');
  assert.equal(b.where!(), 'mine');
  assert.equal(b.make!(), 'x');
});
