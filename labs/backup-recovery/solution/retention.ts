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

/** The UTC day on which the week (Monday to Sunday) of `ms` begins. */
export function utcWeek(ms: number): number {
  const day = utcDay(ms);
  // 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
  return day - ((day + 3) % 7);
}

/**
 * Which backups a grandfather-father-son policy keeps: the newest verified backup of each of
 * the last `daily` days that have one, and of each of the last `weekly` weeks that have one.
 * Backups that did not verify are in neither list: they never fill a slot, and they are not
 * deleted.
 */
export function planRetention(backups: readonly BackupInfo[], policy: RetentionPolicy): RetentionPlan {
  // Oldest first. A verified backup always has its manifest's takenAt; no two share one (it is in the id).
  const good = backups.filter((b) => b.verified).sort((a, b) => a.takenAt! - b.takenAt!);
  const keep = new Set<string>();
  const keepNewestPer = (period: (ms: number) => number, slots: number) => {
    const seen = new Set<number>();
    // Newest first: the first backup met in a period is that period's newest.
    for (const backup of [...good].reverse()) {
      const p = period(backup.takenAt!);
      if (seen.has(p)) continue;
      if (seen.size === slots) break;
      seen.add(p);
      keep.add(backup.id);
    }
  };
  keepNewestPer(utcDay, policy.daily);
  keepNewestPer(utcWeek, policy.weekly);
  // Whatever the policy says, the newest good backup is the one a restore would use.
  if (good.length > 0) keep.add(good.at(-1)!.id);
  return {
    keep: good.filter((b) => keep.has(b.id)).map((b) => b.id),
    remove: good.filter((b) => !keep.has(b.id)).map((b) => b.id),
  };
}

/** Verifies every backup of `service`, plans with `policy`, and deletes what the plan removes. */
export async function applyRetention(store: BackupStore, service: string, policy: RetentionPolicy): Promise<RetentionResult> {
  const backups: BackupInfo[] = [];
  for (const id of await store.backupIds(service)) {
    const result = await verifyBackup(store, id);
    backups.push({ id, verified: result.ok, takenAt: result.ok ? result.manifest.takenAt : undefined });
  }
  const plan = planRetention(backups, policy);
  for (const id of plan.remove) {
    // Every object under the prefix, not only those the manifest lists: nothing half-deleted stays behind.
    for (const key of await store.list(`${id}/`)) await store.delete(key);
  }
  return { kept: plan.keep, deleted: plan.remove, unverified: backups.filter((b) => !b.verified).map((b) => b.id) };
}
