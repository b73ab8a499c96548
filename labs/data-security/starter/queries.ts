/**
 * Task 3: the support search and recording a payment, safe from SQL injection.
 */
import type { PgQueries } from 'labkit/db';
import { type PaymentRow } from './shop.ts';

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

/** The customer's payments, optionally of one status, sorted by an allowed column, ties by id. */
export async function listPayments(db: PgQueries, search: PaymentSearch): Promise<PaymentRow[]> {
  // TODO (task 3): bind customerId and status as parameters; map sort and direction through an
  // allow-list (BadRequest otherwise, before any SQL); refuse NUL characters with BadRequest.
  void db;
  void search;
  return [];
}

/** Inserts one payment and returns its id. */
export async function recordPayment(db: PgQueries, payment: NewPayment): Promise<number> {
  // TODO (task 3): insert with every value bound as a parameter, and return the new id.
  void db;
  void payment;
  return 0;
}
