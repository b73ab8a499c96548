/**
 * Task 3: Orders places an order with what it knows of the customer, without reading
 * Customers' tables: from its replica while the entry is fresh, else from Customers' API, and
 * it refuses rather than guess.
 */
import type { Clock } from 'labkit/clock';
import type { Pg } from 'labkit/db';
import type { ServiceFetch } from 'labkit/service';
import type { NewOrder, PlacedOrder } from './shop.ts';

export interface OrdersDeps {
  /** Orders' own schema: `await pgSchema('orders')`. */
  db: Pg;
  clock: Clock;
  /** The network's fetch: Customers answers at `http://customers/customers/<id>`. */
  fetch: ServiceFetch;
}

export class Orders {
  private readonly deps: OrdersDeps;

  constructor(deps: OrdersDeps) {
    this.deps = deps;
  }

  async placeOrder(order: NewOrder): Promise<PlacedOrder> {
    // TODO (task 3): learn the customer's name and country (a fresh replica entry, or Customers'
    // API), refuse with UnknownCustomerError or CustomersUnavailableError as the README says,
    // then store the order in orders.orders and return it.
    void this.deps;
    void order;
    throw new Error('placeOrder is not implemented yet (task 3)');
  }
}
