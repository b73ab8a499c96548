/**
 * A run's seed, as the grader's --seed, the lab page's Seed field and `npm test -- --seed` in the
 * full environment take it: an unsigned 32-bit whole number, the range scheduleSeeds() draws from.
 */
export const MAX_SEED = 2 ** 32 - 1;

/** The seed `text` names, or undefined when it is not a whole number from 0 to MAX_SEED. */
export function parseSeed(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d{1,10}$/.test(trimmed) && Number(trimmed) <= MAX_SEED ? Number(trimmed) : undefined;
}
