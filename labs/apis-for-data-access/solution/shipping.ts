/**
 * The Shipping service, given: it owns the shop's shipments and answers
 * `GET /shipments?orderId=42` with `{ orderId, shipments: [...] }` (an empty list when the order
 * has none yet). Like Customers, it serves from a book the tests control.
 */
import type { Clock } from 'labkit/clock';
import { defineService, Hono } from 'labkit/service';

export interface Shipment {
  id: string;
  orderId: number;
  carrier: string;
  status: 'label-printed' | 'in-transit' | 'delivered';
}

export class ShipmentBook {
  readonly shipments: Shipment[] = [];
  /** Every orderId Orders asked about, as the query string gave it. */
  readonly requests: string[] = [];
  delayMs = 0;
  failWith: number | undefined = undefined;

  readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  add(shipment: Shipment): void {
    this.shipments.push(shipment);
  }
}

export const shippingService = defineService({
  name: 'shipping',
  create: ({ book }: { book: ShipmentBook }) =>
    new Hono().get('/shipments', async (c) => {
      const orderId = c.req.query('orderId') ?? '';
      book.requests.push(orderId);
      if (book.delayMs > 0) await book.clock.sleep(book.delayMs);
      if (book.failWith !== undefined) {
        const body = { type: 'about:blank', title: 'Shipping is failing', status: book.failWith, detail: 'try again later' };
        return c.body(JSON.stringify(body), book.failWith as 503, { 'Content-Type': 'application/problem+json' });
      }
      if (!/^[1-9][0-9]*$/.test(orderId)) return c.body(JSON.stringify({ type: 'about:blank', title: 'Bad request', status: 400, detail: 'orderId must be an order id' }), 400, { 'Content-Type': 'application/problem+json' });
      return c.json({ orderId: Number(orderId), shipments: book.shipments.filter((s) => s.orderId === Number(orderId)) });
    }),
});
