/**
 * The shop's databases for this lab, as the services' migrations left them: one PostgreSQL
 * with a schema per service (customers, orders, payments, notifications, keys) and the
 * governance tables (schema governance), plus the ordinary role the support tool connects as.
 * Read it; the tests and your files use it. Tables are owned by postgres, the migrations'
 * superuser, which is also the role your functions receive as `db`.
 */
import type { Pg } from 'labkit/db';

/** The services whose every column must be classified, each in the schema of the same name. */
export const SERVICES = ['customers', 'orders', 'payments', 'notifications', 'keys'] as const;
export type Service = (typeof SERVICES)[number];

/** The four levels of the lesson, from least to most protected. */
export const LEVELS = ['public', 'internal', 'personal', 'sensitive'] as const;
export type Level = (typeof LEVELS)[number];

/** The ordinary role (NOSUPERUSER, NOBYPASSRLS) the support tool's connection pool logs in as. */
export const SUPPORT_ROLE = 'support_app';

/** The transaction setting that says which support agent a request comes from (an integer id, as text). */
export const AGENT_SETTING = 'app.agent_id';

/** One column of one service's table. */
export interface ColumnRef {
  service: string;
  table: string;
  column: string;
}

/** Personal fields of an order event: encrypted with the customer's key, never stored in clear. */
export interface PersonalFields {
  customerId: string;
  name: string;
  address: string;
}

/** An event as Orders appends it. */
export interface NewOrderEvent {
  streamId: string;
  type: string;
  totalCents: number;
  personal: PersonalFields;
}

/** An event as Orders reads it back: `personal` is null once the customer's key is gone. */
export interface OrderEvent {
  position: number;
  streamId: string;
  type: string;
  totalCents: number;
  personal: PersonalFields | null;
}

/** Creates every schema, table and the support role, empty except for the two retention policies. Run once per test. */
export async function createShop(db: Pg): Promise<void> {
  await db.exec(`
    DO $roles$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${SUPPORT_ROLE}') THEN
        CREATE ROLE ${SUPPORT_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
      END IF;
    END
    $roles$;
    DROP SCHEMA IF EXISTS customers, orders, payments, notifications, keys, governance CASCADE;
    CREATE SCHEMA customers; CREATE SCHEMA orders; CREATE SCHEMA payments;
    CREATE SCHEMA notifications; CREATE SCHEMA keys; CREATE SCHEMA governance;

    CREATE TABLE customers.customers (
      customer_id    text PRIMARY KEY,
      name           text NOT NULL,
      email          text NOT NULL,
      country        text NOT NULL,
      delivery_notes text,
      loyalty_tier   text NOT NULL DEFAULT 'standard'
    );
    CREATE TABLE customers.login_events (
      id          serial PRIMARY KEY,
      customer_id text NOT NULL,
      ip_address  inet NOT NULL,
      at          timestamptz NOT NULL
    );
    -- Which countries each support agent handles.
    CREATE TABLE customers.support_scope (
      agent_id integer NOT NULL,
      country  text NOT NULL,
      PRIMARY KEY (agent_id, country)
    );
    CREATE TABLE customers.audit_log (
      id              bigserial PRIMARY KEY,
      at              timestamptz NOT NULL DEFAULT now(),
      actor           text NOT NULL,
      action          text NOT NULL,
      table_name      text NOT NULL,
      row_key         text,
      changed_columns text[] NOT NULL,  -- names only, never the values
      prev_hash       text,             -- the previous entry's hash (NULL for the first)
      hash            text NOT NULL     -- over this entry's fields and prev_hash
    );
    CREATE TABLE customers.outbox (
      id           bigserial PRIMARY KEY,
      topic        text NOT NULL,
      payload      jsonb NOT NULL,      -- e.g. { "customerId", "name", "email", "country" }
      created_at   timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    );

    -- Orders' event store: personal fields are encrypted (pii) with the key key_id names.
    CREATE TABLE orders.events (
      position    bigserial PRIMARY KEY,
      stream_id   text NOT NULL,
      type        text NOT NULL,
      total_cents integer NOT NULL,    -- not personal: stays in clear
      key_id      text NOT NULL,
      pii         bytea NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    );
    -- Orders' copy of Customers' data (lesson 1) and a read model projected from the events.
    CREATE TABLE orders.customer_replica (
      customer_id text PRIMARY KEY,
      name        text NOT NULL,
      country     text NOT NULL,
      synced_at   timestamptz NOT NULL
    );
    CREATE TABLE orders.order_summaries (
      order_id        text PRIMARY KEY,
      customer_id     text NOT NULL,
      ship_to_name    text,
      ship_to_address text,
      total_cents     integer NOT NULL
    );

    CREATE TABLE payments.invoices (
      invoice_id      text PRIMARY KEY,
      customer_id     text NOT NULL,
      billed_name     text NOT NULL,
      billing_address text NOT NULL,
      amount_cents    integer NOT NULL,
      issued_at       timestamptz NOT NULL
    );

    CREATE TABLE notifications.recipients (
      customer_id text PRIMARY KEY,
      email       text NOT NULL
    );
    CREATE TABLE notifications.sent_emails (
      id          serial PRIMARY KEY,
      customer_id text NOT NULL,
      recipient   text NOT NULL,
      subject     text NOT NULL,
      sent_at     timestamptz NOT NULL
    );

    -- The key service: one AES-GCM key per customer. Not part of Orders' backups.
    CREATE TABLE keys.customer_keys (
      key_id      text PRIMARY KEY,
      customer_id text NOT NULL UNIQUE,
      key_bytes   bytea NOT NULL
    );

    CREATE TABLE governance.data_catalog (
      service        text NOT NULL,
      table_name     text NOT NULL,
      column_name    text NOT NULL,
      classification text NOT NULL
        CHECK (classification IN ('public', 'internal', 'personal', 'sensitive')),
      note           text,
      PRIMARY KEY (service, table_name, column_name)
    );
    CREATE TABLE governance.retention_policies (
      table_name  text PRIMARY KEY,     -- schema-qualified: 'customers.login_events'
      time_column text NOT NULL,        -- the timestamptz column the period counts from
      keep_for    interval NOT NULL,
      reason      text NOT NULL
    );
    -- While a customer has a hold, none of their rows may be purged (a dispute, an investigation).
    CREATE TABLE governance.legal_holds (
      customer_id text NOT NULL,
      reason      text NOT NULL,
      placed_at   timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (customer_id, reason)
    );
    -- Kept outside every service's backups, so it can be re-applied after a restore.
    CREATE TABLE governance.erasure_ledger (
      request_id   text PRIMARY KEY,
      customer_id  text NOT NULL,
      requested_at timestamptz NOT NULL,
      completed_at timestamptz
    );
    CREATE TABLE governance.erasure_steps (
      request_id text NOT NULL REFERENCES governance.erasure_ledger (request_id),
      service    text NOT NULL,
      action     text NOT NULL,        -- 'deleted', 'masked', 'shredded', or 'kept: <why>'
      PRIMARY KEY (request_id, service)
    );

    INSERT INTO governance.retention_policies VALUES
      ('customers.login_events',     'at',      interval '90 days', 'fraud investigation; then no longer needed'),
      ('notifications.sent_emails', 'sent_at', interval '30 days', 'answer "did you send me that?"');`);
}
