/**
 * Child-side defences, applied in the grader's child process after the course's own code (the
 * engines, the labkit, the lab's test files) has loaded and before any learner code runs.
 * The learner's code shares the process with the executor, so what the executor relies on to
 * decide "pass" must be out of its reach:
 *
 * - Built-ins the verdict path uses cannot be changed: Promise (a patched `then` or
 *   `constructor` could resolve a test that failed), Object.prototype (a `then` there makes
 *   every object a thenable, a `toJSON` rewrites every event), Array.prototype,
 *   Function.prototype, JSON, Reflect, Date (a frozen clock could pass a timing test), and the
 *   test API: `expect` and chai's Assertion prototype (an `assert` that never throws would pass
 *   every expectation). Changing them throws a TypeError in the learner's code, which becomes
 *   that test's error.
 * - No way to read the executor's memory (where the channel key lives): `node:v8` (heap
 *   snapshots) and `node:inspector` cannot be imported any more, and `process.getBuiltinModule`
 *   and `process.binding` are removed. Nor to start processes or threads: the permission model
 *   refuses those already; the import block only makes the message clearer.
 *
 * Node only: the browser worker runs a learner's code for that learner alone, and stays warm
 * between runs, so it keeps its built-ins as they are.
 */
// A namespace import: the full environment's older Node may lack registerHooks (Node >= 22.15),
// and a named import of a missing export would stop the child from loading at all.
import * as nodeModule from 'node:module';

const BLOCKED_BUILTINS = new Set(['v8', 'inspector', 'inspector/promises', 'module', 'worker_threads', 'child_process', 'cluster', 'wasi', 'trace_events', 'repl']);

let sealed = false;

// Registered at load, before anything else can register hooks that would run ahead of these.
nodeModule.registerHooks?.({
  resolve(specifier, context, nextResolve) {
    const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    if (sealed && BLOCKED_BUILTINS.has(name)) {
      throw new Error(`Lab code cannot import "${specifier}" in the grader.`);
    }
    return nextResolve(specifier, context);
  },
});

/**
 * Object.freeze makes assignments like `obj.toString = ...` throw on every object that inherits
 * from a frozen prototype (the "override mistake"), which ordinary code and libraries do. So
 * the commonly overridden properties become accessors whose setter defines the property on
 * the object assigned to, and only the prototype itself refuses the change.
 */
const OVERRIDABLE = new Set<PropertyKey>(['constructor', 'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'name', 'message', 'then', 'catch', 'finally', 'push', 'map', 'filter', 'call', 'apply', 'bind']);

function harden(target: object, label: string): void {
  for (const key of Reflect.ownKeys(target)) {
    const descriptor = Object.getOwnPropertyDescriptor(target, key)!;
    if (!('value' in descriptor) || !descriptor.writable || !descriptor.configurable || !OVERRIDABLE.has(key)) continue;
    const value = descriptor.value as unknown;
    Object.defineProperty(target, key, {
      get: () => value,
      set(this: object, replacement: unknown) {
        if (this === target) throw new TypeError(`${label}.${String(key)} cannot be changed in the grader: the tests rely on the built-in.`);
        Object.defineProperty(this, key, { value: replacement, writable: true, enumerable: true, configurable: true });
      },
      enumerable: descriptor.enumerable,
      configurable: false,
    });
  }
  Object.freeze(target);
}

export interface LockdownTargets {
  /** The `expect` lab tests use. */
  expect: unknown;
}

export function lockdown(targets: LockdownTargets): void {
  if (sealed) return;
  sealed = true;
  const expect = targets.expect as (value: unknown) => object;
  const assertionPrototype = Object.getPrototypeOf(expect(0)) as object;
  const hardened: Array<[object, string]> = [
    [Object.prototype, 'Object.prototype'],
    [Array.prototype, 'Array.prototype'],
    [Function.prototype, 'Function.prototype'],
    [Promise, 'Promise'],
    [Promise.prototype, 'Promise.prototype'],
    [JSON, 'JSON'],
    [Reflect, 'Reflect'],
    [Date, 'Date'],
    [expect, 'expect'],
    [assertionPrototype, 'expect()'],
  ];
  for (const [target, label] of hardened) harden(target, label);
  // The names on the global object can be rebound (globalThis.Promise = ...); the executor's
  // modules captured theirs when they loaded, but a test file reads the global at run time.
  for (const name of ['Object', 'Array', 'Function', 'Promise', 'JSON', 'Reflect', 'Date', 'Symbol', 'Error']) {
    Object.defineProperty(globalThis, name, { writable: false, configurable: false });
  }
  const proc = process as unknown as Record<string, unknown>;
  for (const name of ['getBuiltinModule', 'binding', '_linkedBinding', 'dlopen']) delete proc[name];
}
