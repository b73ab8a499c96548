/**
 * Given: two of the shop's services, Orders and Payments, instrumented with your code. Orders'
 * POST /orders calls Payments, then writes the order and an OrderPlaced event to its outbox in
 * one transaction. Every request is traced (task 1), measured (task 3) and logged (task 5).
 * You read this file; you do not change it.
 */
import type { Clock } from 'labkit/clock';
import type { Sqlite } from 'labkit/db';
import { defineService, Hono, type ServiceFetch } from 'labkit/service';
import { createLogger } from './logging.ts';
import { writeOutbox } from './messaging.ts';
import { measure, type RedMetrics } from './metrics.ts';
import type { ActiveSpan, LogSink, SpanRecorder } from './telemetry.ts';
import { traceHeaders, tracing } from './trace-context.ts';

/** Orders' tables: the orders and the outbox the relay reads. */
export const ORDERS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS orders (
    order_id    TEXT PRIMARY KEY,
    total_cents INTEGER NOT NULL,
    status      TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    topic        TEXT NOT NULL,
    message_key  TEXT NOT NULL,
    payload      TEXT NOT NULL,
    traceparent  TEXT,
    published_at INTEGER
  );`;

export const ORDER_EVENTS_TOPIC = 'order-events';

/** What every instrumented service is given besides its own resources. */
export interface Telemetry {
  clock: Clock;
  recorder: SpanRecorder;
  metrics: RedMetrics;
  logs: LogSink;
}

export interface Customer {
  name: string;
  email: string;
}

/** The body of POST /orders. */
export interface PlaceOrder {
  orderId: string;
  totalCents: number;
  customer: Customer;
}

/** The payment provider behind Payments: resolves when the card is charged, rejects when it is declined or down. */
export type Provider = (payment: { orderId: string; amountCents: number; email: string }) => Promise<void>;

/** Every request's span, set by the tracing middleware: `c.get('span')`. */
type Env = { Variables: { span: ActiveSpan } };

function instrumented(service: string, telemetry: Telemetry): Hono<Env> {
  const app = new Hono<Env>();
  app.use('*', tracing({ service, recorder: telemetry.recorder, clock: telemetry.clock }));
  app.use('*', measure(telemetry.metrics, telemetry.clock));
  return app;
}

export const orders = defineService({
  name: 'orders',
  create: ({ db, fetch, telemetry }: { db: Sqlite; fetch: ServiceFetch; telemetry: Telemetry }) => {
    db.exec(ORDERS_SCHEMA);
    const logger = createLogger('orders', telemetry.logs, telemetry.clock);
    const app = instrumented('orders', telemetry);
    app.post('/orders', async (c) => {
      const span = c.get('span');
      const log = logger.withSpan(span);
      const order = (await c.req.json()) as PlaceOrder;
      log.info('placing order', { orderId: order.orderId, totalCents: order.totalCents, customer: order.customer });
      const payment = await fetch('http://payments/payments', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...traceHeaders(span) },
        body: JSON.stringify({ orderId: order.orderId, amountCents: order.totalCents, email: order.customer.email }),
      });
      if (payment.status !== 201) {
        log.error('payment failed', new Error(`Payments answered ${payment.status} for ${order.customer.email}`), { orderId: order.orderId });
        return c.json({ error: 'payment failed' }, 502);
      }
      db.transaction(() => {
        db.run('INSERT INTO orders (order_id, total_cents, status) VALUES (?, ?, ?)', [order.orderId, order.totalCents, 'paid']);
        writeOutbox(db, span, { topic: ORDER_EVENTS_TOPIC, key: order.orderId, payload: { type: 'OrderPlaced', orderId: order.orderId, totalCents: order.totalCents } });
      });
      log.info('order placed', { orderId: order.orderId, customer: { name: order.customer.name } });
      return c.json({ orderId: order.orderId, status: 'paid' }, 201);
    });
    app.get('/orders/:id', (c) => {
      const row = db.get('SELECT order_id AS "orderId", total_cents AS "totalCents", status FROM orders WHERE order_id = ?', [c.req.param('id')]);
      return row ? c.json(row) : c.json({ error: 'no such order' }, 404);
    });
    return app;
  },
});

export const payments = defineService({
  name: 'payments',
  create: ({ provider, telemetry }: { provider: Provider; telemetry: Telemetry }) => {
    const logger = createLogger('payments', telemetry.logs, telemetry.clock);
    const app = instrumented('payments', telemetry);
    app.post('/payments', async (c) => {
      const log = logger.withSpan(c.get('span'));
      const body = (await c.req.json()) as { orderId: string; amountCents: number; email: string };
      if (!(body.amountCents > 0)) return c.json({ error: 'amountCents must be positive' }, 400);
      try {
        await provider(body);
      } catch (error) {
        log.error('provider failed', error, { orderId: body.orderId, email: body.email });
        return c.json({ error: 'provider unavailable' }, 503);
      }
      log.info('payment captured', { orderId: body.orderId, amountCents: body.amountCents });
      return c.json({ orderId: body.orderId, status: 'captured' }, 201);
    });
    return app;
  },
});
