/**
 * Tasks 1 and 3: input is checked at the boundary, before any SQL runs. Every check returns
 * either the value, typed, or the list of every field that is wrong, so one answer tells the
 * client all it has to fix.
 */
import {
  DEFAULT_PAGE_SIZE,
  MAX_ID_LENGTH,
  MAX_LINES,
  MAX_NOTE_LENGTH,
  MAX_PAGE_SIZE,
  MAX_QTY,
  type FieldError,
  type NewOrder,
  type OrderChange,
  type OrderLine,
} from './shop.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fields the request may not carry: a price or a status the server decides, or a typo. Refused, never ignored. */
function refuseUnknown(value: Json, known: readonly string[], prefix: string, errors: FieldError[]): void {
  for (const name of Object.keys(value)) {
    if (!known.includes(name)) errors.push({ field: prefix + name, message: 'is not a field of this request' });
  }
}

/** A non-blank string of at most `max` characters, or an error for `field`. */
function checkText(value: unknown, field: string, max: number, errors: FieldError[]): void {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    errors.push({ field, message: `must be a non-blank string of at most ${max} characters` });
  }
}

export function checkNewOrder(body: unknown): Checked<NewOrder> {
  if (!isObject(body)) return { ok: false, errors: [{ field: '', message: 'the body must be a JSON object { customerId, lines }' }] };
  const errors: FieldError[] = [];
  refuseUnknown(body, ['customerId', 'lines'], '', errors);
  checkText(body.customerId, 'customerId', MAX_ID_LENGTH, errors);
  if (!Array.isArray(body.lines) || body.lines.length === 0 || body.lines.length > MAX_LINES) {
    errors.push({ field: 'lines', message: `must be a list of 1 to ${MAX_LINES} lines` });
  } else {
    body.lines.forEach((line: unknown, i) => {
      const at = `lines[${i}]`;
      if (!isObject(line)) {
        errors.push({ field: at, message: 'must be an object { sku, qty }' });
        return;
      }
      refuseUnknown(line, ['sku', 'qty'], `${at}.`, errors);
      checkText(line.sku, `${at}.sku`, MAX_ID_LENGTH, errors);
      // Number.isInteger is false for anything that is not a number, "3" included.
      const qty = line.qty as number;
      if (!Number.isInteger(qty) || qty < 1 || qty > MAX_QTY) {
        errors.push({ field: `${at}.qty`, message: `must be a whole number from 1 to ${MAX_QTY}` });
      }
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  // Only the fields that were checked, in a fixed order: the stored order, and the fingerprint of the request.
  const lines = (body.lines as OrderLine[]).map(({ sku, qty }) => ({ sku, qty }));
  return { ok: true, value: { customerId: body.customerId as string, lines } };
}

/** PATCH changes the note and nothing else: a status changes only through an operation (pay, ship, cancel). */
export function checkOrderChange(body: unknown): Checked<OrderChange> {
  if (!isObject(body)) return { ok: false, errors: [{ field: '', message: 'the body must be a JSON object { note }' }] };
  const errors: FieldError[] = [];
  refuseUnknown(body, ['note'], '', errors);
  const note = body.note;
  if (typeof note !== 'string' || note.length > MAX_NOTE_LENGTH) {
    errors.push({ field: 'note', message: `must be a string of at most ${MAX_NOTE_LENGTH} characters` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { note: note as string } };
}

/**
 * `?page_size`: absent means the default; digits only; 0 is refused; above the maximum it is
 * capped, as AIP-158 asks, since a client asking for more than the API gives is not wrong.
 */
export function checkPageSize(value: string | undefined): Checked<number> {
  if (value === undefined) return { ok: true, value: DEFAULT_PAGE_SIZE };
  if (!/^[0-9]+$/.test(value) || Number(value) === 0) {
    return { ok: false, errors: [{ field: 'page_size', message: `must be a whole number from 1 (at most ${MAX_PAGE_SIZE} are given)` }] };
  }
  return { ok: true, value: Math.min(Number(value), MAX_PAGE_SIZE) };
}
