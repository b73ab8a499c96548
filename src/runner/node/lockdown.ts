/**
 * The grader's child shares one process between the course's code (the executor, the labkit,
 * the lab's tests) and the learner's. So that nothing the learner's code does can change what
 * the tests and the executor rely on, the child hardens the whole JavaScript realm with SES
 * (`ses`, the hardened-JavaScript shim by Agoric and the Endo project) before any lab file runs:
 *
 * - `lockdown()` freezes every intrinsic: the prototypes and statics of Object, Array,
 *   Promise, Map, String, RegExp, Error, the iterator prototypes, Math, JSON, Reflect, Date...
 *   A test's `toBe` relies on `Object.is`; its loops on `%ArrayIteratorPrototype%.next`; no
 *   list of "the ones that matter" is ever complete, so the whole realm is frozen.
 * - The labkit's modules (what tests and lab code import as `labkit/...`) are hardened too, so
 *   lab code cannot swap a function or a prototype method the tests call.
 * - Lab code itself is evaluated in a Compartment of its own (learner-compartment.ts): its own
 *   global object, no `process`, `require` or `import()`, and a Function constructor that
 *   cannot reach the course's globals.
 *
 * As an extra layer, the built-ins that could read the executor's memory (where the event
 * channel's key lives) or start processes are refused to any import after the lockdown.
 *
 * Node only: the browser worker runs a learner's code for that learner alone, and stays warm
 * between runs with its built-ins as they are.
 */
import 'ses';
// A namespace import: the full environment's older Node may lack registerHooks (Node >= 22.15),
// and a named import of a missing export would stop the child from loading at all.
import * as nodeModule from 'node:module';

/** Built-ins no module may import once the realm is locked down (the executor has loaded what it needs). */
const BLOCKED_BUILTINS = new Set([
  'v8', 'inspector', 'inspector/promises', 'module', 'worker_threads', 'child_process', 'cluster',
  'wasi', 'trace_events', 'repl', 'vm', 'sqlite', 'test', 'test/reporters', 'diagnostics_channel',
]);

let lockedDown = false;
/** The installed packages may still load what they need (PGlite imports node:module each time it starts). */
const PACKAGES = new URL('../../../node_modules/', import.meta.url).href;

// Registered at load, before anything else can register hooks that would run ahead of these.
nodeModule.registerHooks?.({
  resolve(specifier, context, nextResolve) {
    const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    if (lockedDown && BLOCKED_BUILTINS.has(name) && !context.parentURL?.startsWith(PACKAGES)) {
      throw new Error(`Lab code cannot import "${specifier}" in the grader.`);
    }
    return nextResolve(specifier, context);
  },
});

/**
 * Freezes the realm. Called once, when the child has loaded its own modules and before it
 * evaluates any lab file (test files included, so they run in the realm the grade depends on).
 */
export function lockdownRealm(): void {
  if (lockedDown) return;
  lockdown({
    // Error stacks stay, so a failure can point at the learner's line (`at src/order.ts:12`).
    errorTaming: 'unsafe',
    stackFiltering: 'verbose',
    // Assigning `obj.toString = ...` to an object whose prototype is frozen works as in plain
    // JavaScript (libraries and learners do it), rather than throwing.
    overrideTaming: 'severe',
    // toLocaleString and Intl behave as in the browser (time zones are part of the labs' data).
    localeTaming: 'unsafe',
    // The console is the course's to capture per test (capture-console.ts).
    consoleTaming: 'unsafe',
    // The executor evaluates test files with indirect eval; lab code never gets this eval.
    evalTaming: 'unsafe-eval',
    // The child decides what an uncaught error or rejection means (child.ts), not SES.
    errorTrapping: 'none',
    unhandledRejectionTrapping: 'none',
    domainTaming: 'unsafe',
    reporting: 'none',
  });
  lockedDown = true;
  // Intl is not one of the intrinsics lockdown freezes; tests may format with it.
  harden(Intl);
  const proc = process as unknown as Record<string, unknown>;
  for (const name of ['getBuiltinModule', 'binding', '_linkedBinding', 'dlopen']) delete proc[name];
}

/**
 * The host modules with every value they export hardened: functions, classes and their
 * prototypes, exported objects. A module namespace is itself immutable; what it points at is not.
 */
export function hardenHostModules(modules: Record<string, unknown>): Record<string, unknown> {
  for (const namespace of Object.values(modules)) {
    for (const value of Object.values(namespace as object)) harden(value);
  }
  return modules;
}
