/**
 * The Orders API: the only door to Orders' data. The tests start `ordersService` on a labkit
 * network with OrdersDeps and call it over HTTP; the README says what each route answers.
 */
import { defineService, Hono, type Context } from 'labkit/service';
import { orderDetails } from './composition.ts';
import { cursorCipher } from './cursor.ts';
import { IdempotencyKeys } from './idempotency.ts';
import { internalError, notFound } from './problems.ts';
import { OPERATIONS, type OrdersDeps } from './shop.ts';

/** What a route answers until you write it. */
function notYet(c: Context, task: number): Response {
  return c.text(`${c.req.method} ${c.req.path} is not written yet (task ${task}, orders-api.ts)`, 501);
}

export const ordersService = defineService({
  name: 'orders',
  create: async ({ db, clock, fetch, cursorKey }: OrdersDeps) => {
    // TODO: anything your routes need from the database before they answer (tables, triggers).
    await IdempotencyKeys.prepare(db);
    const cipher = await cursorCipher(cursorKey);
    void cipher;

    const app = new Hono();
    app.onError((_error, c) => internalError(c));
    app.notFound(notFound);

    // TODO (tasks 1 and 2): GET /orders?page_size=&page_token= → { orders, nextPageToken }
    app.get('/orders', (c) => notYet(c, 2));

    // TODO (task 3): GET /orders/:id → the order with its ETag; If-None-Match → 304
    app.get('/orders/:id', (c) => notYet(c, 3));

    // TODO (task 3): PATCH /orders/:id { note } with If-Match → 200, 400, 404, 412, 422, 428
    app.patch('/orders/:id', (c) => notYet(c, 3));

    // TODO (task 3): POST /orders/:id/pay, /ship, /cancel (OPERATIONS) with If-Match → 200, 404, 409, 412, 428
    for (const name of Object.keys(OPERATIONS)) {
      app.post(`/orders/:id/${name}`, (c) => notYet(c, 3));
    }

    // TODO (tasks 1 and 4): POST /orders with X-Client-Id and Idempotency-Key → 201 and the order
    app.post('/orders', (c) => notYet(c, 1));

    // TODO (task 5): GET /orders/:id/details → { order, customer, shipments, missing }
    app.get('/orders/:id/details', async (c) => {
      void orderDetails;
      void clock;
      void fetch;
      return notYet(c, 5);
    });

    return app;
  },
});
