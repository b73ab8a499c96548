/**
 * The Orders service: every command changes its order and writes the message that announces
 * the change into the outbox, in one transaction. Nothing here talks to the broker.
 */
import type { Clock } from 'labkit/clock';
import type { Pg, PgQueries } from 'labkit/db';
import { TOPIC, orderKey, type Json, type OrderCancelled, type OrderEventType, type OrderPlaced } from './messages.ts';

export interface NewOrder {
  id: number;
  customerId: string;
  totalCents: number;
}

export class Orders {
  readonly db: Pg;
  readonly clock: Clock;

  constructor(db: Pg, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Stores the order as 'placed' and its OrderPlaced message, both or neither. */
  async placeOrder(order: NewOrder): Promise<void> {
    const now = new Date(this.clock.now());
    await this.db.transaction(async (tx) => {
      await tx.query("INSERT INTO orders (id, customer_id, total_cents, status, placed_at) VALUES ($1, $2, $3, 'placed', $4)", [
        order.id,
        order.customerId,
        order.totalCents,
        now,
      ]);
      const placed: OrderPlaced = { orderId: order.id, customerId: order.customerId, totalCents: order.totalCents, placedAt: now.toISOString() };
      await addToOutbox(tx, order.id, 'OrderPlaced', placed, now);
    });
  }

  /** Cancels a placed order and writes its OrderCancelled message; an unknown or cancelled order is refused. */
  async cancelOrder(orderId: number, reason: string): Promise<void> {
    const now = new Date(this.clock.now());
    await this.db.transaction(async (tx) => {
      // The status check is part of the UPDATE, so two cancellations cannot both pass it.
      const { affectedRows } = await tx.query("UPDATE orders SET status = 'cancelled' WHERE id = $1 AND status = 'placed'", [orderId]);
      if (affectedRows !== 1) throw new Error(`order ${orderId} cannot be cancelled: there is no placed order with that id`);
      const cancelled: OrderCancelled = { orderId, reason, cancelledAt: now.toISOString() };
      await addToOutbox(tx, orderId, 'OrderCancelled', cancelled, now);
    });
  }
}

/** The message goes in through the same transaction as the change it announces. */
async function addToOutbox(tx: PgQueries, orderId: number, type: OrderEventType, payload: OrderPlaced | OrderCancelled, now: Date): Promise<void> {
  await tx.query('INSERT INTO outbox (topic, message_key, type, payload, created_at) VALUES ($1, $2, $3, $4, $5)', [
    TOPIC,
    orderKey(orderId),
    type,
    payload as unknown as Json as object,
    now,
  ]);
}
