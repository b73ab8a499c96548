/**
 * Helpers shared by the test files: sample events, and a way to write rows straight into the
 * events table (as the starter's init() creates it), so a test can set up history without
 * going through your append(); and expectations whose failure messages show what differs
 * (the runner's own messages shorten long values).
 */
import type { Pg } from 'labkit/db';
import { expect } from 'labkit/test';
import type { OrderEvent, OrderLine } from '../src/events.ts';

export const MUG: OrderLine = { sku: 'MUG', quantity: 2, priceCents: 1250 };
export const TEA: OrderLine = { sku: 'TEA', quantity: 3, priceCents: 400 };

export function placed(orderId: string, customerId = 'alice', lines: OrderLine[] = [MUG]): OrderEvent {
  const totalCents = lines.reduce((sum, l) => sum + l.quantity * l.priceCents, 0);
  return { type: 'OrderPlaced', data: { orderId, customerId, lines, totalCents, currency: 'EUR' } };
}

export function lineAdded(sku: string, quantity = 1, priceCents = 100): OrderEvent {
  return { type: 'OrderLineAdded', data: { sku, quantity, priceCents } };
}

export function lineRemoved(sku: string): OrderEvent {
  return { type: 'OrderLineRemoved', data: { sku } };
}

export function paid(paymentId: string, amountCents: number): OrderEvent {
  return { type: 'OrderPaid', data: { paymentId, amountCents } };
}

export function shipped(trackingNumber: string): OrderEvent {
  return { type: 'OrderShipped', data: { trackingNumber } };
}

export function cancelled(reason = 'changed my mind'): OrderEvent {
  return { type: 'OrderCancelled', data: { reason } };
}

/** Inserts one row into the events table directly. `schemaVersion` defaults to 2 for OrderPlaced, 1 otherwise. */
export async function insertEvent(
  db: Pg,
  streamId: string,
  version: number,
  event: { type: string; data: object },
  schemaVersion = event.type === 'OrderPlaced' ? 2 : 1,
): Promise<void> {
  await db.query('INSERT INTO events (stream_id, version, type, schema_version, data) VALUES ($1, $2, $3, $4, $5)', [
    streamId,
    version,
    event.type,
    schemaVersion,
    event.data,
  ]);
}

/**
 * Makes the next position of the events table jump by `gap` (and at least one): as after appends
 * that failed and rolled back, or events archived away. Positions are then neither 1, 2, 3, ...
 * nor the number of events before them.
 */
export async function skipPositions(db: Pg, gap: number): Promise<void> {
  await db.query(
    `SELECT setval(pg_get_serial_sequence('events', 'position'), nextval(pg_get_serial_sequence('events', 'position')) + $1)`,
    [gap],
  );
}

/** The positions of the rows of the events table, in order. */
export async function allPositions(db: Pg): Promise<number[]> {
  const { rows } = await db.query<{ position: number }>('SELECT position FROM events ORDER BY position');
  return rows.map((r) => Number(r.position));
}

export interface EventRowSummary {
  version: number;
  type: string;
  schemaVersion: number;
  data: unknown;
}

/** The rows of one stream as they are in the events table, by version. */
export async function rowsOf(db: Pg, streamId: string): Promise<EventRowSummary[]> {
  const { rows } = await db.query<EventRowSummary>(
    'SELECT version, type, schema_version AS "schemaVersion", data FROM events WHERE stream_id = $1 ORDER BY version',
    [streamId],
  );
  return rows;
}

/** A small seeded random number generator (mulberry32): the same seed gives the same sequence on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `expect(actual).toEqual(expected)`, with the parts that differ spelled out when it fails. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  reportAtCaller(expectEqual, () => expect(actual, explain(what, differences(actual, expected, false))).toEqual(expected));
}

/** Whether two plain values are deeply equal (objects compared by their keys, in any order). */
export function isEqual(actual: unknown, expected: unknown): boolean {
  return differences(actual, expected, false).length === 0;
}

/** `expect(actual).toMatchObject(expected)`: the fields in `expected` must match; others may be there too. */
export function expectMatch(actual: unknown, expected: object, what: string): void {
  reportAtCaller(expectMatch, () => expect(actual, explain(what, differences(actual, expected, true))).toMatchObject(expected));
}

/** `expect(value).toBeInstanceOf(type)`, saying what the value was when it is not. */
export function expectInstanceOf(value: unknown, type: abstract new (...args: never[]) => unknown, what: string): void {
  reportAtCaller(expectInstanceOf, () => expect(value, `${what}; instead ${describeOutcome(value)}`).toBeInstanceOf(type));
}

/** Runs an expectation; if it fails, the failure points at the test line that called `helper`, not at this file. */
function reportAtCaller(helper: (...args: never[]) => void, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Error && typeof Error.captureStackTrace === 'function') Error.captureStackTrace(error, helper);
    throw error;
  }
}

/** "it threw TypeError: ..." or "it returned 3": what a call settled with. */
export function describeOutcome(value: unknown): string {
  if (value instanceof Error) return `it threw ${value.name}: ${value.message}`;
  return `it returned ${show(value)}`;
}

function explain(what: string, diffs: string[]): string {
  if (diffs.length === 0) return what;
  const shown = diffs.slice(0, 6).map((d) => `\n    ${d}`).join('');
  return `${what}${shown}${diffs.length > 6 ? `\n    ... and ${diffs.length - 6} more differences` : ''}\n  `;
}

/** Where `actual` differs from `expected`, as "path: expected X, got Y" lines. With `subset`, keys missing from `expected` are ignored. */
function differences(actual: unknown, expected: unknown, subset: boolean, path = ''): string[] {
  if (Object.is(actual, expected)) return [];
  const here = path ? `${path}: ` : '';
  if (actual instanceof Date && expected instanceof Date) return actual.getTime() === expected.getTime() ? [] : [`${here}expected ${show(expected)}, got ${show(actual)}`];
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null || Array.isArray(actual) !== Array.isArray(expected)) {
    return [`${here}expected ${show(expected)}, got ${show(actual)}`];
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return [`${here}expected ${expected.length} items ${show(expected)}, got ${actual.length} ${show(actual)}`];
    return expected.flatMap((item, i) => differences(actual[i], item, subset, `${path}[${i}]`));
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = subset ? Object.keys(e) : [...new Set([...Object.keys(e), ...Object.keys(a)])];
  return keys.flatMap((key) => {
    const at = path ? `${path}.${key}` : key;
    if (!(key in a) && e[key] !== undefined) return [`${at}: expected ${show(e[key])}, but it is missing`];
    if (!(key in e) && a[key] !== undefined) return [`${at}: not expected, got ${show(a[key])}`];
    return differences(a[key], e[key], subset, at);
  });
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
