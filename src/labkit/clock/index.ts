/**
 * Time for lab code and tests, imported as `labkit/clock`. Lab code takes a `Clock` (defaulting
 * to `systemClock()`); tests pass `createClock()` and move time themselves, so timeouts, retry
 * backoffs and schedules are tested without waiting.
 *
 * @example
 * const clock = createClock();
 * const attempts: number[] = [];
 * retryWithBackoff(clock, async () => { attempts.push(clock.now()); throw new Error('down'); });
 * await clock.advance(1_000);
 * expect(attempts).toEqual([0, 100, 300, 700]);
 */
export type { Clock, TimerId } from './types.ts';
export { createClock, MAX_TIMERS_PER_ADVANCE } from './manual-clock.ts';
export { systemClock } from './system-clock.ts';
