/**
 * Now, in ms since the epoch, to the precision of performance.now(): a clock that a parent
 * process and its child share, where performance.now() counts from each one's own start.
 */
export const epochNow = (): number => performance.timeOrigin + performance.now();
