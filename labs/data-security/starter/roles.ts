/**
 * Task 4: least privilege. Run as postgres, after createPaymentsDatabase.
 */
import type { PgQueries } from 'labkit/db';

export async function grantLeastPrivilege(db: PgQueries): Promise<void> {
  // TODO (task 4): grant payments_service, payments_support and payments_key_rotator exactly what
  // their queries need (README, task 4), and nothing else.
  await db.exec('SELECT 1');
}
