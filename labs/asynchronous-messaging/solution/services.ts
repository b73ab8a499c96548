/**
 * The shop as running services, for `npm start` in the full environment: Orders with its
 * outbox, a relay that polls it every half second, and Notifications and Analytics consuming
 * over one bus, in real time. Place an order with
 *
 *   curl -s -X POST localhost:3000/orders -H 'content-type: application/json' \
 *     -d '{"id":1043,"customerId":"Maya","totalCents":1780}'
 *
 * then look at `curl -s localhost:3000/outbox`, Notifications' `/emails` and Analytics'
 * `/daily-sales`. Cancel with `POST /orders/1043/cancel` and a body `{"reason":"..."}`.
 * The tests do not use this file.
 */
import { createBus } from 'labkit/bus';
import { systemClock } from 'labkit/clock';
import { pgSchema } from 'labkit/db';
import { seededRandom } from 'labkit/faults';
import { defineService, Hono, type Network, type ServiceHandle } from 'labkit/service';
import { Consumer } from './consumer.ts';
import { Orders } from './orders.ts';
import { Relay } from './relay.ts';
import { analyticsHandlers, busPublisher, connectConsumer, createAnalyticsTables, createNotificationsTables, createOrdersTables, notificationHandlers } from './shop.ts';

const POLL_MS = 500;

export default async function startServices(network: Network): Promise<ServiceHandle[]> {
  const clock = systemClock();
  const bus = createBus({ clock });
  const ordersDb = await pgSchema('orders');
  const notificationsDb = await pgSchema('notifications');
  const analyticsDb = await pgSchema('analytics');
  await createOrdersTables(ordersDb);
  await createNotificationsTables(notificationsDb);
  await createAnalyticsTables(analyticsDb);

  const orders = new Orders(ordersDb, clock);
  const random = seededRandom(clock.now() >>> 0);
  const notifications = new Consumer({ name: 'confirmation-email', db: notificationsDb, clock, random, handlers: notificationHandlers });
  const analytics = new Consumer({ name: 'sales-by-day', db: analyticsDb, clock, random, handlers: analyticsHandlers });
  connectConsumer(bus, notifications);
  connectConsumer(bus, analytics);

  const relay = new Relay({ name: 'relay-1', db: await pgSchema('orders'), clock, publish: busPublisher(bus) });
  const poll = (): void => {
    void relay
      .relayOnce()
      .catch(() => undefined)
      .finally(() => clock.setTimeout(poll, POLL_MS));
  };
  clock.setTimeout(poll, POLL_MS);

  const failed = (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) });
  const ordersApi = defineService({
    name: 'orders',
    create: () =>
      new Hono()
        .post('/orders', async (c) => {
          const body = (await c.req.json().catch(() => ({}))) as { id?: unknown; customerId?: unknown; totalCents?: unknown };
          if (typeof body.id !== 'number' || typeof body.customerId !== 'string' || typeof body.totalCents !== 'number') {
            return c.json({ error: 'send { "id": number, "customerId": string, "totalCents": number }' }, 400);
          }
          try {
            await orders.placeOrder({ id: body.id, customerId: body.customerId, totalCents: body.totalCents });
            return c.json({ placed: body.id }, 201);
          } catch (error) {
            return c.json(failed(error), 409);
          }
        })
        .post('/orders/:id/cancel', async (c) => {
          const body = (await c.req.json().catch(() => ({}))) as { reason?: unknown };
          try {
            await orders.cancelOrder(Number(c.req.param('id')), typeof body.reason === 'string' ? body.reason : 'no reason given');
            return c.json({ cancelled: Number(c.req.param('id')) });
          } catch (error) {
            return c.json(failed(error), 409);
          }
        })
        .get('/outbox', async (c) => c.json((await ordersDb.query('SELECT position::text AS position, message_id, message_key, type, payload, published_at, lease_owner FROM outbox ORDER BY position')).rows)),
  });
  const notificationsApi = defineService({
    name: 'notifications',
    create: () =>
      new Hono()
        .get('/emails', async (c) => c.json((await notificationsDb.query('SELECT * FROM emails ORDER BY id')).rows))
        .get('/dead-letters', async (c) => c.json(await notifications.deadLetters()))
        .post('/dead-letters/:id/redrive', async (c) => c.json({ redriven: await notifications.redrive(c.req.param('id')) })),
  });
  const analyticsApi = defineService({
    name: 'analytics',
    create: () => new Hono().get('/daily-sales', async (c) => c.json((await analyticsDb.query('SELECT day, orders, total_cents::text AS total_cents, cancelled FROM daily_sales ORDER BY day')).rows)),
  });
  return [await network.start(ordersApi), await network.start(notificationsApi), await network.start(analyticsApi)];
}
