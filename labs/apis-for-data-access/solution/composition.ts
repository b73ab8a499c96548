/**
 * Task 5: API composition. An order's details join what three services own: the order
 * (Orders' own database), its customer (Customers) and its shipments (Shipping). The two calls
 * run in parallel, each with its own time limit on the clock, and a part that does not arrive
 * in time is reported missing rather than waited for or made up.
 */
import type { Clock } from 'labkit/clock';
import type { ServiceFetch } from 'labkit/service';
import type { Customer } from './customers.ts';
import { CALL_TIME_LIMIT_MS, type Order } from './shop.ts';
import type { Shipment } from './shipping.ts';

export interface OrderDetails {
  order: Order;
  customer: Customer | null;
  shipments: Shipment[] | null;
  /** The services whose part is null, in this order: "customers", "shipping". */
  missing: string[];
}

/**
 * The JSON body of a 200 answer from `url` that arrives within `ms` on the clock, or undefined:
 * too slow, unreachable, or any other status. A late answer is simply ignored when it comes.
 */
export async function fetchWithin(fetch: ServiceFetch, clock: Clock, url: string, ms: number): Promise<unknown> {
  const answer = (async () => {
    const response = await fetch(url);
    return response.status === 200 ? ((await response.json()) as unknown) : undefined;
  })().catch(() => undefined);
  // The losing sleep fires later and resolves a promise nobody waits for any more.
  return Promise.race([answer, clock.sleep(ms).then(() => undefined)]);
}

export async function orderDetails(fetch: ServiceFetch, clock: Clock, order: Order): Promise<OrderDetails> {
  const [customer, shipping] = await Promise.all([
    fetchWithin(fetch, clock, `http://customers/customers/${encodeURIComponent(order.customerId)}`, CALL_TIME_LIMIT_MS),
    fetchWithin(fetch, clock, `http://shipping/shipments?orderId=${order.id}`, CALL_TIME_LIMIT_MS),
  ]);
  const shipments = (shipping as { shipments?: unknown } | undefined)?.shipments;
  const details: OrderDetails = {
    order,
    customer: (customer as Customer | undefined) ?? null,
    shipments: Array.isArray(shipments) ? (shipments as Shipment[]) : null,
    missing: [],
  };
  if (details.customer === null) details.missing.push('customers');
  if (details.shipments === null) details.missing.push('shipping');
  return details;
}
