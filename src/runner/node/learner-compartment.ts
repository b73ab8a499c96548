/**
 * Where the grader evaluates lab code (every file under the lab's src/): an SES Compartment,
 * after lockdown (lockdown.ts). The compartment has its own global object, holding the
 * standard JavaScript built-ins (frozen, shared with the tests) and the few host APIs a lab's
 * code may use, each given as a frozen stand-in that calls the real one:
 *
 *   console, setTimeout / clearTimeout / setInterval / clearInterval, queueMicrotask,
 *   structuredClone, atob / btoa, performance.now, crypto (getRandomValues, randomUUID, subtle),
 *   TextEncoder / TextDecoder, URL / URLSearchParams, Intl, and Date and Math as the tests see
 *   them (SES's own compartments get a Date without a clock and a Math without random).
 *
 * No `process`, no `require`, no `import()` (SES refuses source text that looks like one;
 * executor/lab-code-rules.ts applies the same check in every runtime), no Node built-ins: a lab file reaches other modules only through the `require` the
 * module system hands it. Whatever the code assigns to its globals stays in its compartment.
 */
import type { LabCodeEvaluator } from '../executor/module-system.ts';

/** Timer handles are numbers, as in a browser, so lab code never holds one of Node's Timeout objects. */
function timers() {
  const live = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;
  const start = (repeat: boolean) => (callback: unknown, ms?: unknown, ...args: unknown[]) => {
    if (typeof callback !== 'function') throw new TypeError(`The callback passed to ${repeat ? 'setInterval' : 'setTimeout'} must be a function.`);
    const id = next++;
    const run = () => {
      if (!repeat) live.delete(id);
      (callback as (...a: unknown[]) => void)(...args);
    };
    live.set(id, repeat ? setInterval(run, Number(ms) || 0) : setTimeout(run, Number(ms) || 0));
    return id;
  };
  const stop = (id: unknown) => {
    const timer = live.get(id as number);
    if (timer === undefined) return;
    clearTimeout(timer);
    live.delete(id as number);
  };
  return { setTimeout: start(false), setInterval: start(true), clearTimeout: stop, clearInterval: stop };
}

const SUBTLE_METHODS = ['encrypt', 'decrypt', 'sign', 'verify', 'digest', 'generateKey', 'deriveKey', 'deriveBits', 'importKey', 'exportKey', 'wrapKey', 'unwrapKey'] as const;
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'table', 'dir'] as const;

/** The global names a lab file sees beyond the standard built-ins. */
function labGlobals(): Record<string, unknown> {
  const subtle = Object.fromEntries(
    SUBTLE_METHODS.map((name) => [name, (...args: unknown[]) => (crypto.subtle[name] as (...a: unknown[]) => unknown).apply(crypto.subtle, args)]),
  );
  // Looked up at each call: the executor swaps the console's methods to capture a test's output.
  const labConsole = Object.fromEntries(CONSOLE_METHODS.map((name) => [name, (...args: unknown[]) => (console[name] as (...a: unknown[]) => void)(...args)]));
  return {
    ...timers(),
    console: labConsole,
    queueMicrotask: (callback: () => void) => queueMicrotask(callback),
    structuredClone: (value: unknown, options?: StructuredSerializeOptions) => structuredClone(value, options),
    atob: (data: string) => atob(data),
    btoa: (data: string) => btoa(data),
    performance: { now: () => performance.now(), timeOrigin: performance.timeOrigin },
    crypto: {
      getRandomValues: (array: Uint8Array<ArrayBuffer>) => crypto.getRandomValues(array),
      randomUUID: () => crypto.randomUUID(),
      subtle,
    },
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
    Intl,
    Date,
    Math,
  };
}

let hostClassesHardened = false;

/** A fresh compartment for one run's lab files. Call after lockdown. */
export function learnerCompartment(): LabCodeEvaluator {
  if (!hostClassesHardened) {
    // Shared with the tests: lab code must not be able to change their prototypes.
    for (const shared of [TextEncoder, TextDecoder, URL, URLSearchParams, CryptoKey]) harden(shared);
    hostClassesHardened = true;
  }
  const compartment = new Compartment({ globals: harden(labGlobals()), __options__: true });
  return (code) => compartment.evaluate(code);
}

