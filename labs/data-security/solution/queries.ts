/**
 * Task 3: the support search and recording a payment, safe from SQL injection. Values travel
 * as parameters; the sort column and direction, which must be SQL text, come from our own
 * constants through an allow-list.
 */
import type { PgQueries } from 'labkit/db';
import { BadRequest, type PaymentRow } from './shop.ts';

/** What the caller may sort by, and the SQL each name stands for. A Map: no prototype keys. */
const SORT_COLUMNS = new Map([
  ['date', 'created_at'],
  ['amount', 'amount_cents'],
  ['id', 'id'],
]);
const DIRECTIONS = new Map([
  ['asc', 'ASC'],
  ['desc', 'DESC'],
]);

export interface PaymentSearch {
  customerId: string;
  status?: string;
  sort?: string;
  direction?: string;
}

export interface NewPayment {
  orderId: number;
  customerId: string;
  amountCents: number;
  status: string;
  cardHolder: string;
  cardLast4: string;
  cardId: number;
}

function refuseNul(value: string | undefined, field: string): void {
  if (value !== undefined && value.includes('\u0000')) throw new BadRequest(`${field} holds a NUL character`);
}

interface Row {
  id: string | number;
  order_id: string | number;
  customer_id: string;
  amount_cents: number;
  status: string;
  created_at: Date;
}

/** The customer's payments, optionally of one status, sorted by an allowed column, ties by id. */
export async function listPayments(db: PgQueries, search: PaymentSearch): Promise<PaymentRow[]> {
  const column = SORT_COLUMNS.get(search.sort ?? 'date');
  const direction = DIRECTIONS.get(search.direction ?? 'asc');
  if (column === undefined) throw new BadRequest(`cannot sort by ${JSON.stringify(search.sort)}`);
  if (direction === undefined) throw new BadRequest(`the direction must be asc or desc`);
  refuseNul(search.customerId, 'customerId');
  refuseNul(search.status, 'status');
  const { rows } = await db.query<Row>(
    `SELECT id, order_id, customer_id, amount_cents, status, created_at FROM payments.payments
      WHERE customer_id = $1 AND ($2::text IS NULL OR status = $2)
      ORDER BY ${column} ${direction}, id ASC`,
    [search.customerId, search.status ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    orderId: Number(r.order_id),
    customerId: r.customer_id,
    amountCents: r.amount_cents,
    status: r.status,
    createdAt: r.created_at.toISOString(),
  }));
}

/** Inserts one payment and returns its id. */
export async function recordPayment(db: PgQueries, payment: NewPayment): Promise<number> {
  for (const [field, value] of Object.entries(payment)) if (typeof value === 'string') refuseNul(value, field);
  const { rows } = await db.query<{ id: string | number }>(
    `INSERT INTO payments.payments (order_id, customer_id, amount_cents, status, card_holder, card_last4, card_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [payment.orderId, payment.customerId, payment.amountCents, payment.status, payment.cardHolder, payment.cardLast4, payment.cardId],
  );
  return Number(rows[0]!.id);
}
