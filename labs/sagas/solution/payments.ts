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
   * Handles CapturePayment and RefundPayment so that each is safe to receive twice, late, or
   * in the wrong order. The payments row of a saga is both the effect and the memory of what
   * was decided: looking at it first, and deciding and writing in the same transaction, is
   * what makes a repeat a no-op that answers like the first time. `FOR UPDATE` makes a
   * second copy handled at the same moment wait for the first to commit (PGlite runs one
   * transaction at a time anyway; a PostgreSQL server would not).
   */
  async handle(command: Command): Promise<Reply> {
    if (command.type !== 'CapturePayment' && command.type !== 'RefundPayment') {
      return replyTo(command, false, `the Payments service does not handle ${command.type}`);
    }
    return this.db.transaction(async (tx) => {
      const existing = await this.paymentIn(tx, command.sagaId, true);
      return command.type === 'CapturePayment' ? this.capture(tx, command, existing) : this.refund(tx, command, existing);
    });
  }

  private async capture(tx: PgQueries, command: Command, existing: Payment | undefined): Promise<Reply> {
    if (existing) {
      // A repeat: answer as the first time, without charging again.
      if (existing.status === 'captured') return replyTo(command, true);
      if (existing.status === 'declined') return replyTo(command, false, declineReason(command.order) ?? 'card declined');
      return replyTo(command, false, `the payment was ${existing.status} before it was captured`);
    }
    const reason = declineReason(command.order);
    // A decline is stored as well, so a repeat is answered the same way without asking the card network again.
    await this.insert(tx, command, reason === null ? 'captured' : 'declined');
    return reason === null ? replyTo(command, true) : replyTo(command, false, reason);
  }

  private async refund(tx: PgQueries, command: Command, existing: Payment | undefined): Promise<Reply> {
    if (!existing) {
      // The capture has not arrived (it may never): leave a tombstone so that it is refused if it does.
      await this.insert(tx, command, 'voided');
    } else if (existing.status === 'captured') {
      await tx.query("UPDATE payments SET status = 'refunded' WHERE saga_id = $1", [command.sagaId]);
    }
    // Refunded, declined or voided already: nothing (more) to give back. A compensation always succeeds.
    return replyTo(command, true);
  }

  private async insert(tx: PgQueries, command: Command, status: PaymentStatus): Promise<void> {
    await tx.query('INSERT INTO payments (saga_id, order_id, amount_cents, status) VALUES ($1, $2, $3, $4)', [
      command.sagaId,
      command.order.orderId,
      command.order.amountCents,
      status,
    ]);
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
