import { type BackupStore } from './backup-store.ts';
import type { RetentionPolicy } from './types.ts';
import { verifyBackup } from './verify.ts';

/** A backup as retention sees it. */
export interface BackupInfo {
  id: string;
  /** From its manifest; undefined when it did not verify. */
  takenAt: number | undefined;
  verified: boolean;
}

export interface RetentionPlan {
  /** Ids to keep, oldest first. */
  keep: string[];
  /** Ids to delete, oldest first. */
  remove: string[];
}

export interface RetentionResult {
  /** Verified backups the policy keeps, oldest first. */
  kept: string[];
  /** Backups deleted, oldest first. */
  deleted: string[];
  /** Backups that did not verify: left alone for a human to look at, oldest first. */
  unverified: string[];
}

const DAY_MS = 86_400_000;

/** The UTC day of a time, as a day number since 1970-01-01. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The UTC day on which the week (Monday to Sunday) of `ms` begins, as a day number. */
export function utcWeek(ms: number): number {
  // TODO (task 4): the utcDay of the Monday of that week. 1970-01-01 (day 0) was a Thursday.
  throw new Error('utcWeek is not implemented yet (task 4)');
}

/**
 * Which backups a grandfather-father-son policy keeps: the newest verified backup of each of
 * the last `daily` days that have one, and of each of the last `weekly` weeks that have one.
 * Backups that did not verify are in neither list: they never fill a slot, and they are not
 * deleted.
 */
export function planRetention(backups: readonly BackupInfo[], policy: RetentionPolicy): RetentionPlan {
  // TODO (task 4): among the verified backups only, keep the newest of each of the last
  // policy.daily days (utcDay) that have one, and the newest of each of the last policy.weekly
  // weeks (utcWeek) that have one; remove the other verified backups. Never remove the newest
  // verified backup.
  throw new Error('planRetention is not implemented yet (task 4)');
}

/** Verifies every backup of `service`, plans with `policy`, and deletes what the plan removes. */
export async function applyRetention(store: BackupStore, service: string, policy: RetentionPolicy): Promise<RetentionResult> {
  // TODO (task 4): verify each of store.backupIds(service), plan, and delete every object of
  // each removed backup (store.list(`${id}/`)). Unverified backups are reported, never deleted.
  throw new Error('applyRetention is not implemented yet (task 4)');
}
