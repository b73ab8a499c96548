/**
 * The seeds of a test's fault schedules, drawn from the run's seed: `npm run grade -- <lab>
 * --seed N` (or the Seed field beside Run) runs the schedule with seed N first, so a failure
 * that names its seed replays by running again with it.
 */

/** 2^32: seeds are unsigned 32-bit numbers, as the grader's --seed and seededRandom take them. */
const SEEDS = 2 ** 32;

interface RunSeed {
  seed: number;
  /** The lab being run, for the replay command a failure names; absent outside a run. */
  labId?: string;
}

/** Outside a run (a unit test calling lab tests' helpers directly) schedules start at seed 1. */
let current: RunSeed = { seed: 1 };

/**
 * `count` seeds for fault schedules: the run's seed, then the next ones (seed, seed + 1, ...,
 * wrapping below 2^32). Each run draws a new seed unless one is given, so the schedules differ
 * from run to run, and the seed a failure names (withSeed) replays it first.
 *
 * @example
 * for (const seed of scheduleSeeds(100)) {
 *   await withSeed(seed, async () => {
 *     const faults = messageFaults({ seed });
 *     ...
 *   });
 * }
 */
export function scheduleSeeds(count: number): number[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > 1_000_000) throw new RangeError(`scheduleSeeds(count): count must be a whole number from 1 to 1000000, got ${String(count)}`);
  const first = current.seed;
  return Array.from({ length: count }, (_, i) => (first + i) % SEEDS);
}

/**
 * For the executor, before it loads a run's test files (never exported to labs): the seed
 * that scheduleSeeds starts from, and the lab whose replay command a failure names.
 */
export function setRunSeed(seed: number, labId?: string): void {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed >= SEEDS) throw new RangeError(`the run's seed must be a whole number from 0 to ${SEEDS - 1}, got ${String(seed)}`);
  current = labId === undefined ? { seed } : { seed, labId };
}

/** The run's seed and lab, for withSeed's note. */
export function runSeed(): Readonly<RunSeed> {
  return current;
}
