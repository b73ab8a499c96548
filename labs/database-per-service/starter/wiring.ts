/**
 * How Orders' replica is fed: a consumer group on Customers' events topic that applies each
 * event in a transaction of Orders' own schema, stamped with the clock's time of delivery.
 */
import type { Bus, Subscription } from 'labkit/bus';
import type { Clock } from 'labkit/clock';
import type { Pg } from 'labkit/db';
import { applyCustomerEvent } from './replica.ts';
import { CUSTOMER_EVENTS_TOPIC, type CustomerEvent } from './shop.ts';

export function connectReplica(bus: Bus, ordersDb: Pg, clock: Clock): Subscription {
  return bus.subscribe<CustomerEvent>(CUSTOMER_EVENTS_TOPIC, 'orders-replica', (event) =>
    ordersDb.transaction((tx) => applyCustomerEvent(tx, event, clock.now())),
  );
}
