/**
 * Sharding: which learners a gradebook run grades when the class is spread over several
 * machines (a CI matrix). The rule is stable so every shard agrees without talking to the
 * others: sort the learner ids (by UTF-16 code unit, JavaScript's default), then learner i
 * belongs to shard K of N when i % N == K - 1.
 */
import type { Shard } from './model.ts';

/** Parses "K/N"; a string says what is wrong. */
export function parseShard(text: string): Shard | string {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return `--shard must look like K/N (shard K of N, e.g. 2/4); got "${text}".`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) return `--shard ${text}: K must be between 1 and N, and N at least 1.`;
  return { index, count };
}

/** The learners of `shard`, in sorted order; all of them when there is no shard. */
export function learnersOfShard(ids: Iterable<string>, shard: Shard | null): string[] {
  const sorted = [...new Set(ids)].sort();
  if (!shard) return sorted;
  return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}
