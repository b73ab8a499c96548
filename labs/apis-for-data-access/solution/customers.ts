/**
 * The Customers service, given: it owns the shop's customers and answers
 * `GET /customers/:id` with the customer (200) or a 404 problem. Orders reaches it only through
 * this API. The directory it serves from lives outside the service, so the tests can add
 * customers, slow the service down or make it fail, and see which ids Orders asked for.
 */
import type { Clock } from 'labkit/clock';
import { defineService, Hono, type Context } from 'labkit/service';

export interface Customer {
  id: string;
  name: string;
  email: string;
}

export class CustomerDirectory {
  readonly customers = new Map<string, Customer>();
  /** Every id Orders asked for, in order (decoded). */
  readonly requests: string[] = [];
  /** Each answer waits this long on the clock first. */
  delayMs = 0;
  /** When set, every answer is this status (a 5xx) instead. */
  failWith: number | undefined = undefined;

  readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  add(customer: Customer): void {
    this.customers.set(customer.id, customer);
  }
}

function problem(c: Context, status: number, title: string, detail: string): Response {
  return c.body(JSON.stringify({ type: 'about:blank', title, status, detail }), status as 404, { 'Content-Type': 'application/problem+json' });
}

export const customersService = defineService({
  name: 'customers',
  create: ({ directory }: { directory: CustomerDirectory }) =>
    new Hono().get('/customers/:id', async (c) => {
      const id = c.req.param('id');
      directory.requests.push(id);
      if (directory.delayMs > 0) await directory.clock.sleep(directory.delayMs);
      if (directory.failWith !== undefined) return problem(c, directory.failWith, 'Customers is failing', 'try again later');
      const customer = directory.customers.get(id);
      return customer ? c.json(customer) : problem(c, 404, 'Not found', `no customer ${id}`);
    }),
});
