/**
 * The Payments service, on PostgreSQL (its own schema, `payments`). In the saga it captures
 * the order's amount from the customer's card, or refunds it as the compensation.
 */
import type { Pg, PgQueries } from 'labkit/db';
import { replyTo, type Command, type OrderDetails, type Reply } from './messages.ts';

/**
 * - `captured`: the money was taken.
 * - `refunded`: it was taken and given back.
 * - `declined`: the card was refused; no money moved.
 * - `voided`: the refund came first (its CapturePayment is late or lost); no money moved,
 *   and a CapturePayment that arrives later is refused.
 */
export type PaymentStatus = 'captured' | 'refunded' | 'declined' | 'voided';

export interface Payment {
  sagaId: string;
  orderId: string;
  amountCents: number;
  status: PaymentStatus;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS payments (
    saga_id      text    PRIMARY KEY,
    order_id     text    NOT NULL,
    amount_cents integer NOT NULL CHECK (amount_cents >= 0),
    status       text    NOT NULL CHECK (status IN ('captured', 'refunded', 'declined', 'voided'))
  );
`;

const COLUMNS = 'saga_id AS "sagaId", order_id AS "orderId", amount_cents AS "amountCents", status';

/** The card network's answer, in this lab a fixed rule: why the card is declined, or null if it is not. */
export function declineReason(order: OrderDetails): string | null {
  if (order.cardToken === 'tok_declined') return 'card declined';
  return null;
}

export class Payments {
  readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  async init(): Promise<void> {
    await this.db.exec(SCHEMA);
  }

  /**
   * Handles CapturePayment and RefundPayment. This version works when every command arrives
   * exactly once and in order, which the bus does not promise.
   */
  async handle(command: Command): Promise<Reply> {
    // TODO (task 3): make both commands safe to receive twice, late, or in the wrong order:
    // - a second CapturePayment answers like the first and never charges again;
    // - a second RefundPayment gives nothing more back;
    // - a RefundPayment that arrives before its CapturePayment leaves a 'voided' payment,
    //   and the late CapturePayment is then refused;
    // - a CapturePayment that arrives again after its refund is refused.
    // Decide and write in one transaction: this.db.transaction(async (tx) => ...).
    switch (command.type) {
      case 'CapturePayment': {
        const reason = declineReason(command.order);
        await this.db.query('INSERT INTO payments (saga_id, order_id, amount_cents, status) VALUES ($1, $2, $3, $4)', [
          command.sagaId,
          command.order.orderId,
          command.order.amountCents,
          reason === null ? 'captured' : 'declined',
        ]);
        return reason === null ? replyTo(command, true) : replyTo(command, false, reason);
      }
      case 'RefundPayment':
        await this.db.query("UPDATE payments SET status = 'refunded' WHERE saga_id = $1", [command.sagaId]);
        return replyTo(command, true);
      default:
        return replyTo(command, false, `the Payments service does not handle ${command.type}`);
    }
  }

  /**
   * The payment of a saga, read through `queries`: `this.db`, or the `tx` of a transaction.
   * With `forUpdate`, the row stays locked until that transaction ends.
   */
  private async paymentIn(queries: PgQueries, sagaId: string, forUpdate = false): Promise<Payment | undefined> {
    const { rows } = await queries.query<Payment>(`SELECT ${COLUMNS} FROM payments WHERE saga_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [sagaId]);
    return rows[0];
  }

  /** The payment of a saga, if any. */
  async payment(sagaId: string): Promise<Payment | undefined> {
    return this.paymentIn(this.db, sagaId);
  }

  /** Every payment, by saga id. */
  async all(): Promise<Payment[]> {
    const { rows } = await this.db.query<Payment>(`SELECT ${COLUMNS} FROM payments ORDER BY saga_id`);
    return rows;
  }
}
