/**
 * Task 2: KEK rotation. The job re-wraps data keys, never the data, and a version is retired
 * only once no row needs it.
 */
import type { VaultDeps } from './shop.ts';

/** Moves every vault row still wrapped under `fromKeyId` to the primary version, in batches; returns how many it moved. */
export async function rewrapAll(deps: VaultDeps, fromKeyId: string, batchSize = 100): Promise<number> {
  // TODO (task 2): read the rows still under fromKeyId a batch at a time, have the KMS re-wrap each
  // wrapped_dek, and update key_id and wrapped_dek only (safe to run again after a crash).
  void deps;
  void fromKeyId;
  void batchSize;
  return 0;
}

/** Disables `keyId` in the KMS, or throws KeyStillInUse (disabling nothing) while a row names it. */
export async function retireKeyVersion(deps: VaultDeps, keyId: string): Promise<void> {
  // TODO (task 2): refuse with KeyStillInUse while a vault row names keyId; otherwise disable it.
  deps.kms.disable(keyId);
}
