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
  // One statement: the insert and the version check cannot be split by another delivery.
  await tx.query(
    `INSERT INTO customer_replica (customer_id, name, country, version, synced_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (customer_id) DO UPDATE
        SET name = EXCLUDED.name, country = EXCLUDED.country, version = EXCLUDED.version, synced_at = EXCLUDED.synced_at
      WHERE customer_replica.version < EXCLUDED.version`,
    [event.customerId, event.name, event.country, event.version, receivedAt],
  );
}
