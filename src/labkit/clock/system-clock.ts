/** The clock on real time, for lab code running outside tests: services started in a terminal. */
import { delayOf } from './manual-clock.ts';
import type { Clock, TimerId } from './types.ts';

/**
 * A clock on real time (`Date.now()`, the global `setTimeout`). It keeps its own timer ids so
 * `pending()` works as on the test clock; `advance` and `runAll` reject, since real time
 * cannot be moved.
 */
export function systemClock(): Clock {
  let nextId = 1;
  const timers = new Map<TimerId, { handle: ReturnType<typeof globalThis.setTimeout>; due: number }>();

  function setTimeout(fn: () => void, ms: number): TimerId {
    if (typeof fn !== 'function') throw new TypeError('clock.setTimeout(fn, ms): fn must be a function');
    const id = nextId++;
    const delay = delayOf(ms, 'clock.setTimeout');
    const handle = globalThis.setTimeout(() => {
      timers.delete(id);
      fn();
    }, delay);
    timers.set(id, { handle, due: Date.now() + delay });
    return id;
  }

  const cannotMove = (caller: string) =>
    Promise.reject(new Error(`${caller} cannot move the system clock: it follows real time. Tests that control time pass createClock() from labkit/clock to the code under test.`));

  return Object.freeze<Clock>({
    manual: false,
    now: () => Date.now(),
    setTimeout,
    clearTimeout(id) {
      globalThis.clearTimeout(timers.get(id)?.handle);
      timers.delete(id);
    },
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    advance: (ms) => cannotMove(`clock.advance(${ms})`),
    runAll: () => cannotMove('clock.runAll()'),
    pending: () => timers.size,
    nextTimerAt: () => (timers.size === 0 ? undefined : Math.min(...[...timers.values()].map((t) => t.due))),
  });
}
