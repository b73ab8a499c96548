import { expect, expectEqual, test } from 'labkit/test';
import { CardNotFound } from '../src/shop.ts';
import type { Bytes } from '../src/shop.ts';
import { openCard, sealCard } from '../src/vault.ts';
import { CARDS, freshPayments, hex, thrown, vaultRows, type Setup } from './helpers.ts';

const utf8 = new TextEncoder();

async function sealAll(s: Setup): Promise<void> {
  for (const card of CARDS) await sealCard(s.deps, card);
}

/** Decrypts a row as the README says it is built: its DEK from the KMS, the additional data JSON.stringify(['card_vault', id, customerId]). */
async function decryptAsReadme(s: Setup, row: { id: number; key_id: string; wrapped_dek: Bytes; iv: Bytes; ciphertext: Bytes }, customerId: string): Promise<string> {
  const raw = await s.kms.peek(row.key_id, row.wrapped_dek);
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: row.iv, additionalData: utf8.encode(JSON.stringify(['card_vault', row.id, customerId])) }, key, row.ciphertext);
  return new TextDecoder().decode(plain);
}

test('sealCard stores only ciphertext, a 12-byte IV and a wrapped data key, and openCard gives the number back', { task: 1, points: 6 }, async () => {
  const s = await freshPayments();
  await sealAll(s);
  const rows = await vaultRows(s.db);
  expectEqual(rows.map((r) => [r.id, r.customer_id, r.key_id]), CARDS.map((c) => [c.id, c.customerId, 'payments-kek/v1']), 'payments.card_vault (id, customer_id, key_id) after sealing six cards (key_id is the version the KMS named)');
  for (const [i, row] of rows.entries()) {
    const card = CARDS[i]!;
    expect(row.iv.length, `card ${card.id}: bytes of its IV (AES-GCM's IV is 96 bits)`).toBe(12);
    expect(row.ciphertext.length, `card ${card.id}: bytes of its ciphertext (the ${card.cardNumber.length} digits of the number, then the 16-byte tag)`).toBe(card.cardNumber.length + 16);
    const stored = `${hex(row.ciphertext)} ${new TextDecoder().decode(row.ciphertext)} ${new TextDecoder().decode(row.wrapped_dek)}`;
    expect(stored.includes(card.cardNumber), `card ${card.id}: its number must not be readable in the vault row`).toBe(false);
    expect((await s.kms.peek(row.key_id, row.wrapped_dek)).length, `card ${card.id}: bytes of the data key inside wrapped_dek (store the KMS's wrapped key as it came)`).toBe(32);
  }
  for (const card of CARDS) expect(await openCard(s.deps, card.id, card.customerId), `openCard(${card.id}, ${JSON.stringify(card.customerId)})`).toBe(card.cardNumber);
});

test('every card gets its own data key and a fresh IV, so equal numbers give different ciphertexts', { task: 1, points: 5 }, async () => {
  const s = await freshPayments();
  const count = 60;
  for (let i = 0; i < count; i++) await sealCard(s.deps, { id: 1000 + i * 3, customerId: 'cust-7', cardNumber: '4000056655665556' });
  expect(s.kms.calls.generateDataKey, `KMS data keys asked for while sealing ${count} cards (one per card)`).toBe(count);
  const rows = await vaultRows(s.db);
  const ivs = new Set(rows.map((r) => hex(r.iv)));
  const texts = new Set(rows.map((r) => hex(r.ciphertext)));
  const keys = new Set<number>();
  for (const r of rows) keys.add(await s.kms.indexOf(r.key_id, r.wrapped_dek));
  expect(ivs.size, `distinct IVs among ${count} sealed cards (a fixed or counter-less IV repeats)`).toBe(count);
  expect(texts.size, `distinct ciphertexts among ${count} seals of the same number`).toBe(count);
  expect(keys.size, `distinct data keys among ${count} rows (each row must hold the key generated for it)`).toBe(count);
  expect(keys.has(-1), 'a row holds a data key the KMS never generated').toBe(false);
});

