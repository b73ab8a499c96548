/**
 * The clock interface lab code takes time from. Code that asks a clock instead of calling
 * `Date.now()` and `setTimeout` directly can be tested with timeouts, retries and schedules
 * that run in microseconds: the test moves time forward instead of waiting for it.
 */

/** Identifies a timer of one clock, for `clearTimeout`. */
export type TimerId = number;

export interface Clock {
  /**
   * True for `createClock()`: time stands still until `advance` or `runAll` moves it.
   * False for `systemClock()`, which follows real time. Lets code such as the bus's `drain()`
   * choose between advancing time and waiting for it.
   */
  readonly manual: boolean;
  /** The current time in milliseconds. */
  now(): number;
  /** Runs `fn` once, `ms` milliseconds from now (0 or a negative delay means "at the next chance"). */
  setTimeout(fn: () => void, ms: number): TimerId;
  /** Cancels a timer that has not fired yet; an unknown or already fired id is ignored. */
  clearTimeout(id: TimerId): void;
  /** Resolves `ms` milliseconds from now. */
  sleep(ms: number): Promise<void>;
  /**
   * Moves time forward by `ms`, firing the timers that fall due on the way in time order and
   * letting promise chains run between them, so `await clock.sleep(10); await clock.sleep(10)`
   * completes within `advance(20)`. Timers scheduled by fired callbacks fire too if they fall due
   * within the window. A callback that throws makes `advance` reject with that error, as an
   * uncaught error would stop a real process; later timers stay pending.
   */
  advance(ms: number): Promise<void>;
  /**
   * Advances until no timers remain. Rejects with an explanation if timers keep rescheduling
   * themselves (a polling loop, a retry without limit) instead of running forever.
   */
  runAll(): Promise<void>;
  /** How many timers are scheduled and have neither fired nor been cleared. */
  pending(): number;
  /** When the next pending timer falls due, or undefined when none is pending: lets `drain()` step to the next event. */
  nextTimerAt(): number | undefined;
}
