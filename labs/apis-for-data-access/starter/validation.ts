/**
 * Tasks 1 and 3: input is checked at the boundary, before any SQL runs. Every check returns
 * either the value, typed, or the list of every field that is wrong.
 */
import type { FieldError, NewOrder, OrderChange } from './shop.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** The body of POST /orders (task 1): see the README for every rule. */
export function checkNewOrder(body: unknown): Checked<NewOrder> {
  // TODO (task 1): check customerId, lines and each line's sku and qty; refuse unknown fields.
  void body;
  return { ok: false, errors: [{ field: '', message: 'checkNewOrder is not written yet (task 1, validation.ts)' }] };
}

/** The body of PATCH /orders/:id (task 3): { note }, nothing else. */
export function checkOrderChange(body: unknown): Checked<OrderChange> {
  // TODO (task 3): a note of at most MAX_NOTE_LENGTH characters; refuse every other field, status included.
  void body;
  return { ok: false, errors: [{ field: '', message: 'checkOrderChange is not written yet (task 3, validation.ts)' }] };
}

/** `?page_size` (task 1): absent → DEFAULT_PAGE_SIZE; digits only, from 1; capped at MAX_PAGE_SIZE. */
export function checkPageSize(value: string | undefined): Checked<number> {
  // TODO (task 1)
  void value;
  return { ok: false, errors: [{ field: 'page_size', message: 'checkPageSize is not written yet (task 1, validation.ts)' }] };
}
