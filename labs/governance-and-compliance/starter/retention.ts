/**
 * Task 5: the retention job. It reads governance.retention_policies, purges what is past its
 * period in batches, spares every row of a customer under a legal hold, and reports how many
 * rows, never which.
 */
import type { Pg } from 'labkit/db';

export interface RetentionOptions {
  /** The moment the job runs at. */
  now: Date;
  /** The most rows one batch (one transaction) deletes. */
  batchSize?: number;
  /** Where the job writes its log lines: counts only. */
  log?: (line: string) => void;
}

export interface TableReport {
  table: string;
  /** Rows deleted by this run. */
  deleted: number;
  /** Rows past their period kept because their customer is under a legal hold. */
  held: number;
}

export interface RetentionReport {
  tables: TableReport[];
  deleted: number;
}

export const DEFAULT_BATCH_SIZE = 500;

/** One pass of the retention job. A second run right after finds nothing to delete. */
export async function runRetention(db: Pg, options: RetentionOptions): Promise<RetentionReport> {
  // TODO (task 5): for each retention policy, delete in batches the rows past their period
  // (counted in UTC) whose customer has no legal hold, and count the held ones.
  void db;
  void options;
  return { tables: [], deleted: 0 };
}
