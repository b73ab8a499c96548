/**
 * Task 1: the card vault. Each card gets its own data key (DEK), wrapped by the KMS; the
 * additional data binds the ciphertext to its row and its owner.
 */
import { CardNotFound, KEK, type Bytes, type Card, type VaultDeps, type VaultRow } from './shop.ts';

const utf8 = new TextEncoder();

/** The additional authenticated data of a vault row: checked by AES-GCM, never stored. */
export function cardAad(id: number, customerId: string): Bytes {
  // JSON keeps the parts apart: (1, "2x") and (12, "x") give different bytes.
  return utf8.encode(JSON.stringify(['card_vault', id, customerId]));
}

/** Encrypts the card number under a fresh DEK and inserts the vault row. */
export async function sealCard(deps: VaultDeps, card: Card): Promise<void> {
  const dataKey = await deps.kms.generateDataKey(KEK);
  const dek = await crypto.subtle.importKey('raw', dataKey.plaintext, 'AES-GCM', false, ['encrypt']);
  dataKey.plaintext.fill(0); // the raw bytes are no longer needed; the CryptoKey cannot be exported
  const iv = crypto.getRandomValues(new Uint8Array(12)); // 96 bits, random for every encryption
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: cardAad(card.id, card.customerId) }, dek, utf8.encode(card.cardNumber)),
  );
  await deps.db.query(
    'INSERT INTO payments.card_vault (id, customer_id, key_id, wrapped_dek, iv, ciphertext) VALUES ($1, $2, $3, $4, $5, $6)',
    [card.id, card.customerId, dataKey.keyId, dataKey.wrapped, iv, ciphertext],
  );
}

/**
 * The card number of vault row `id`, for the customer the caller acts for. The row's own
 * customer_id is not used: a row handed to another customer must fail to decrypt.
 */
export async function openCard(deps: VaultDeps, id: number, customerId: string): Promise<string> {
  const { rows } = await deps.db.query<VaultRow>('SELECT key_id, wrapped_dek, iv, ciphertext FROM payments.card_vault WHERE id = $1', [id]);
  const row = rows[0];
  if (!row) throw new CardNotFound(`no card ${id} in the vault`);
  const raw = await deps.kms.decryptDataKey(row.key_id, row.wrapped_dek);
  const dek = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
  raw.fill(0);
  // Rejects with OperationError when a byte, the row id or the customer differs.
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: row.iv, additionalData: cardAad(id, customerId) }, dek, row.ciphertext);
  return new TextDecoder().decode(plain);
}
