/**
 * Task 1: the data catalog. Every column of every service carries a classification, kept as
 * rows of governance.data_catalog, and a check compares the catalog with the real schema.
 */
import type { Pg } from 'labkit/db';
import { SERVICES, type ColumnRef, type Level } from './shop.ts';

/** [service, table, column, level]: the classification of each column the shop has, with the reason where it is not obvious. */
const CLASSIFICATION: readonly (readonly [string, string, string, Level])[] = [
  ['customers', 'customers', 'customer_id', 'personal'], // pseudonymous key, linkable to a person
  ['customers', 'customers', 'name', 'personal'],
  ['customers', 'customers', 'email', 'personal'],
  ['customers', 'customers', 'country', 'personal'],
  ['customers', 'customers', 'delivery_notes', 'sensitive'], // free text: may reveal health data
  ['customers', 'customers', 'loyalty_tier', 'personal'], // describes the person
  ['customers', 'login_events', 'id', 'internal'],
  ['customers', 'login_events', 'customer_id', 'personal'],
  ['customers', 'login_events', 'ip_address', 'personal'],
  ['customers', 'login_events', 'at', 'personal'], // when a person logged in
  ['customers', 'support_scope', 'agent_id', 'internal'],
  ['customers', 'support_scope', 'country', 'internal'],
  ['customers', 'audit_log', 'id', 'internal'],
  ['customers', 'audit_log', 'at', 'internal'],
  ['customers', 'audit_log', 'actor', 'personal'], // names a member of staff
  ['customers', 'audit_log', 'action', 'internal'],
  ['customers', 'audit_log', 'table_name', 'internal'],
  ['customers', 'audit_log', 'row_key', 'personal'], // a customer id
  ['customers', 'audit_log', 'changed_columns', 'internal'], // names only
  ['customers', 'audit_log', 'prev_hash', 'internal'],
  ['customers', 'audit_log', 'hash', 'internal'],
  ['customers', 'outbox', 'id', 'internal'],
  ['customers', 'outbox', 'topic', 'internal'],
  ['customers', 'outbox', 'payload', 'personal'], // carries name and email
  ['customers', 'outbox', 'created_at', 'internal'],
  ['customers', 'outbox', 'published_at', 'internal'],
  ['orders', 'events', 'position', 'internal'],
  ['orders', 'events', 'stream_id', 'internal'],
  ['orders', 'events', 'type', 'internal'],
  ['orders', 'events', 'total_cents', 'internal'],
  ['orders', 'events', 'key_id', 'internal'],
  ['orders', 'events', 'pii', 'personal'], // encrypted, still personal for the shop, which holds the key
  ['orders', 'events', 'recorded_at', 'internal'],
  ['orders', 'customer_replica', 'customer_id', 'personal'],
  ['orders', 'customer_replica', 'name', 'personal'],
  ['orders', 'customer_replica', 'country', 'personal'],
  ['orders', 'customer_replica', 'synced_at', 'internal'],
  ['orders', 'order_summaries', 'order_id', 'internal'],
  ['orders', 'order_summaries', 'customer_id', 'personal'],
  ['orders', 'order_summaries', 'ship_to_name', 'personal'],
  ['orders', 'order_summaries', 'ship_to_address', 'personal'],
  ['orders', 'order_summaries', 'total_cents', 'personal'], // derived data about a person
  ['payments', 'invoices', 'invoice_id', 'internal'],
  ['payments', 'invoices', 'customer_id', 'personal'],
  ['payments', 'invoices', 'billed_name', 'personal'],
  ['payments', 'invoices', 'billing_address', 'personal'],
  ['payments', 'invoices', 'amount_cents', 'personal'],
  ['payments', 'invoices', 'issued_at', 'internal'],
  ['notifications', 'recipients', 'customer_id', 'personal'],
  ['notifications', 'recipients', 'email', 'personal'],
  ['notifications', 'sent_emails', 'id', 'internal'],
  ['notifications', 'sent_emails', 'customer_id', 'personal'],
  ['notifications', 'sent_emails', 'recipient', 'personal'],
  ['notifications', 'sent_emails', 'subject', 'personal'], // what was sent to a person
  ['notifications', 'sent_emails', 'sent_at', 'internal'],
  ['keys', 'customer_keys', 'key_id', 'internal'],
  ['keys', 'customer_keys', 'customer_id', 'personal'],
  ['keys', 'customer_keys', 'key_bytes', 'sensitive'], // destroying it erases the customer in the event store
];

/** Writes the shop's classification into governance.data_catalog (replacing what was there). */
export async function classifyShop(db: Pg): Promise<void> {
  await db.transaction(async (tx) => {
    for (const [service, table, column, level] of CLASSIFICATION) {
      await tx.query(
        `INSERT INTO governance.data_catalog (service, table_name, column_name, classification)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (service, table_name, column_name) DO UPDATE SET classification = EXCLUDED.classification`,
        [service, table, column, level],
      );
    }
  });
}

/** What the catalog and the schema disagree on. */
export interface CatalogProblems {
  /** Columns of a service's table with no catalog row. */
  unclassified: ColumnRef[];
  /** Catalog rows that name no existing column of a service. */
  stale: ColumnRef[];
}

/** Compares the catalog with the real schema of every service in SERVICES. */
export async function catalogProblems(db: Pg): Promise<CatalogProblems> {
  // information_schema lists only live columns (a dropped one is gone) of ordinary tables and views.
  const real = `SELECT c.table_schema::text AS service, c.table_name::text AS "table", c.column_name::text AS "column"
                  FROM information_schema.columns c
                  JOIN information_schema.tables t USING (table_schema, table_name)
                 WHERE c.table_schema = ANY($1::text[]) AND t.table_type = 'BASE TABLE'`;
  const unclassified = await db.query<ColumnRef>(
    `SELECT r.* FROM (${real}) r
      WHERE NOT EXISTS (SELECT 1 FROM governance.data_catalog d
                         WHERE d.service = r.service AND d.table_name = r."table" AND d.column_name = r."column")
      ORDER BY 1, 2, 3`,
    [[...SERVICES]],
  );
  const stale = await db.query<ColumnRef>(
    `SELECT d.service, d.table_name AS "table", d.column_name AS "column" FROM governance.data_catalog d
      WHERE NOT EXISTS (SELECT 1 FROM (${real}) r
                         WHERE d.service = r.service AND d.table_name = r."table" AND d.column_name = r."column")
      ORDER BY 1, 2, 3`,
    [[...SERVICES]],
  );
  return { unclassified: unclassified.rows, stale: stale.rows };
}
