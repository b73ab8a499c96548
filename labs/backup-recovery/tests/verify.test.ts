import { createClock } from 'labkit/clock';
import { expect, expectEqual, test } from 'labkit/test';
import { BackupStore, fromJsonLines, fromUtf8, MANIFEST, partKey, toJsonLines, utf8 } from '../src/backup-store.ts';
import { backupInventory, backupOrders } from '../src/backup.ts';
import { openInventory, reserve, restock } from '../src/inventory.ts';
import type { VerifyResult } from '../src/types.ts';
import { verifyBackup } from '../src/verify.ts';
import { flipByte, HOUR, ordersNode, readManifest, replaceAndReseal, seedOrders, sha256, T0, truncate, writeManifest } from './helpers.ts';

/** An Orders backup and an Inventory backup in one store. */
async function backups() {
  const clock = createClock(T0);
  const node = await ordersNode(clock);
  await seedOrders(node, clock);
  const inventory = await openInventory();
  restock(inventory, 'MUG', 40);
  restock(inventory, 'TEA', 100);
  reserve(inventory, 'r-1', 'o-01', 'MUG', 2);
  await clock.advance(HOUR);
  const store = new BackupStore();
  const orders = await backupOrders(node.db, store, clock);
  const stock = await backupInventory(inventory, store, clock);
  return { store, inventory, orders: orders.id, stock: stock.id };
}

/** The part of a result the tests check, and whether it explains itself. */
function verdict(result: VerifyResult): object {
  if (result.ok) return { ok: true };
  return { ok: false, part: result.part, reason: result.reason, explained: typeof result.detail === 'string' && result.detail.length > 0 };
}

async function expectVerdict(store: BackupStore, id: string, expected: object, what: string): Promise<void> {
  const result = await verifyBackup(store, id);
  expectEqual(verdict(result), { ...expected, ...('part' in expected ? { explained: true } : {}) }, `verifyBackup('${id}') ${what} (detail must be a sentence)`);
}

test('fresh backups verify, and the result carries the manifest', { task: 2, points: 1 }, async () => {
  const { store, orders, stock } = await backups();
  for (const id of [orders, stock]) {
    const result = await verifyBackup(store, id);
    expectEqual(result, { ok: true, id, manifest: await readManifest(store, id) }, `verifyBackup('${id}') of an untouched backup`);
  }
});

test('a flipped byte in any part is caught and named', { task: 2, points: 2 }, async () => {
  const { store, orders, stock } = await backups();
  const cases: [string, string][] = [[orders, 'schema.sql'], [orders, 'orders.jsonl'], [orders, 'order_lines.jsonl'], [stock, 'inventory.sqlite']];
  for (const [id, part] of cases) {
    const key = partKey(id, part);
    const original = (await store.get(key))!;
    await flipByte(store, key);
    await expectVerdict(store, id, { ok: false, part, reason: 'checksum' }, `after one byte in the middle of ${part} was flipped`);
    await store.put(key, original);
  }
  // A byte flipped in the SQLite file's free space is invisible to SQLite, never to SHA-256.
  const file = partKey(stock, 'inventory.sqlite');
  await flipByte(store, file, (await store.get(file))!.length - 1);
  await expectVerdict(store, stock, { ok: false, part: 'inventory.sqlite', reason: 'checksum' }, 'after the last byte of inventory.sqlite was flipped');
});

