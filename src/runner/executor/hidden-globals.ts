/**
 * Host globals that lab code must not see in any runtime. The grader evaluates lab code in an SES
 * Compartment that has only the standard built-ins and a few host APIs
 * (node/learner-compartment.ts); the browser's worker and the WebContainer's Node have many more
 * (`fetch`, `Response`, `AbortController`, `process`...). Code that used one would pass in the
 * page and fail in CI, so those runtimes give lab code a stand-in for each of these names: a
 * value that throws, on any use, an error that says what is going on. (In the grader the name
 * is simply not defined: the same verdict, in the Compartment's own words.)
 *
 * They are parameters of a function around the module's own wrapper, so a lab file may still
 * declare a `Response` or a `location` of its own.
 */
export const HIDDEN_GLOBALS = [
  // Fetch and streams: lab code calls other services through the labkit network it is given.
  'fetch', 'Request', 'Response', 'Headers', 'FormData', 'Blob', 'File', 'FileReader',
  'AbortController', 'AbortSignal', 'ReadableStream', 'WritableStream', 'TransformStream',
  'CompressionStream', 'DecompressionStream',
  // Other ways out of the sandbox, or into the page.
  'WebSocket', 'XMLHttpRequest', 'EventSource', 'BroadcastChannel', 'MessageChannel', 'MessagePort',
  'Worker', 'SharedWorker', 'indexedDB', 'caches', 'importScripts', 'postMessage', 'close',
  'self', 'navigator', 'location', 'Event', 'EventTarget', 'CustomEvent', 'DOMException',
  // Node's, where the runner is Node outside the grader's Compartment.
  'process', 'Buffer', 'global', 'setImmediate', 'clearImmediate',
] as const;

/** One stand-in per name of HIDDEN_GLOBALS, in order: it throws whatever is done with it. */
export function hiddenGlobalStandIns(): unknown[] {
  return HIDDEN_GLOBALS.map((name) => {
    const refuse = (): never => {
      throw new ReferenceError(`${name} is not available to lab code (nor in the grader, which runs it for CI): lab code gets the standard JavaScript built-ins, console, timers, crypto, TextEncoder/TextDecoder, URL and Intl, and reaches services, databases and the clock through what the lab hands it.`);
    };
    return new Proxy(function hidden() {}, {
      apply: refuse,
      construct: refuse,
      get: refuse,
      set: refuse,
      has: refuse,
      defineProperty: refuse,
      deleteProperty: refuse,
      getPrototypeOf: refuse,
      setPrototypeOf: refuse,
      ownKeys: refuse,
      getOwnPropertyDescriptor: refuse,
    });
  });
}
