/**
 * Task 4: least privilege. Each role gets exactly what its queries need, and nothing else: no
 * DDL, no UPDATE or DELETE of payments, no card data for support, no ciphertext for the
 * rotation job, nothing of Orders' schema. Run as postgres, after createPaymentsDatabase.
 */
import type { PgQueries } from 'labkit/db';

export async function grantLeastPrivilege(db: PgQueries): Promise<void> {
  await db.exec(`
    -- USAGE lets a role name the schema's objects; CREATE (DDL) stays with the owner.
    GRANT USAGE ON SCHEMA payments TO payments_service, payments_support, payments_key_rotator;

    -- The API: payments are append-only (a refund is a new row), cards are sealed and opened.
    GRANT SELECT, INSERT ON payments.payments, payments.card_vault TO payments_service;

    -- The support desk: the payment columns its search reads, no card data, no vault.
    GRANT SELECT (id, order_id, customer_id, amount_cents, status, created_at)
      ON payments.payments TO payments_support;

    -- The rotation job: the key columns of the vault, never the ciphertext or its owner.
    GRANT SELECT (id, key_id, wrapped_dek), UPDATE (key_id, wrapped_dek)
      ON payments.card_vault TO payments_key_rotator;`);
}