test('a part cut short, grown or missing is caught, and so is a missing manifest', { task: 2, points: 4 }, async () => {
  const { store, orders, stock } = await backups();
  const file = (await store.get(partKey(stock, 'inventory.sqlite')))!;
  await truncate(store, partKey(stock, 'inventory.sqlite'), file.length / 2);
  await expectVerdict(store, stock, { ok: false, part: 'inventory.sqlite', reason: 'truncated' }, 'with inventory.sqlite cut in half');
  await store.put(partKey(stock, 'inventory.sqlite'), new Uint8Array([...file, 0]));
  await expectVerdict(store, stock, { ok: false, part: 'inventory.sqlite', reason: 'size' }, 'with a byte appended to inventory.sqlite');
  await store.delete(partKey(stock, MANIFEST));
  await expectVerdict(store, stock, { ok: false, part: MANIFEST, reason: 'missing' }, 'with its manifest deleted (an unfinished backup looks like this)');

  const rows = (await store.get(partKey(orders, 'orders.jsonl')))!;
  await truncate(store, partKey(orders, 'orders.jsonl'), 10);
  await expectVerdict(store, orders, { ok: false, part: 'orders.jsonl', reason: 'truncated' }, 'with orders.jsonl cut to 10 bytes');
  await store.put(partKey(orders, 'orders.jsonl'), rows);
  await store.delete(partKey(orders, 'order_lines.jsonl'));
  await expectVerdict(store, orders, { ok: false, part: 'order_lines.jsonl', reason: 'missing' }, 'with order_lines.jsonl deleted');
  await expectVerdict(store, 'orders/2020-01-01T00-00-00Z', { ok: false, part: MANIFEST, reason: 'missing' }, 'of a backup that does not exist');
});

test('a manifest that does not tell the truth about the data is caught', { task: 2, points: 2 }, async () => {
  const { store, inventory, orders, stock } = await backups();

  // The manifest claims a row the backup does not have.
  const honest = await readManifest(store, orders);
  await writeManifest(store, { ...honest, tables: { ...honest.tables, orders: { ...honest.tables.orders!, rows: 4 } } });
  await expectVerdict(store, orders, { ok: false, part: 'orders.jsonl', reason: 'mismatch' }, 'when the manifest says orders has 4 rows and orders.jsonl holds 3');
  await writeManifest(store, honest);

  // A buggy tool dropped a row and re-sealed the part: size and SHA-256 agree, the data does not.
  const rows = fromJsonLines(fromUtf8((await store.get(partKey(orders, 'orders.jsonl')))!));
  await replaceAndReseal(store, orders, 'orders.jsonl', utf8(toJsonLines(rows.slice(1))));
  await expectVerdict(store, orders, { ok: false, part: 'orders.jsonl', reason: 'mismatch' }, 'when orders.jsonl lost its first row and the manifest was re-sealed to match its bytes');

  // The same for a physical backup: a valid SQLite file, but not the data the manifest describes.
  restock(inventory, 'PEN', 500);
  await replaceAndReseal(store, stock, 'inventory.sqlite', inventory.export());
  await expectVerdict(store, stock, { ok: false, part: 'inventory.sqlite', reason: 'mismatch' }, 'when inventory.sqlite was swapped for a newer file and re-sealed');
});

test('a manifest that cannot be read is refused, not guessed at', { task: 2, points: 2 }, async () => {
  const { store, orders } = await backups();
  const honest = await readManifest(store, orders);
  await store.put(partKey(orders, MANIFEST), utf8('{"formatVersion": 1, "id": '));
  await expectVerdict(store, orders, { ok: false, part: MANIFEST, reason: 'unreadable' }, 'when manifest.json is cut off (not JSON)');
  await writeManifest(store, { ...honest, formatVersion: 2 as 1 });
  await expectVerdict(store, orders, { ok: false, part: MANIFEST, reason: 'unreadable' }, 'when manifest.json has formatVersion 2, a format this code does not know');
  const put = (manifest: unknown) => store.put(partKey(orders, MANIFEST), utf8(JSON.stringify(manifest)));
  await put({ ...honest, id: 'orders/2026-01-01T00-00-00Z' });
  await expectVerdict(store, orders, { ok: false, part: MANIFEST, reason: 'unreadable' }, "when manifest.json is another backup's manifest (its id differs)");
  await put(null);
  await expectVerdict(store, orders, { ok: false, part: MANIFEST, reason: 'unreadable' }, 'when manifest.json is the JSON value null');
  await put({ ...honest, tables: null });
  await expectVerdict(store, orders, { ok: false, part: MANIFEST, reason: 'unreadable' }, 'when manifest.json has tables: null');
  const { parts: _parts, ...noParts } = honest;
  await writeManifest(store, noParts as typeof honest);
  await expectVerdict(store, orders, { ok: false, part: MANIFEST, reason: 'unreadable' }, 'when manifest.json has no parts list');
  const { tables: _tables, ...noTables } = honest;
  await writeManifest(store, noTables as typeof honest);
  await expectVerdict(store, orders, { ok: false, part: MANIFEST, reason: 'unreadable' }, 'when manifest.json has no tables');
});

