/**
 * Reproducible randomness for fault injection: a fault schedule drawn from a seed can be
 * replayed exactly by running again with that seed.
 */

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
 * Runs `fn` with `seed`; if it throws or rejects, the error's message gains
 * "(fault seed 1234: rerun with this seed to replay)", so a failure under random faults names
 * the schedule that caused it. The error keeps its class: a failed expectation stays one.
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

function noteSeed(error: unknown, seed: number): unknown {
  const note = ` (fault seed ${seed}: rerun with this seed to replay)`;
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
