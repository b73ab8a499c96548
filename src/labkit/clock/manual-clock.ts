/**
 * A clock that moves only when the test says so. Timers live in a list sorted by due time;
 * `advance` fires them one at a time and yields to the event loop between them, which is what
 * lets an `async` function that awaits several sleeps make progress inside one `advance`.
 */
import { yieldToEventLoop } from './event-loop.ts';
import type { Clock, TimerId } from './types.ts';

/**
 * How many timers one `advance` or `runAll` may fire. Far above what a test schedules; reached
 * only by timers that reschedule themselves forever, which would otherwise hang the test.
 */
export const MAX_TIMERS_PER_ADVANCE = 10_000;

interface Timer {
  id: TimerId;
  due: number;
  fn: () => void;
}

/**
 * A clock for tests, starting at `start` milliseconds (default 0, so times in a test read as
 * "ms since the test began").
 *
 * @example
 * const clock = createClock();
 * const done = withTimeout(clock, slowCall(), 1000); // code under test uses clock.setTimeout
 * await clock.advance(1000);
 * await expect(done).rejects.toThrow('timed out');
 */
export function createClock(start = 0): Clock {
  if (!Number.isFinite(start)) throw new TypeError(`createClock(start): start must be a finite number of milliseconds, got ${start}`);
  let now = start;
  let nextId = 1;
  let advancing = false;
  // Sorted by due time, then by scheduling order, so timers due at the same time fire in the order they were set.
  const timers: Timer[] = [];

  function setTimeout(fn: () => void, ms: number): TimerId {
    if (typeof fn !== 'function') throw new TypeError('clock.setTimeout(fn, ms): fn must be a function');
    const timer = { id: nextId++, due: now + delayOf(ms, 'clock.setTimeout'), fn };
    const after = timers.findLastIndex((t) => t.due <= timer.due);
    timers.splice(after + 1, 0, timer);
    return timer.id;
  }

  function clearTimeout(id: TimerId): void {
    const index = timers.findIndex((t) => t.id === id);
    if (index >= 0) timers.splice(index, 1);
  }

  /** Fires every timer due at or before `until`, then leaves the clock at `until` if given. */
  async function run(caller: string, until: number | undefined): Promise<void> {
    if (advancing) throw new Error(`clock.${caller} was called while the clock is already advancing; await the first advance before starting another.`);
    advancing = true;
    try {
      let fired = 0;
      await yieldToEventLoop();
      for (;;) {
        const next = timers[0];
        if (!next || (until !== undefined && next.due > until)) {
          if (until === undefined || now === until) break;
          // Promise chains resumed at the end of the window may still set timers due within it.
          now = until;
          await yieldToEventLoop();
          continue;
        }
        if (fired === MAX_TIMERS_PER_ADVANCE) {
          throw new Error(
            `clock.${caller} fired ${MAX_TIMERS_PER_ADVANCE} timers and more are still due (the next at ${next.due} ms): ` +
              'something reschedules itself forever, such as a polling loop or a retry without a limit. ' +
              (until === undefined ? 'Advance by a fixed time with clock.advance(ms) instead of runAll().' : 'Check that repeated timers have a delay above 0 and a way to stop.'),
          );
        }
        timers.shift();
        fired += 1;
        now = Math.max(now, next.due);
        next.fn();
        await yieldToEventLoop();
      }
    } finally {
      advancing = false;
    }
  }

  return Object.freeze<Clock>({
    manual: true,
    now: () => now,
    setTimeout,
    clearTimeout,
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, delayOf(ms, 'clock.sleep'))),
    advance: async (ms) => run(`advance(${ms})`, now + delayOf(ms, 'clock.advance', true)),
    runAll: () => run('runAll()', undefined),
    pending: () => timers.length,
    nextTimerAt: () => timers[0]?.due,
  });
}

/** A delay as a timer takes it: NaN and negative delays mean "now", as in browsers and Node. */
export function delayOf(ms: number, caller: string, strict = false): number {
  if (typeof ms !== 'number' || ms === Infinity || (strict && !(ms >= 0))) {
    throw new TypeError(`${caller}(ms): ms must be ${strict ? 'a finite number >= 0' : 'a finite number'} of milliseconds, got ${String(ms)}`);
  }
  return ms > 0 ? ms : 0;
}
