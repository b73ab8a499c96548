/**
 * Reproducible randomness for fault injection: a fault schedule drawn from a seed can be
 * replayed exactly by running again with that seed.
 */
import { runSeed } from './schedule-seeds.ts';

/**
 * A pseudo-random generator returning numbers in [0, 1), the same sequence for the same seed.
 * It is mulberry32 (Tommy Ettinger, public domain): 32 bits of state, fast, and statistically
 * good enough to decide which messages to fault; not for cryptography.
 *
 * @example
 * const random = seededRandom(1234);
 * if (random() < 0.1) dropThisOne();
 */
export function seededRandom(seed: number): () => number {
  checkSeed(seed, 'seededRandom(seed)');
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `fn` with `seed`; if it throws or rejects, the error's message gains a note that names
 * the seed and how to replay it ("(fault seed 1234; to replay it, run with seed 1234: `npm run
 * grade -- sagas --seed 1234`, or type 1234 in the Seed field beside Run)"), so a failure under
 * random faults names the schedule that caused it. With seeds from scheduleSeeds, a run with
 * that seed runs that schedule first. The error keeps its class: a failed expectation stays one.
 *
 * @example
 * test('each order is charged once under duplicates', { task: 2, points: 5 }, () =>
 *   withSeed(1234, async (seed) => {
 *     const faults = messageFaults({ seed });
 *     faults.duplicate({ topic: 'orders', probability: 0.3 });
 *     ...
 *   }));
 */
export async function withSeed<T>(seed: number, fn: (seed: number) => T | Promise<T>): Promise<T> {
  checkSeed(seed, 'withSeed(seed, fn)');
  try {
    return await fn(seed);
  } catch (error) {
    throw noteSeed(error, seed);
  }
}

/** " (fault seed 42; to replay it, ...)": what withSeed adds to a failure's message. */
export function seedNote(seed: number): string {
  const { labId } = runSeed();
  return ` (fault seed ${seed}; to replay it, run with seed ${seed}: \`npm run grade -- ${labId ?? '<lab>'} --seed ${seed}\`, or type ${seed} in the Seed field beside Run)`;
}

const NOTE = / \(fault seed \d+; to replay it, [^()]*\)/g;

/** A message without withSeed's notes, and the notes (without their parentheses), for a runner that shows them on a line of their own. */
export function takeSeedNotes(message: string): { message: string; notes: string[] } {
  const notes = [...message.matchAll(NOTE)].map((m) => m[0].slice(2, -1));
  return { message: notes.length > 0 ? message.replace(NOTE, '') : message, notes };
}

function noteSeed(error: unknown, seed: number): unknown {
  const note = seedNote(seed);
  if (!(error instanceof Error)) return new Error(`${String(error)}${note}`, { cause: error });
  if (error.message.includes(note)) return error;
  const before = error.message;
  try {
    error.message = `${before}${note}`;
    // The stack starts with "Name: message"; keep it in step so printed stacks show the seed too.
    if (typeof error.stack === 'string' && before !== '' && error.stack.includes(before)) error.stack = error.stack.replace(before, error.message);
    return error;
  } catch {
    // A frozen error cannot take the note; wrap it instead.
    return new Error(`${before}${note}`, { cause: error });
  }
}

function checkSeed(seed: unknown, where: string): void {
  if (!Number.isSafeInteger(seed)) throw new TypeError(`${where}: seed must be a whole number, got ${String(seed)}`);
}
