/**
 * Helpers shared by the test files: sample events, and a way to write rows straight into the
 * events table (as the starter's init() creates it), so a test can set up history without
 * going through your append().
 */
import type { Pg } from 'labkit/db';
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
