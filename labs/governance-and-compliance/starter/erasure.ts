/**
 * Task 4, second part: the right to erasure across the shop. Customers records the request in
 * the erasure ledger (governance, outside every service's backup); each service then deletes,
 * masks, shreds or keeps, and the ledger says which.
 */
import type { Pg } from 'labkit/db';
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

/** Carries out one erasure request across the shop; repeating it (same requestId) is harmless. */
export async function eraseCustomer(db: Pg, keys: KeyStore, request: ErasureRequest): Promise<ErasureReport> {
  // TODO (task 4): record the request in the ledger, then delete, mask, shred or keep in each
  // service as the README's table says, and record each service's step.
  void db;
  void keys;
  throw new Error(`eraseCustomer(${request.requestId}) is not written yet (task 4)`);
}

/**
 * After any restore of a service's backup, before the data is used: applies every erasure the
 * ledger holds again. Returns how many customers it erased again.
 */
export async function reapplyErasures(db: Pg, keys: KeyStore): Promise<number> {
  // TODO (task 4): erase every customer of the ledger again.
  void db;
  void keys;
  return 0;
}
