/**
 * Task 3: the audit log of customers.customers. A trigger writes one entry per changed row in
 * the same transaction as the change: who, what, which columns, never the values. Entries
 * are chained by hash, and nobody may update or delete them.
 */
import type { Pg } from 'labkit/db';

/** Installs the audit trigger on customers.customers and the append-only guard on customers.audit_log. */
export async function installAudit(db: Pg): Promise<void> {
  // TODO (task 3): a SECURITY DEFINER trigger function with a safe search_path that appends a
  // hash-chained entry to customers.audit_log for every change, and triggers that refuse
  // UPDATE and DELETE of audit_log.
  void db;
}

/** The outcome of checking the chain: how many entries were checked, and the first that does not verify. */
export interface AuditVerdict {
  valid: boolean;
  checked: number;
  /** The id of the first entry whose hash or previous hash does not match, or null. */
  brokenAt: number | null;
}

/** Recomputes every entry's hash in id order and checks that each names its predecessor's hash. */
export async function verifyAuditLog(db: Pg): Promise<AuditVerdict> {
  // TODO (task 3): recompute each entry's hash and compare it, and its prev_hash, with the chain.
  void db;
  return { valid: true, checked: 0, brokenAt: null };
}
