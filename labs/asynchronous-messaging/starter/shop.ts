/**
 * The given parts of the shop: the tables (Orders' outbox, each consumer's inbox, dead letters
 * and parked messages), the handlers of Notifications and Analytics, and how a consumer and a
 * relay are wired to the bus. Read-only: your code uses these, the tests do too.
 */
import type { Bus } from 'labkit/bus';
import type { Pg, PgQueries } from 'labkit/db';
import { TOPIC, shopDay, type DeliveredEvent, type Handlers, type OrderCancelled, type OrderPlaced, type Publisher } from './messages.ts';

/** Orders' tables, in its schema. The outbox is the lesson's, with a lease for the relays. */
export async function createOrdersTables(db: Pg): Promise<void> {
  await db.exec(`
    CREATE TABLE IF NOT EXISTS orders (
      id          integer PRIMARY KEY,
      customer_id text NOT NULL,
      total_cents integer NOT NULL CHECK (total_cents >= 0),
      status      text NOT NULL CHECK (status IN ('placed', 'cancelled')),
      placed_at   timestamptz NOT NULL
    );
    CREATE TABLE IF NOT EXISTS outbox (
      position     bigserial PRIMARY KEY,                   -- the order to publish in
      message_id   uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
      topic        text NOT NULL,
      message_key  text NOT NULL,                           -- same key, same order
      type         text NOT NULL,
      payload      jsonb NOT NULL,
      created_at   timestamptz NOT NULL,
      published_at timestamptz,                             -- NULL until a relay sent it
      lease_owner  text,                                    -- the relay that claimed the row
      lease_until  timestamptz                              -- its claim lasts until then
    );
    CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (position) WHERE published_at IS NULL;`);
}

/**
 * A consumer's tables, in its service's schema. Several consumers may share a schema: every
 * row names its consumer.
 */
export async function createConsumerTables(db: Pg): Promise<void> {
  await db.exec(`
    CREATE TABLE IF NOT EXISTS inbox (
      consumer     text NOT NULL,
      message_id   uuid NOT NULL,
      processed_at timestamptz NOT NULL,
      PRIMARY KEY (consumer, message_id)                    -- the duplicate guard
    );
    CREATE TABLE IF NOT EXISTS dead_letters (
      consumer        text NOT NULL,
      message_id      uuid NOT NULL,
      message_key     text NOT NULL,
      type            text NOT NULL,
      payload         jsonb NOT NULL,
      error           text NOT NULL,
      attempts        integer NOT NULL,
      first_failed_at timestamptz NOT NULL,
      last_failed_at  timestamptz NOT NULL,
      PRIMARY KEY (consumer, message_id)
    );
    CREATE TABLE IF NOT EXISTS parked (
      seq         bigserial PRIMARY KEY,                    -- arrival order
      consumer    text NOT NULL,
      message_id  uuid NOT NULL,
      message_key text NOT NULL,
      type        text NOT NULL,
      payload     jsonb NOT NULL,
      parked_at   timestamptz NOT NULL,
      UNIQUE (consumer, message_id)
    );`);
}

/** Notifications' own table: the emails it has sent. Not idempotent by itself. */
export async function createNotificationsTables(db: Pg): Promise<void> {
  await createConsumerTables(db);
  await db.exec(`
    CREATE TABLE IF NOT EXISTS emails (
      id         serial PRIMARY KEY,
      order_id   integer NOT NULL,
      recipient  text NOT NULL,
      subject    text NOT NULL,
      message_id uuid NOT NULL                              -- which message caused it
    );`);
}

/** Analytics' own table: sales per day in the shop's time zone (Berlin). Counters, so not idempotent. */
export async function createAnalyticsTables(db: Pg): Promise<void> {
  await createConsumerTables(db);
  await db.exec(`
    CREATE TABLE IF NOT EXISTS daily_sales (
      day          text PRIMARY KEY,                        -- YYYY-MM-DD in Europe/Berlin
      orders       integer NOT NULL DEFAULT 0,
      total_cents  bigint NOT NULL DEFAULT 0,
      cancelled    integer NOT NULL DEFAULT 0
    );`);
}

/** Notifications: an email for every placed and every cancelled order. */
export const notificationHandlers: Handlers = {
  async OrderPlaced(tx: PgQueries, event: DeliveredEvent) {
    const order = event.payload as unknown as OrderPlaced;
    await tx.query('INSERT INTO emails (order_id, recipient, subject, message_id) VALUES ($1, $2, $3, $4)', [
      order.orderId,
      order.customerId,
      `Thank you for order ${order.orderId}`,
      event.messageId,
    ]);
  },
  async OrderCancelled(tx: PgQueries, event: DeliveredEvent) {
    const cancelled = event.payload as unknown as OrderCancelled;
    const { rows } = await tx.query<{ recipient: string }>('SELECT recipient FROM emails WHERE order_id = $1 LIMIT 1', [cancelled.orderId]);
    await tx.query('INSERT INTO emails (order_id, recipient, subject, message_id) VALUES ($1, $2, $3, $4)', [
      cancelled.orderId,
      rows[0]?.recipient ?? 'unknown',
      `Order ${cancelled.orderId} is cancelled`,
      event.messageId,
    ]);
  },
};

/** Analytics: placed orders and their total per shop day, cancellations per day. */
export const analyticsHandlers: Handlers = {
  async OrderPlaced(tx: PgQueries, event: DeliveredEvent) {
    const order = event.payload as unknown as OrderPlaced;
    await tx.query(
      `INSERT INTO daily_sales (day, orders, total_cents) VALUES ($1, 1, $2)
       ON CONFLICT (day) DO UPDATE SET orders = daily_sales.orders + 1, total_cents = daily_sales.total_cents + excluded.total_cents`,
      [shopDay(order.placedAt), order.totalCents],
    );
  },
  async OrderCancelled(tx: PgQueries, event: DeliveredEvent) {
    const cancelled = event.payload as unknown as OrderCancelled;
    await tx.query(
      `INSERT INTO daily_sales (day, cancelled) VALUES ($1, 1)
       ON CONFLICT (day) DO UPDATE SET cancelled = daily_sales.cancelled + 1`,
      [shopDay(cancelled.cancelledAt)],
    );
  },
};

/** What the bus needs of a consumer: its name (the consumer group) and its handler. */
export interface BusConsumer {
  readonly name: string;
  receive(payload: unknown, context: { messageId: string; key: string | undefined; headers: Readonly<Record<string, string>> }): Promise<void>;
}

/**
 * Subscribes `consumer` to the topic as consumer group `consumer.name`. The bus delivers a
 * key's messages one at a time and in order, up to 16 keys at once, and redelivers a message
 * whose handler rejected (a crash): retries of a failing handler are the consumer's own job.
 */
export function connectConsumer(bus: Bus, consumer: BusConsumer) {
  return bus.subscribe(TOPIC, consumer.name, (payload, context) => consumer.receive(payload, context), {
    concurrency: 16,
    maxAttempts: 1_000,
    baseDelayMs: 50,
    maxDelayMs: 1_000,
  });
}

/** The bus as a relay's Publisher: it has the message once `publish` returns. */
export function busPublisher(bus: Bus): Publisher {
  return async (topic, message) => {
    bus.publish(topic, message);
  };
}
