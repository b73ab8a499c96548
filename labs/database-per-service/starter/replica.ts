/**
 * Task 2: Orders' replica of the customers it needs, in its own schema, fed by Customers'
 * events. Events can arrive twice, late and out of order; the version each one carries decides.
 */
import type { PgQueries } from 'labkit/db';
import type { CustomerEvent } from './shop.ts';

/**
 * Applies one of Customers' events to `customer_replica`: an event with a higher version than
 * the entry (or for a customer not there yet) sets name, country and version and synced_at to
 * `receivedAt`; an equal or lower version (a duplicate, a late one) changes nothing at all.
 */
export async function applyCustomerEvent(tx: PgQueries, event: CustomerEvent, receivedAt: number): Promise<void> {
  // TODO (task 2): write the event into customer_replica, so that duplicates and reorders converge.
  void tx;
  void event;
  void receivedAt;
  throw new Error('applyCustomerEvent is not implemented yet (task 2)');
}