test('a part that cannot be parsed or opened is unreadable', { task: 2, points: 2 }, async () => {
  const { store, orders, stock } = await backups();
  // Each part is replaced and the manifest re-sealed, so only the content can tell.
  await replaceAndReseal(store, orders, 'orders.jsonl', utf8('{"id":"o-01","customer_id":"zoë","status":\n'));
  await expectVerdict(store, orders, { ok: false, part: 'orders.jsonl', reason: 'unreadable' }, 'when orders.jsonl holds a line that is not JSON (re-sealed)');
  await replaceAndReseal(store, orders, 'orders.jsonl', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]));
  await expectVerdict(store, orders, { ok: false, part: 'orders.jsonl', reason: 'unreadable' }, 'when orders.jsonl is not valid UTF-8 (re-sealed)');
  await replaceAndReseal(store, stock, 'inventory.sqlite', utf8('this is not an SQLite file, whatever its name says'));
  await expectVerdict(store, stock, { ok: false, part: 'inventory.sqlite', reason: 'unreadable' }, 'when inventory.sqlite is not an SQLite database (re-sealed)');
});

test('rows that differ in content but not in number, and tables no part holds, are a mismatch', { task: 2, points: 3 }, async () => {
  const { store, inventory, orders, stock } = await backups();
  const honest = await readManifest(store, orders);
  const original = (await store.get(partKey(orders, 'orders.jsonl')))!;
  const rows = fromJsonLines(fromUtf8(original));
  const edited = rows.map((row) => (row.id === 'o-02' ? { ...row, status: 'paid' } : row));
  await replaceAndReseal(store, orders, 'orders.jsonl', utf8(toJsonLines(edited)));
  await expectVerdict(store, orders, { ok: false, part: 'orders.jsonl', reason: 'mismatch' }, 'when o-02 in orders.jsonl says paid instead of cancelled (same 3 rows, re-sealed): the digest differs');
  await store.put(partKey(orders, 'orders.jsonl'), original);

  const stockManifest = await readManifest(store, stock);
  await writeManifest(store, { ...stockManifest, tables: { ...stockManifest.tables, suppliers: { rows: 0, digest: await sha256(new Uint8Array(0)) } } });
  await expectVerdict(store, stock, { ok: false, part: MANIFEST, reason: 'mismatch' }, 'when the Inventory manifest vouches for a table suppliers that inventory.sqlite does not have');
  await writeManifest(store, stockManifest);

  restock(inventory, 'MUG', 1); // the same rows, one number changed
  await replaceAndReseal(store, stock, 'inventory.sqlite', inventory.export());
  await expectVerdict(store, stock, { ok: false, part: 'inventory.sqlite', reason: 'mismatch' }, 'when inventory.sqlite was swapped for a file with the same rows but 41 MUGs on hand (re-sealed)');

  await writeManifest(store, { ...honest, tables: { ...honest.tables, customers: { rows: 0, digest: await sha256(new Uint8Array(0)) } } });
  await expectVerdict(store, orders, { ok: false, part: MANIFEST, reason: 'mismatch' }, 'when the manifest vouches for a table customers that no part holds');
  const { order_lines: _lines, ...withoutLines } = honest.tables;
  await writeManifest(store, { ...honest, tables: withoutLines });
  await expectVerdict(store, orders, { ok: false, part: 'order_lines.jsonl', reason: 'mismatch' }, 'when the manifest has no checksum for the table order_lines.jsonl holds');
  await writeManifest(store, honest);
  await expectVerdict(store, orders, { ok: true }, 'with the honest manifest back');
});
