/**
 * Task 2: KEK rotation. The job re-wraps data keys, never the data, and a version is retired
 * only once no row needs it. It reads and writes only id, key_id and wrapped_dek, so it can run
 * as payments_key_rotator.
 */
import { KEK, KeyStillInUse, type VaultDeps } from './shop.ts';

/**
 * Moves every vault row still wrapped under `fromKeyId` to the primary version, in batches of
 * `batchSize`; returns how many rows it moved.
 */
export async function rewrapAll(deps: VaultDeps, fromKeyId: string, batchSize = 100): Promise<number> {
  const target = deps.kms.primaryKeyId(KEK);
  if (target === fromKeyId) return 0;
  let moved = 0;
  for (;;) {
    // Always the first rows still under the old version: rows already moved drop out, so no OFFSET.
    const { rows } = await deps.db.query<{ id: number; wrapped_dek: Uint8Array }>(
      'SELECT id, wrapped_dek FROM payments.card_vault WHERE key_id = $1 ORDER BY id LIMIT $2',
      [fromKeyId, batchSize],
    );
    if (rows.length === 0) return moved;
    for (const row of rows) {
      const next = await deps.kms.reWrap(fromKeyId, row.wrapped_dek);
      // The key_id condition makes the update safe to repeat after a crash.
      const { affectedRows } = await deps.db.query(
        'UPDATE payments.card_vault SET key_id = $1, wrapped_dek = $2 WHERE id = $3 AND key_id = $4',
        [next.keyId, next.wrapped, row.id, fromKeyId],
      );
      moved += affectedRows;
    }
  }
}

/** Disables `keyId` in the KMS, or throws KeyStillInUse (disabling nothing) while a row names it. */
export async function retireKeyVersion(deps: VaultDeps, keyId: string): Promise<void> {
  const { rows } = await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM payments.card_vault WHERE key_id = $1', [keyId]);
  const inUse = rows[0]!.n;
  if (inUse > 0) throw new KeyStillInUse(`${keyId} still wraps the data keys of ${inUse} vault rows: run rewrapAll first`);
  deps.kms.disable(keyId);
}
