/**
 * Task 4, second part: the right to erasure across the shop. Customers records the request in
 * the erasure ledger (governance, outside every service's backup); each service then deletes,
 * masks, shreds or keeps, and the ledger says which.
 */
import type { Pg, PgQueries } from 'labkit/db';
import type { KeyStore } from './crypto-shredding.ts';

export interface ErasureRequest {
  requestId: string;
  customerId: string;
  requestedAt: Date;
}

/** What each service did, as recorded in governance.erasure_steps. */
export interface ErasureReport {
  requestId: string;
  steps: { service: string; action: string }[];
}

/**
 * The erasure in every service's store but the key service. Each statement is harmless to
 * repeat, so a redelivered request or a re-application after a restore does the same again.
 */
async function eraseInServices(tx: PgQueries, customerId: string): Promise<{ service: string; action: string }[]> {
  await tx.query('DELETE FROM customers.login_events WHERE customer_id = $1', [customerId]);
  await tx.query('DELETE FROM customers.customers WHERE customer_id = $1', [customerId]);
  // Outbox messages about the customer carry their name and email: keep only the id.
  await tx.query(
    `UPDATE customers.outbox SET payload = jsonb_build_object('customerId', payload ->> 'customerId')
      WHERE payload ->> 'customerId' = $1`,
    [customerId],
  );
  await tx.query('DELETE FROM orders.customer_replica WHERE customer_id = $1', [customerId]);
  // The read model keeps the order and its total (the accounts still add up), not the person.
  await tx.query('UPDATE orders.order_summaries SET ship_to_name = NULL, ship_to_address = NULL WHERE customer_id = $1', [customerId]);
  await tx.query('DELETE FROM notifications.sent_emails WHERE customer_id = $1', [customerId]);
  await tx.query('DELETE FROM notifications.recipients WHERE customer_id = $1', [customerId]);
  return [
    { service: 'customers', action: 'deleted' },
    { service: 'orders', action: 'shredded' },
    { service: 'notifications', action: 'deleted' },
    // Invoices stay: tax law requires them (Article 17(3)(b)), restricted to that purpose.
    { service: 'payments', action: 'kept: legal obligation (tax records)' },
    { service: 'keys', action: 'deleted' },
  ];
}

/** Carries out one erasure request across the shop; repeating it (same requestId) is harmless. */
export async function eraseCustomer(db: Pg, keys: KeyStore, request: ErasureRequest): Promise<ErasureReport> {
  const steps = await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO governance.erasure_ledger (request_id, customer_id, requested_at) VALUES ($1, $2, $3)
       ON CONFLICT (request_id) DO NOTHING`,
      [request.requestId, request.customerId, request.requestedAt],
    );
    const done = await eraseInServices(tx, request.customerId);
    for (const step of done) {
      await tx.query(
        `INSERT INTO governance.erasure_steps (request_id, service, action) VALUES ($1, $2, $3)
         ON CONFLICT (request_id, service) DO UPDATE SET action = EXCLUDED.action`,
        [request.requestId, step.service, step.action],
      );
    }
    return done;
  });
  await keys.shred(request.customerId);
  await db.query('UPDATE governance.erasure_ledger SET completed_at = coalesce(completed_at, now()) WHERE request_id = $1', [request.requestId]);
  return { requestId: request.requestId, steps };
}

/**
 * After any restore of a service's backup, before the data is used: applies every erasure the
 * ledger holds again. Returns how many customers it erased again.
 */
export async function reapplyErasures(db: Pg, keys: KeyStore): Promise<number> {
  const { rows } = await db.query<{ customer_id: string }>('SELECT DISTINCT customer_id FROM governance.erasure_ledger ORDER BY customer_id');
  for (const { customer_id } of rows) {
    await db.transaction((tx) => eraseInServices(tx, customer_id));
    await keys.shred(customer_id);
  }
  return rows.length;
}
