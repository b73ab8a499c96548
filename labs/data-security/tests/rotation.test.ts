import { clearFaults, crashOnWrite } from 'labkit/faults';
import { expect, expectEqual, test } from 'labkit/test';
import { retireKeyVersion, rewrapAll } from '../src/rotation.ts';
import { KeyStillInUse } from '../src/shop.ts';
import type { Bytes } from '../src/shop.ts';
import { openCard, sealCard } from '../src/vault.ts';
import { CARDS, freshPayments, hex, thrown, vaultRows, type Setup } from './helpers.ts';

/** The vault sealed by the test itself (not by your sealCard), so task 2 does not depend on task 1. */
async function sealAsReadme(s: Setup, card: { id: number; customerId: string; cardNumber: string }): Promise<void> {
  const dataKey = await s.kms.generateDataKey('payments-kek');
  const key = await crypto.subtle.importKey('raw', dataKey.plaintext, 'AES-GCM', false, ['encrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aad = new TextEncoder().encode(JSON.stringify(['card_vault', card.id, card.customerId]));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, new TextEncoder().encode(card.cardNumber)));
  await s.db.query('INSERT INTO payments.card_vault VALUES ($1, $2, $3, $4, $5, $6)', [card.id, card.customerId, dataKey.keyId, dataKey.wrapped, iv, ciphertext]);
}

async function openAsReadme(s: Setup, id: number): Promise<string> {
  const { rows } = await s.db.query<{ customer_id: string; key_id: string; wrapped_dek: Bytes; iv: Bytes; ciphertext: Bytes }>('SELECT * FROM payments.card_vault WHERE id = $1', [id]);
  const row = rows[0]!;
  const raw = await s.kms.peek(row.key_id, row.wrapped_dek);
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
  const aad = new TextEncoder().encode(JSON.stringify(['card_vault', id, row.customer_id]));
  return new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: row.iv, additionalData: aad }, key, row.ciphertext));
}

/** Cards 100, 107, 114, ... (gaps of 7), owners with accents. */
function manyCards(count: number, from = 100) {
  return Array.from({ length: count }, (_, i) => ({ id: from + i * 7, customerId: `cust-Łukasz-${i % 4}`, cardNumber: CARDS[i % CARDS.length]!.cardNumber }));
}

test('after a rotation, sealCard wraps new cards under the new version and openCard still opens the old ones', { task: 2, points: 5 }, async () => {
  const s = await freshPayments();
  for (const card of CARDS.slice(0, 3)) await sealCard(s.deps, card);
  const v2 = await s.kms.rotate('payments-kek');
  for (const card of CARDS.slice(3)) await sealCard(s.deps, card);
  const rows = await vaultRows(s.db);
  expectEqual(rows.map((r) => [r.id, r.key_id]), CARDS.map((c, i) => [c.id, i < 3 ? 'payments-kek/v1' : v2]), 'each vault row\'s key_id: v1 before the rotation, v2 after (key_id is the version that wrapped that row\'s DEK)');
  for (const card of CARDS) expect(await openCard(s.deps, card.id, card.customerId), `openCard(${card.id}) with v1 and v2 both enabled`).toBe(card.cardNumber);
});

test('rewrapAll moves every row from the old version to the primary, batch by batch, leaving IV and ciphertext untouched', { task: 2, points: 6 }, async () => {
  const s = await freshPayments();
  const cards = manyCards(23);
  for (const card of cards.slice(0, 20)) await sealAsReadme(s, card);
  const v2 = await s.kms.rotate('payments-kek');
  for (const card of cards.slice(20)) await sealAsReadme(s, card); // sealed under v2 already
  const before = await vaultRows(s.db);
  const decryptsBefore = s.kms.calls.decryptDataKey;
  const moved = await rewrapAll(s.deps, 'payments-kek/v1', 6);
  expect(moved, 'rewrapAll(v1, batch of 6) should return the number of rows it moved (20 were under v1)').toBe(20);
  const after = await vaultRows(s.db);
  expectEqual(after.map((r) => r.key_id), after.map(() => v2), 'every row\'s key_id after rewrapAll (pages of 6 over 20 rows: read the next rows still under v1, not an OFFSET into a shrinking set)');
  for (const [i, row] of after.entries()) {
    const old = before[i]!;
    expect(hex(row.ciphertext), `row ${row.id}: its ciphertext after the re-wrap (the card data is not re-encrypted)`).toBe(hex(old.ciphertext));
    expect(hex(row.iv), `row ${row.id}: its IV after the re-wrap`).toBe(hex(old.iv));
    if (i < 20) expect(hex(row.wrapped_dek) === hex(old.wrapped_dek), `row ${row.id}: wrapped_dek should be the KMS's new one`).toBe(false);
    else expect(hex(row.wrapped_dek), `row ${row.id}, already under v2: wrapped_dek should not change`).toBe(hex(old.wrapped_dek));
    expect(await openAsReadme(s, row.id), `row ${row.id} opened after the re-wrap`).toBe(cards[i]!.cardNumber);
  }
  expect(s.kms.calls.decryptDataKey - decryptsBefore, 'data keys rewrapAll unwrapped out of the KMS (reWrap does it inside the KMS; the job never needs a DEK)').toBe(0);
  expect(await rewrapAll(s.deps, 'payments-kek/v1', 6), 'a second rewrapAll(v1) should find nothing to move').toBe(0);
  const settled = await vaultRows(s.db);
  expect(await rewrapAll(s.deps, v2, 6), `rewrapAll(${v2}) while ${v2} is the primary: nothing to move`).toBe(0);
  expectEqual((await vaultRows(s.db)).map((r) => hex(r.wrapped_dek)), settled.map((r) => hex(r.wrapped_dek)), `wrapped_dek of every row after rewrapAll(${v2}), the primary (rows already under the primary stay as they are)`);
});

