/**
 * The recovery targets and the retention policy the shop agreed for this lab. Read-only: the
 * tests check your measurements against these. (lab.json has no field for targets, so they
 * live here, in code, next to what they constrain.)
 */
import type { RecoveryTargets, RetentionPolicy } from './types.ts';

/**
 * Orders takes the customers' money, so losing acknowledged orders hurts: at most one minute
 * of them may be lost, and checkout must work again within 30 seconds.
 */
export const ORDERS_TARGETS: RecoveryTargets = { rpoMs: 60_000, rtoMs: 30_000 };

/** Nightly backups: keep a week of dailies and a month of weeklies. */
export const RETENTION: RetentionPolicy = { daily: 7, weekly: 4 };
