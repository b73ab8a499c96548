/** Failing one chosen call of a function: a handler, a saga step, a client call. */

/** Thrown by a function wrapped with `failOnCall` on the call chosen to fail. */
export class SimulatedFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatedFailure';
  }
}

export interface FailOnCallOptions {
  /** How many calls in a row fail, starting at the `n`th. Default 1. */
  times?: number;
}

/**
 * Wraps `fn` so that its `n`th call (1 = the first) throws SimulatedFailure instead of running
 * `fn`; every other call runs `fn`. The throw is synchronous: `await`, try/catch and the bus
 * treat it like a rejection, but `wrapped().catch(...)` does not see it.
 *
 * @example
 * bus.subscribe('orders', 'billing', failOnCall(chargeOrder, 1)); // the first delivery fails, the retry succeeds
 * const step = failOnCall(reserveStock, 2, { times: 3 });        // calls 2, 3 and 4 fail
 */
export function failOnCall<A extends unknown[], R>(fn: (...args: A) => R, n: number, options: FailOnCallOptions = {}): (...args: A) => R {
  const times = options.times ?? 1;
  if (typeof fn !== 'function') throw new TypeError('failOnCall(fn, n): fn must be a function');
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`failOnCall(fn, n): n must be a whole number >= 1 (1 = the first call), got ${String(n)}`);
  if (!Number.isInteger(times) || times < 1) throw new RangeError(`failOnCall(fn, n, { times }): times must be a whole number >= 1, got ${String(times)}`);
  let calls = 0;
  return function (this: unknown, ...args: A): R {
    calls += 1;
    if (calls >= n && calls < n + times) throw new SimulatedFailure(`simulated failure on call ${calls} (failOnCall)`);
    return fn.apply(this, args);
  };
}