test('a crash at any write of rewrapAll leaves every card readable, and running it again finishes the job', { task: 2, points: 5 }, async () => {
  const s = await freshPayments();
  const cards = manyCards(8, 3);
  for (const card of cards) await sealAsReadme(s, card);
  for (let n = 1; n <= cards.length; n++) {
    const from = s.kms.primaryKeyId('payments-kek');
    const to = await s.kms.rotate('payments-kek');
    crashOnWrite(s.db, n);
    let crashed = false;
    try {
      await rewrapAll(s.deps, from, 3);
    } catch (error) {
      crashed = (error as Error).name === 'SimulatedCrash';
      if (!crashed) throw error;
    } finally {
      clearFaults(s.db);
    }
    if (!crashed) {
      // The job made fewer than n writes (say, one UPDATE per batch): every crash point is covered.
      expect(n > 1, `rewrapAll(${from}) with a crash armed at its first write: it should write to the vault`).toBe(true);
      break;
    }
    for (const card of cards) expect(await openAsReadme(s, card.id), `card ${card.id} after rewrapAll crashed at write ${n}`).toBe(card.cardNumber);
    await rewrapAll(s.deps, from, 3);
    const rows = await vaultRows(s.db);
    expectEqual(rows.map((r) => r.key_id), rows.map(() => to), `key_id of every row after rewrapAll(${from}) crashed at write ${n} and ran again`);
    for (const card of cards) expect(await openAsReadme(s, card.id), `card ${card.id} after the second run (crash at write ${n})`).toBe(card.cardNumber);
  }
});

test('retireKeyVersion refuses while a row still needs the version, and disables it once none does', { task: 2, points: 4 }, async () => {
  const s = await freshPayments();
  for (const card of manyCards(5)) await sealAsReadme(s, card);
  await s.kms.rotate('payments-kek');
  const early = await thrown(() => retireKeyVersion(s.deps, 'payments-kek/v1'), 'retireKeyVersion(v1) while 5 rows are still wrapped under v1');
  expect(early instanceof KeyStillInUse, `retireKeyVersion(v1) threw ${String(early)}; the README asks for KeyStillInUse`).toBe(true);
  expect(s.kms.isEnabled('payments-kek/v1'), 'v1 after the refused retirement: still enabled (nothing disabled)').toBe(true);
  await rewrapAll(s.deps, 'payments-kek/v1', 2);
  // One row slips back to v1 (a restore, a writer still on the old version): the job must look again.
  const { rows } = await s.db.query<{ id: number }>('SELECT id::int AS id FROM payments.card_vault ORDER BY id DESC LIMIT 1');
  await s.db.query("UPDATE payments.card_vault SET key_id = 'payments-kek/v1' WHERE id = $1", [rows[0]!.id]);
  await thrown(() => retireKeyVersion(s.deps, 'payments-kek/v1'), 'retireKeyVersion(v1) while one row names v1 again');
  expect(s.kms.isEnabled('payments-kek/v1'), 'v1 after the second refused retirement').toBe(true);
  await s.db.query("UPDATE payments.card_vault SET key_id = 'payments-kek/v2' WHERE id = $1", [rows[0]!.id]);
  await retireKeyVersion(s.deps, 'payments-kek/v1');
  expect(s.kms.isEnabled('payments-kek/v1'), 'v1 after retireKeyVersion(v1) with no row under it: disabled in the KMS').toBe(false);
  expect(s.kms.isEnabled('payments-kek/v2'), 'v2, the primary, after retiring v1').toBe(true);
});
