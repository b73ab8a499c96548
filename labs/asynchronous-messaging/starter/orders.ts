/**
 * The Orders service: every command changes its order and writes the message that announces
 * the change into the outbox, in one transaction. Nothing here talks to the broker.
 */
import type { Clock } from 'labkit/clock';
import type { Pg } from 'labkit/db';
import { TOPIC, orderKey, type OrderCancelled, type OrderPlaced } from './messages.ts';

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
    // TODO (task 1): in one transaction, insert the order (status 'placed', placed_at = the clock's
    // time) and its outbox row: topic TOPIC, message_key orderKey(id), type 'OrderPlaced', an
    // OrderPlaced payload, created_at = the clock's time.
    void [order, TOPIC, orderKey];
    throw new Error('placeOrder is not implemented yet (task 1)');
  }

  /** Cancels a placed order and writes its OrderCancelled message; an unknown or cancelled order is refused. */
  async cancelOrder(orderId: number, reason: string): Promise<void> {
    // TODO (task 1): in one transaction, set a placed order's status to 'cancelled' and write its
    // OrderCancelled outbox row; reject, writing nothing, when there is no placed order with that id.
    void [orderId, reason];
    throw new Error('cancelOrder is not implemented yet (task 1)');
  }
}

export type { OrderCancelled, OrderPlaced };