test('a ciphertext is bound to its row and its owner: copied to another row or handed to another customer, it does not decrypt', { task: 1, points: 7 }, async () => {
  const s = await freshPayments();
  await sealAll(s);
  // Another customer asks for cust-7's card.
  const other = await thrown(() => openCard(s.deps, 3, 'cust-12'), "openCard(3, 'cust-12'): card 3 belongs to cust-7, and the caller acts for cust-12");
  expect(other instanceof CardNotFound, 'the refusal for the wrong customer is a failed decryption, not CardNotFound (the card exists)').toBe(false);
  // The whole encrypted card of row 4 is copied into row 3 (same owner column untouched).
  await s.db.exec(`UPDATE payments.card_vault v SET key_id = o.key_id, wrapped_dek = o.wrapped_dek, iv = o.iv, ciphertext = o.ciphertext
                     FROM payments.card_vault o WHERE v.id = 3 AND o.id = 4`);
  await thrown(() => openCard(s.deps, 3, 'cust-7'), "openCard(3, 'cust-7') after row 4's encrypted card was copied into row 3");
  await thrown(() => openCard(s.deps, 3, 'cust-12'), "openCard(3, 'cust-12') after row 4's encrypted card (cust-12's) was copied into row 3");
  // Row 9 is handed to another customer by changing its owner column.
  await s.db.exec(`UPDATE payments.card_vault SET customer_id = 'cust-12' WHERE id = 9`);
  await thrown(() => openCard(s.deps, 9, 'cust-12'), "openCard(9, 'cust-12') after an attacker set row 9's customer_id to cust-12");
  expect(await openCard(s.deps, 9, 'cust-Zoë-Ødegård'), "openCard(9, 'cust-Zoë-Ødegård'): the owner the card was sealed for still opens it").toBe('378282246310005');
  // Ids whose digits run together with the customer id: (1, '7x') must not equal (17, 'x').
  await sealCard(s.deps, { id: 1, customerId: '7東京-3', cardNumber: '4111111111111111' });
  await s.db.exec(`UPDATE payments.card_vault v SET key_id = o.key_id, wrapped_dek = o.wrapped_dek, iv = o.iv, ciphertext = o.ciphertext
                     FROM payments.card_vault o WHERE v.id = 17 AND o.id = 1`);
  await s.db.exec(`UPDATE payments.card_vault SET customer_id = '東京-3' WHERE id = 17`);
  await thrown(() => openCard(s.deps, 17, '東京-3'), "openCard(17, '東京-3') holding the card sealed as (1, '7東京-3'): the parts of the additional data must stay apart");
});

test('the additional data is exactly the README\'s: JSON of card_vault, the id and the customer, in UTF-8', { task: 1, points: 3 }, async () => {
  const s = await freshPayments();
  await sealAll(s);
  for (const row of await vaultRows(s.db)) {
    let plain: string;
    try {
      plain = await decryptAsReadme(s, row, row.customer_id);
    } catch {
      throw new Error(`card ${row.id}: AES-GCM with additional data JSON.stringify(['card_vault', ${row.id}, ${JSON.stringify(row.customer_id)}]) does not decrypt it (the README fixes these bytes so other services can open cards too)`);
    }
    expect(plain, `card ${row.id} decrypted with the README's additional data`).toBe(CARDS.find((c) => c.id === row.id)!.cardNumber);
  }
});

test('a changed byte, a wrong IV or an unknown id makes openCard throw', { task: 1, points: 4 }, async () => {
  const s = await freshPayments();
  await sealAll(s);
  await s.db.exec(`UPDATE payments.card_vault SET ciphertext = set_byte(ciphertext, 3, get_byte(ciphertext, 3) # 1) WHERE id = 4`);
  await thrown(() => openCard(s.deps, 4, 'cust-12'), 'openCard(4) after one bit of its ciphertext was flipped (GCM authenticates every byte)');
  await s.db.exec(`UPDATE payments.card_vault SET ciphertext = set_byte(ciphertext, length(ciphertext) - 1, get_byte(ciphertext, length(ciphertext) - 1) # 128) WHERE id = 17`);
  await thrown(() => openCard(s.deps, 17, 'cust-東京-3'), 'openCard(17) after one bit of its tag was flipped');
  await s.db.exec(`UPDATE payments.card_vault SET iv = (SELECT iv FROM payments.card_vault WHERE id = 41) WHERE id = 9`);
  await thrown(() => openCard(s.deps, 9, 'cust-Zoë-Ødegård'), "openCard(9) with row 41's IV in place of its own");
  const missing = await thrown(() => openCard(s.deps, 5, 'cust-7'), 'openCard(5): there is no card 5 (ids have gaps)');
  expect(missing instanceof CardNotFound, `openCard(5) of a missing card threw ${String(missing)}; the README asks for CardNotFound`).toBe(true);
  expect(await openCard(s.deps, 40, 'cust-7'), 'openCard(40), an untouched card, still opens').toBe('4000056655665556');
});
