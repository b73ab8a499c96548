/**
 * The Orders service, on PostgreSQL (its own schema, `orders`). In the saga it creates the
 * order as PENDING, confirms it at the end, or rejects it as the compensation.
 *
 * Every command may arrive twice, late, or after the command that undoes it, so each is
 * written to be safe to repeat: it looks at the order's status before changing it, and
 * answers a repeat the way it answered the first time.
 */
import type { Pg } from 'labkit/db';
import { replyTo, type Command, type Reply } from './messages.ts';

/**
 * PENDING is a semantic lock: while a saga is placing the order, everyone else can see that it
 * is not settled yet, and the service refuses what would conflict with the saga in flight
 * (see `requestCancellation`).
 */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED';

export interface OrderRow {
  orderId: string;
  sagaId: string;
  customerId: string;
  amountCents: number;
  status: OrderStatus;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS orders (
    order_id     text    PRIMARY KEY,
    saga_id      text    NOT NULL,
    customer_id  text    NOT NULL,
    sku          text    NOT NULL,
    quantity     integer NOT NULL CHECK (quantity > 0),
    amount_cents integer NOT NULL CHECK (amount_cents >= 0),
    status       text    NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'REJECTED'))
  );
`;

const COLUMNS = 'order_id AS "orderId", saga_id AS "sagaId", customer_id AS "customerId", amount_cents AS "amountCents", status';

export class Orders {
  readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  async init(): Promise<void> {
    await this.db.exec(SCHEMA);
  }

  async handle(command: Command): Promise<Reply> {
    const { order } = command;
    switch (command.type) {
      case 'CreateOrder': {
        // ON CONFLICT DO NOTHING makes a repeat harmless; the order's status then says how the
        // first one went. One statement: the insert, or else the row that was already there.
        const { rows } = await this.db.query<{ status: OrderStatus }>(
          `WITH inserted AS (
             INSERT INTO orders (order_id, saga_id, customer_id, sku, quantity, amount_cents, status)
             VALUES ($1, $2, $3, $4, $5, $6, 'PENDING') ON CONFLICT (order_id) DO NOTHING
             RETURNING status)
           SELECT status FROM inserted UNION ALL SELECT status FROM orders WHERE order_id = $1`,
          [order.orderId, command.sagaId, order.customerId, order.sku, order.quantity, order.amountCents],
        );
        // REJECTED here means the rejection overtook the creation: the order stays rejected.
        return rows[0]!.status === 'REJECTED' ? replyTo(command, false, 'the order was already rejected') : replyTo(command, true);
      }
      case 'RejectOrder': {
        // If the order does not exist yet (CreateOrder is late or lost), the rejection creates it
        // as REJECTED: a tombstone, so the late CreateOrder cannot bring it back as PENDING.
        await this.db.query(
          `INSERT INTO orders (order_id, saga_id, customer_id, sku, quantity, amount_cents, status)
           VALUES ($1, $2, $3, $4, $5, $6, 'REJECTED')
           ON CONFLICT (order_id) DO UPDATE SET status = 'REJECTED' WHERE orders.status = 'PENDING'`,
          [order.orderId, command.sagaId, order.customerId, order.sku, order.quantity, order.amountCents],
        );
        return replyTo(command, true);
      }
      case 'ConfirmOrder': {
        // Re-read before acting: only an order still PENDING (or already confirmed, on a repeat) is confirmed.
        const { rows } = await this.db.query<{ status: OrderStatus }>(
          `UPDATE orders SET status = 'CONFIRMED' WHERE order_id = $1 AND status IN ('PENDING', 'CONFIRMED') RETURNING status`,
          [order.orderId],
        );
        return rows.length === 1 ? replyTo(command, true) : replyTo(command, false, 'the order is not pending');
      }
      default:
        return replyTo(command, false, `the Orders service does not handle ${command.type}`);
    }
  }

  /**
   * A customer asks to cancel an order from their account page. A settled order can be
   * cancelled through another process (not part of this lab); a PENDING one cannot, because a
   * saga is still working on it: the semantic lock at work. The customer is asked to try again
   * in a moment.
   */
  async requestCancellation(orderId: string): Promise<'accepted' | 'refused: order is being placed' | 'refused: no such order'> {
    const order = await this.order(orderId);
    if (!order) return 'refused: no such order';
    if (order.status === 'PENDING') return 'refused: order is being placed';
    return 'accepted';
  }

  async order(orderId: string): Promise<OrderRow | undefined> {
    const { rows } = await this.db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE order_id = $1`, [orderId]);
    return rows[0];
  }

  /** Every order, by id. */
  async all(): Promise<OrderRow[]> {
    const { rows } = await this.db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders ORDER BY order_id`);
    return rows;
  }
}
