/**
 * The shop as running services, for `npm start` in the full environment: the four
 * participants and your orchestrator on one bus, in real time, each behind a small HTTP API.
 * Start a checkout with
 *
 *   curl -s -X POST localhost:3000/checkouts -H 'content-type: application/json' \
 *     -d '{"orderId":"o-1","customerId":"alice","sku":"MUG","quantity":2,"amountCents":2500,"cardToken":"tok_visa","country":"DE"}'
 *
 * then follow it with `curl -s localhost:3000/sagas/o-1`, and look at what each service holds.
 * Try `"cardToken":"tok_declined"` or `"country":"AQ"` to watch the compensations.
 * The tests do not use this file.
 */
import { createBus } from 'labkit/bus';
import { systemClock } from 'labkit/clock';
import { pgSchema, sqlite } from 'labkit/db';
import { defineService, Hono, type Network, type ServiceHandle } from 'labkit/service';
import { Inventory } from './inventory.ts';
import type { OrderDetails } from './messages.ts';
import { Orders } from './orders.ts';
import { Payments } from './payments.ts';
import { connectParticipant, startOrchestrator } from './runtime.ts';
import { Shipping } from './shipping.ts';

const STARTING_STOCK = { MUG: 10, TEAPOT: 3 };

/** The fields a checkout needs, and their types, for a clear 400 instead of a saga that fails later. */
const FIELDS: Record<keyof OrderDetails, 'string' | 'number'> = {
  orderId: 'string',
  customerId: 'string',
  sku: 'string',
  quantity: 'number',
  amountCents: 'number',
  cardToken: 'string',
  country: 'string',
};

function checkoutProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'send a JSON object';
  for (const [field, type] of Object.entries(FIELDS)) {
    if (typeof (body as Record<string, unknown>)[field] !== type) return `"${field}" must be a ${type}`;
  }
  return undefined;
}

export default async function startServices(network: Network): Promise<ServiceHandle[]> {
  const bus = createBus({ clock: systemClock() });
  const orders = new Orders(await pgSchema('orders'));
  const payments = new Payments(await pgSchema('payments'));
  await orders.init();
  await payments.init();
  const inventory = new Inventory(await sqlite());
  const shipping = new Shipping(await sqlite());
  for (const [sku, quantity] of Object.entries(STARTING_STOCK)) inventory.addStock(sku, quantity);
  connectParticipant(bus, 'orders', orders);
  connectParticipant(bus, 'payments', payments);
  connectParticipant(bus, 'inventory', inventory);
  connectParticipant(bus, 'shipping', shipping);
  const { orchestrator } = await startOrchestrator({ bus, db: await pgSchema('orchestrator') });

  const checkout = defineService({
    name: 'checkout',
    create: () =>
      new Hono()
        .post('/checkouts', async (c) => {
          const body: unknown = await c.req.json().catch(() => undefined);
          const problem = checkoutProblem(body);
          if (problem) return c.json({ error: `a checkout needs ${Object.keys(FIELDS).join(', ')}: ${problem}` }, 400);
          const sagaId = await orchestrator.start(body as OrderDetails);
          return c.json({ sagaId, follow: `/sagas/${sagaId}` }, 202);
        })
        .get('/sagas/:id', async (c) => {
          const state = await orchestrator.get(c.req.param('id'));
          return state ? c.json(state) : c.json({ error: 'no such saga' }, 404);
        }),
  });
  const ordersApi = defineService({
    name: 'orders',
    create: () =>
      new Hono()
        .get('/orders', async (c) => c.json(await orders.all()))
        .get('/orders/:id', async (c) => {
          const order = await orders.order(c.req.param('id'));
          return order ? c.json(order) : c.json({ error: 'no such order' }, 404);
        }),
  });
  const paymentsApi = defineService({ name: 'payments', create: () => new Hono().get('/payments', async (c) => c.json(await payments.all())) });
  const inventoryApi = defineService({
    name: 'inventory',
    create: () => new Hono().get('/stock/:sku', (c) => c.json({ sku: c.req.param('sku'), available: inventory.available(c.req.param('sku')) })),
  });
  const shippingApi = defineService({ name: 'shipping', create: () => new Hono().get('/shipments', (c) => c.json(shipping.scheduled())) });

  return [
    await network.start(checkout),
    await network.start(ordersApi),
    await network.start(paymentsApi),
    await network.start(inventoryApi),
    await network.start(shippingApi),
  ];
}
