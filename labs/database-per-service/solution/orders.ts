/**
 * Task 3: Orders places an order with what it knows of the customer, without reading
 * Customers' tables: from its replica while the entry is fresh, else from Customers' API, and
 * it refuses rather than guess.
 */
import type { Clock } from 'labkit/clock';
import type { Pg } from 'labkit/db';
import { ServiceUnavailableError, type ServiceFetch } from 'labkit/service';
import { CustomersUnavailableError, replicaEntry, STALENESS_BOUND_MS, UnknownCustomerError, type CustomerSnapshot, type NewOrder, type PlacedOrder } from './shop.ts';

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
    const customer = await this.customer(order.customerId);
    const placed: PlacedOrder = { ...order, shipToName: customer.name, shipToCountry: customer.country };
    await this.deps.db.query(
      `INSERT INTO orders (id, customer_id, sku, quantity, ship_to_name, ship_to_country, placed_at)
       VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::float8 / 1000))`,
      [order.orderId, order.customerId, order.sku, order.quantity, placed.shipToName, placed.shipToCountry, this.deps.clock.now()],
    );
    return placed;
  }

  /** What Orders may use about a customer: a fresh replica entry, or Customers' answer. */
  private async customer(customerId: number): Promise<{ name: string; country: string }> {
    const { db, clock } = this.deps;
    const entry = await replicaEntry(db, customerId);
    if (entry && clock.now() - entry.synced_at <= STALENESS_BOUND_MS) return entry;
    const age = entry ? clock.now() - entry.synced_at : undefined;

    const answer = await this.askCustomers(customerId);
    if (answer === 'unknown') throw new UnknownCustomerError(customerId);
    if (answer === 'unavailable') throw new CustomersUnavailableError(customerId, age);
    // Customers' answer is the truth now: it refreshes the entry unless the replica already holds a newer version.
    await db.query(
      `INSERT INTO customer_replica (customer_id, name, country, version, synced_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (customer_id) DO UPDATE
          SET name = EXCLUDED.name, country = EXCLUDED.country, version = EXCLUDED.version, synced_at = EXCLUDED.synced_at
        WHERE customer_replica.version <= EXCLUDED.version`,
      [answer.customerId, answer.name, answer.country, answer.version, clock.now()],
    );
    return answer;
  }

  private async askCustomers(customerId: number): Promise<CustomerSnapshot | 'unknown' | 'unavailable'> {
    let response: Response;
    try {
      response = await this.deps.fetch(`http://customers/customers/${customerId}`);
    } catch (error) {
      if (error instanceof ServiceUnavailableError) return 'unavailable';
      throw error;
    }
    if (response.status === 404) return 'unknown';
    if (!response.ok) return 'unavailable';
    return (await response.json()) as CustomerSnapshot;
  }
}
