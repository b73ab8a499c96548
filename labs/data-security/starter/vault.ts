/**
 * Task 1: the card vault. Each card gets its own data key (DEK), wrapped by the KMS; the
 * additional data binds the ciphertext to its row and its owner.
 */
import { type Card, type VaultDeps } from './shop.ts';

/** Encrypts the card number under a fresh DEK and inserts the vault row. */
export async function sealCard(deps: VaultDeps, card: Card): Promise<void> {
  // TODO (task 1): ask the KMS for a data key, encrypt card.cardNumber with AES-GCM under it
  // (a fresh 12-byte IV, the README's additional data), and insert the row into payments.card_vault.
  throw new Error(`sealCard is not written yet (card ${card.id}, ${deps.kms.primaryKeyId('payments-kek')})`);
}

/** The card number of vault row `id`, for the customer the caller acts for. */
export async function openCard(deps: VaultDeps, id: number, customerId: string): Promise<string> {
  // TODO (task 1): read the row, unwrap its data key with the KMS, and decrypt with the additional
  // data built from `id` and `customerId` (not the row's customer_id). No row: CardNotFound.
  void deps;
  throw new Error(`openCard is not written yet (card ${id}, customer ${customerId})`);
}
