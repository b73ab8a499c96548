/**
 * Task 3: the audit log of customers.customers. A trigger writes one entry per changed row in
 * the same transaction as the change: who, what, which columns, never the values. Entries
 * are chained by hash, and nobody may update or delete them.
 */
import type { Pg } from 'labkit/db';

/** Installs the audit trigger on customers.customers and the append-only guard on customers.audit_log. */
export async function installAudit(db: Pg): Promise<void> {
  await db.exec(`
    -- SECURITY DEFINER: support_app has no privilege on audit_log, so it cannot forge or edit
    -- entries; the function writes them with its owner's rights. Its search path puts
    -- pg_temp last and every table is qualified, so a caller's temporary audit_log cannot
    -- capture the entry or feed it a fake previous hash.
    CREATE FUNCTION customers.audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, customers, pg_temp AS $$
    DECLARE
      old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
      new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
      who     text := coalesce(nullif(current_setting('role'), 'none'), session_user);
      cols    text[];
      prev    text;
      entry   customers.audit_log;
    BEGIN
      SELECT coalesce(array_agg(k ORDER BY k), '{}') INTO cols
        FROM jsonb_object_keys(coalesce(new_row, old_row)) AS k
       WHERE TG_OP <> 'UPDATE' OR new_row -> k IS DISTINCT FROM old_row -> k;
      -- One writer at a time extends the chain (PGlite has one connection; on a server the
      -- lock keeps two transactions from taking the same previous hash).
      LOCK TABLE customers.audit_log IN SHARE ROW EXCLUSIVE MODE;
      SELECT a.hash INTO prev FROM customers.audit_log a ORDER BY a.id DESC LIMIT 1;
      entry.id := nextval(pg_get_serial_sequence('customers.audit_log', 'id'));
      entry.at := now();
      entry.actor := who;
      entry.action := TG_OP;
      entry.table_name := TG_TABLE_NAME;
      entry.row_key := coalesce(new_row, old_row) ->> 'customer_id';
      entry.changed_columns := cols;
      entry.prev_hash := prev;
      entry.hash := customers.audit_hash(entry);
      INSERT INTO customers.audit_log SELECT entry.*;
      RETURN NULL;
    END $$;

    -- The hash of an entry: over its fields and the previous hash, with the time as epoch
    -- seconds so the session's time zone does not change the text.
    CREATE FUNCTION customers.audit_hash(e customers.audit_log) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
      SELECT encode(sha256(convert_to(jsonb_build_array(
        e.id, extract(epoch FROM e.at)::text, e.actor, e.action, e.table_name, e.row_key,
        to_jsonb(e.changed_columns), e.prev_hash)::text, 'UTF8')), 'hex')
    $$;

    CREATE TRIGGER customers_audit AFTER INSERT OR UPDATE OR DELETE ON customers.customers
      FOR EACH ROW EXECUTE FUNCTION customers.audit_row();

    CREATE FUNCTION customers.audit_append_only() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = '42501';
    END $$;
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON customers.audit_log
      FOR EACH ROW EXECUTE FUNCTION customers.audit_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON customers.audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION customers.audit_append_only();
    REVOKE ALL ON customers.audit_log FROM PUBLIC;`);
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
  const { rows } = await db.query<{ id: string | number; prev_hash: string | null; hash: string; recomputed: string }>(
    `SELECT a.id, a.prev_hash, a.hash, customers.audit_hash(a) AS recomputed
       FROM customers.audit_log a ORDER BY a.id`,
  );
  let previous: string | null = null;
  for (const row of rows) {
    if (row.hash !== row.recomputed || row.prev_hash !== previous) {
      return { valid: false, checked: rows.length, brokenAt: Number(row.id) };
    }
    previous = row.hash;
  }
  return { valid: true, checked: rows.length, brokenAt: null };
}
