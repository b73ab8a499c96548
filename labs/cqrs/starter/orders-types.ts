/**
 * What the Orders write model, its projectors and the "My orders" query share: the commands,
 * what a command answers, the typed error it throws, the read role, and the two stores' tables.
 * Given: read it, do not change it.
 */

/** The role the read side connects to PostgreSQL as: an ordinary role (NOSUPERUSER, NOBYPASSRLS). */
export const READER_ROLE = 'orders_reader';

export type OrderStatus = 'placed' | 'paid' | 'shipped' | 'cancelled';

export interface OrderLine {
  sku: string;
  /** A whole number of units, at least 1. */
  qty: number;
  /** The unit price in whole cents, 0 or more. */
  priceCents: number;
}

export interface PlaceOrder {
  customerId: string;
  /** When the order was placed: an ISO 8601 date and time with its offset, such as 2026-03-29T02:30:00+02:00. */
  placedAt: string;
  lines: OrderLine[];
}

/** What a command answers: the order, its version after the change, and the change's position in the feed (the version token). */
export interface Written {
  orderId: number;
  version: number;
  position: number;
}

/**
 * Why a command was refused:
 * - `invalid`: the command itself is wrong (no lines, a quantity below 1, a negative price, a sku twice);
 * - `not-found`: no order has this id;
 * - `conflict`: the expected version is not the order's current version (someone changed it first);
 * - `not-allowed`: the order's status does not allow this command (shipping an unpaid order).
 */
export type CommandErrorReason = 'invalid' | 'not-found' | 'conflict' | 'not-allowed';

export class CommandError extends Error {
  readonly reason: CommandErrorReason;
  constructor(reason: CommandErrorReason, message: string) {
    super(message);
    this.name = 'CommandError';
    this.reason = reason;
  }
}

/** The write model's tables (PostgreSQL, schema `orders`), as in the lesson. */
export const ORDERS_DDL = `
  CREATE TABLE IF NOT EXISTS orders (
    id          serial PRIMARY KEY,
    customer_id text NOT NULL,
    status      text NOT NULL CHECK (status IN ('placed', 'paid', 'shipped', 'cancelled')),
    placed_at   timestamptz NOT NULL,
    version     integer NOT NULL
  );
  CREATE TABLE IF NOT EXISTS order_lines (
    order_id    integer NOT NULL REFERENCES orders (id),
    sku         text NOT NULL,
    qty         integer NOT NULL CHECK (qty > 0),
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    PRIMARY KEY (order_id, sku)
  );
  CREATE TABLE IF NOT EXISTS order_changes (
    position    bigserial PRIMARY KEY,
    order_id    integer NOT NULL REFERENCES orders (id),
    version     integer NOT NULL,
    kind        text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (order_id, version)
  );`;

/** The read store's tables for "My orders" (SQLite), as in the lesson. placed_at is ISO 8601 in UTC (Date.toISOString()). */
export const CUSTOMER_ORDERS_DDL = `
  CREATE TABLE IF NOT EXISTS customer_orders (
    order_id    integer PRIMARY KEY,
    customer_id text    NOT NULL,
    status      text    NOT NULL,
    item_count  integer NOT NULL,
    total_cents integer NOT NULL,
    placed_at   text    NOT NULL,
    version     integer NOT NULL
  );
  CREATE INDEX IF NOT EXISTS customer_orders_by_customer ON customer_orders (customer_id, placed_at DESC);
  CREATE TABLE IF NOT EXISTS checkpoints (
    projector text PRIMARY KEY,
    position  integer NOT NULL
  );`;

/** Analytics' read model of units and revenue per sku (SQLite), in the same read store, with its own checkpoint row. */
export const SKU_SALES_DDL = `
  CREATE TABLE IF NOT EXISTS sku_sales (
    sku           text    PRIMARY KEY,
    units         integer NOT NULL,
    revenue_cents integer NOT NULL
  );
  CREATE TABLE IF NOT EXISTS checkpoints (
    projector text PRIMARY KEY,
    position  integer NOT NULL
  );`;

/** The checkpoint rows' names (checkpoints.projector). */
export const CUSTOMER_ORDERS = 'customer_orders';
export const SKU_SALES = 'sku_sales';

/** How many changes a projector reads per batch, unless told otherwise. */
export const DEFAULT_BATCH_SIZE = 100;

/** One row of "My orders", as the query returns it. */
export interface CustomerOrder {
  orderId: number;
  status: OrderStatus;
  itemCount: number;
  totalCents: number;
  /** ISO 8601 in UTC, as Date.toISOString() writes it. */
  placedAt: string;
  version: number;
}

/** The query's answer: the rows, the checkpoint they were read at, and whether that is below the token asked for. */
export interface MyOrders {
  orders: CustomerOrder[];
  asOf: number;
  behind: boolean;
}

/** How long the query may wait for the read model to reach a token, and how often it looks. */
export interface WaitOptions {
  waitMs?: number;
  pollMs?: number;
}

export const DEFAULT_WAIT_MS = 500;
export const DEFAULT_POLL_MS = 50;
/** "My orders" shows at most this many orders. */
export const PAGE_SIZE = 20;
