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

interface Policy {
  schema_name: string;
  table_name: string;
  time_column: string;
}

/** One pass of the retention job. A second run right after finds nothing to delete. */
export async function runRetention(db: Pg, options: RetentionOptions): Promise<RetentionReport> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const { rows: policies } = await db.query<Policy>(
    `SELECT split_part(table_name, '.', 1) AS schema_name, split_part(table_name, '.', 2) AS table_name, time_column
       FROM governance.retention_policies ORDER BY table_name`,
  );
  const tables: TableReport[] = [];
  for (const policy of policies) {
    const table = `${quoteIdent(policy.schema_name)}.${quoteIdent(policy.table_name)}`;
    const name = `${policy.schema_name}.${policy.table_name}`;
    // Periods are calendar periods in UTC, whatever the session's time zone: the cutoff is
    // computed on timestamps without time zone read in UTC.
    const due = `${quoteIdent(policy.time_column)} <
        ((($1::timestamptz AT TIME ZONE 'UTC') - (SELECT keep_for FROM governance.retention_policies WHERE table_name = $2)) AT TIME ZONE 'UTC')`;
    const held = `customer_id IN (SELECT customer_id FROM governance.legal_holds)`;
    let deleted = 0;
    for (;;) {
      // Each batch is a statement of its own, so its own transaction: a crash keeps the batches before it.
      const { affectedRows } = await db.query(
        `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${due} AND NOT ${held} LIMIT $3)`,
        [options.now, name, batchSize],
      );
      deleted += affectedRows;
      if (affectedRows < batchSize) break;
    }
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${due} AND ${held}`, [options.now, name]);
    const report = { table: name, deleted, held: rows[0]!.n };
    options.log?.(`retention ${name}: deleted ${report.deleted} rows, ${report.held} held`);
    tables.push(report);
  }
  return { tables, deleted: tables.reduce((sum, t) => sum + t.deleted, 0) };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
