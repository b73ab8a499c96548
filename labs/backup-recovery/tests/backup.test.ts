import { createClock } from 'labkit/clock';
import { sqlite } from 'labkit/db';
import { failOnCall } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, test } from 'labkit/test';
import { BackupStore, fromJsonLines, fromUtf8, partKey, toJsonLines, utf8 } from '../src/backup-store.ts';
import { backupInventory, backupOrders, tableChecksum } from '../src/backup.ts';
import { openInventory, reserve, restock } from '../src/inventory.ts';
import { ORDERS_SCHEMA_SQL } from '../src/orders.ts';
import { HOUR, iso, modelOf, ordersNode, readManifest, seedOrders, sha256, SECOND, T0, tablesOf } from './helpers.ts';

async function part(store: BackupStore, id: string, name: string): Promise<Uint8Array> {
  const bytes = await store.get(partKey(id, name));
  expect(bytes, `the store should hold ${partKey(id, name)}; it holds: ${(await store.list()).join(', ')}`).toBeDefined();
  return bytes!;
}

/** The part list as it should be, worked out from the bytes in the store. */
async function expectedParts(store: BackupStore, id: string, names: string[]) {
  const parts = [];
  for (const name of names) {
    const bytes = await part(store, id, name);
    parts.push({ name, bytes: bytes.length, sha256: await sha256(bytes) });
  }
  return parts;
}

const byName = <T extends { name: string }>(parts: T[]) => [...parts].sort((a, b) => (a.name < b.name ? -1 : 1));

test('tableChecksum counts the rows and hashes them as JSON lines, in the order given', { task: 1, points: 2 }, async () => {
  const rows = [{ sku: 'MUG', on_hand: 40 }, { sku: 'TEA', on_hand: 100 }];
  const text = '{"sku":"MUG","on_hand":40}\n{"sku":"TEA","on_hand":100}\n';
  const got = await tableChecksum(rows).catch(describeOutcome);
  expectEqual(got, { rows: 2, digest: await sha256(utf8(text)) }, `tableChecksum of 2 rows: the SHA-256 (hex) of ${JSON.stringify(text)}`);
  expectEqual(await tableChecksum([]).catch(describeOutcome), { rows: 0, digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }, 'tableChecksum of an empty table: the SHA-256 of no bytes');
  const reversed = await tableChecksum([...rows].reverse()).catch(describeOutcome);
  expect(typeof reversed === 'object' && reversed.digest !== (got as { digest: string }).digest, 'the same rows in another order give another digest: order is part of the checksum').toBe(true);
  // Not every customer is called alice: the digest is over the UTF-8 bytes of the text.
  const names = [{ id: 'c-7', name: 'Zoë from Łódź' }, { id: 'c-12', name: '東京 🦊' }];
  const unicode = '{"id":"c-7","name":"Zoë from Łódź"}\n{"id":"c-12","name":"東京 🦊"}\n';
  expectEqual(await tableChecksum(names).catch(describeOutcome), { rows: 2, digest: await sha256(utf8(unicode)) }, `tableChecksum of rows with "Zoë", "Łódź", "東京" and an emoji: the SHA-256 of the UTF-8 bytes of ${JSON.stringify(unicode)}`);
});

test('backupOrders stores the schema, the rows of each table and a manifest that describes them', { task: 1, points: 3 }, async () => {
  const clock = createClock(T0);
  const node = await ordersNode(clock);
  await seedOrders(node, clock);
  await clock.advance(HOUR);
  const store = new BackupStore();
  const manifest = await backupOrders(node.db, store, clock);

  const id = 'orders/2026-11-26T03-00-07Z';
  expect(manifest.id, 'the backup id: backupId("orders", clock.now())').toBe(id);
  expectEqual(await store.list(), [`${id}/manifest.json`, `${id}/order_lines.jsonl`, `${id}/orders.jsonl`, `${id}/schema.sql`], 'the keys in the backup store');
  expectEqual(await readManifest(store, id), manifest, 'manifest.json in the store should be the manifest backupOrders returns');
  expectEqual(
    { formatVersion: manifest.formatVersion, service: manifest.service, kind: manifest.kind, takenAt: manifest.takenAt, lsn: manifest.lsn },
    { formatVersion: 1, service: 'orders', kind: 'logical', takenAt: T0 + HOUR + 7 * SECOND, lsn: 7 },
    'the manifest fields (takenAt from the clock; lsn: the last change in the backup)',
  );
  expectEqual(byName(manifest.parts), await expectedParts(store, id, ['order_lines.jsonl', 'orders.jsonl', 'schema.sql']), 'manifest.parts: every part with its size in bytes (UTF-8 bytes, not characters: the customers are "zoë", "東京の花子", ...) and its SHA-256 (order does not matter)');

  expect(fromUtf8(await part(store, id, 'schema.sql')), 'schema.sql should be ORDERS_SCHEMA_SQL').toBe(ORDERS_SCHEMA_SQL);
  const source = await tablesOf(node.db);
  expectEqual(fromJsonLines(fromUtf8(await part(store, id, 'orders.jsonl'))), source.orders, 'orders.jsonl: the rows of orders, one JSON object per line, by id');
  expectEqual(fromJsonLines(fromUtf8(await part(store, id, 'order_lines.jsonl'))), source.order_lines, 'order_lines.jsonl: the rows of order_lines, by (order_id, sku)');
  expectEqual(
    manifest.tables,
    {
      orders: { rows: 3, digest: await sha256(utf8(toJsonLines(source.orders))) },
      order_lines: { rows: 5, digest: await sha256(utf8(toJsonLines(source.order_lines))) },
    },
    'manifest.tables: the row count and digest of each table',
  );
});

test('a backup of Inventory is the SQLite file itself, with its own manifest, and never overwrites another', { task: 1, points: 3 }, async () => {
  const clock = createClock(T0);
  const db = await openInventory();
  restock(db, 'MUG', 40);
  restock(db, 'TEA', 100);
  reserve(db, 'r-1', 'o-01', 'MUG', 2);
  const store = new BackupStore();
  const manifest = await backupInventory(db, store, clock);
  restock(db, 'PEN', 500); // after the backup: not in it

  const id = 'inventory/2026-11-26T02-00-00Z';
  expectEqual(await store.list(), [`${id}/inventory.sqlite`, `${id}/manifest.json`], 'the keys in the backup store');
  expectEqual(await readManifest(store, id), manifest, 'manifest.json in the store should be the manifest backupInventory returns');
  expectEqual(
    { formatVersion: manifest.formatVersion, id: manifest.id, service: manifest.service, kind: manifest.kind, takenAt: manifest.takenAt },
    { formatVersion: 1, id, service: 'inventory', kind: 'physical', takenAt: T0 },
    'the manifest fields',
  );
  const stored = await readManifest(store, id);
  expect('lsn' in stored ? `it has lsn: ${JSON.stringify(stored.lsn)}` : 'no lsn', 'a physical Inventory backup has no change log position: its manifest.json has no lsn').toBe('no lsn');
  expectEqual(manifest.parts, await expectedParts(store, id, ['inventory.sqlite']), 'manifest.parts');

  const copy = await sqlite(await part(store, id, 'inventory.sqlite'));
  const stock = copy.all('SELECT * FROM stock ORDER BY sku');
  const reservations = copy.all('SELECT * FROM reservations ORDER BY id');
  expectEqual(stock, [{ sku: 'MUG', on_hand: 40, reserved: 2 }, { sku: 'TEA', on_hand: 100, reserved: 0 }], 'stock in inventory.sqlite, opened with sqlite(bytes)');
  expectEqual(reservations, [{ id: 'r-1', order_id: 'o-01', sku: 'MUG', quantity: 2 }], 'reservations in inventory.sqlite');
  expectEqual(
    manifest.tables,
    {
      stock: { rows: 2, digest: await sha256(utf8(toJsonLines(stock))) },
      reservations: { rows: 1, digest: await sha256(utf8(toJsonLines(reservations))) },
    },
    'manifest.tables: count and digest of each table, computed the same way as for Orders',
  );

  // Every backup gets its own id and never overwrites another.
  const first = manifest;
  const before = await store.get(partKey(first.id, 'inventory.sqlite'));
  restock(db, 'MUG', 10);
  const again = await backupInventory(db, store, clock).then(describeOutcome, describeOutcome);
  expect(again, 'a second backup at the same clock time would overwrite the first: it should throw').toMatch(/^it threw/);
  expectEqual(await store.get(partKey(first.id, 'inventory.sqlite')), before, 'the first backup is untouched');

  await clock.advance(HOUR / 2);
  const second = await backupInventory(db, store, clock);
  expect(second.id, 'the next backup, half an hour later').toBe('inventory/2026-11-26T02-30-00Z');
  expectEqual(await store.backupIds('inventory'), [first.id, second.id], 'both backups are in the store');
});

test('the manifest is written last, so a backup that fails halfway has none', { task: 1, points: 2 }, async () => {
  const clock = createClock(T0);
  const node = await ordersNode(clock);
  await seedOrders(node, clock);

  const store = new BackupStore();
  const order: string[] = [];
  const put = store.put.bind(store);
  store.put = async (key, bytes) => {
    order.push(key.slice(key.lastIndexOf('/') + 1));
    return put(key, bytes);
  };
  await backupOrders(node.db, store, clock);
  expect(order.at(-1), `the last object written should be manifest.json; the order was: ${order.join(', ')}`).toBe('manifest.json');
  expect(order.filter((name) => name === 'manifest.json').length, 'manifest.json is written once').toBe(1);

  // The upload of the second object fails (the network went away).
  await clock.advance(HOUR);
  const failing = new BackupStore();
  failing.put = failOnCall(failing.put.bind(failing), 2);
  const error = await backupOrders(node.db, failing, clock).then(() => undefined, (e: unknown) => e);
  expect(error, 'backupOrders should fail when the store fails, not carry on without a part').toBeInstanceOf(Error);
  const keys = await failing.list();
  expect(keys.filter((key) => key.endsWith('/manifest.json')), `a failed backup must not have a manifest; the store holds: ${keys.join(', ')}`).toEqual([]);

  // The same for Inventory: its file first, the manifest after it, and no manifest when the file's upload fails.
  const db = await openInventory();
  restock(db, 'MUG', 40);
  const inventoryOrder: string[] = [];
  const inventoryStore = new BackupStore();
  const inventoryPut = inventoryStore.put.bind(inventoryStore);
  inventoryStore.put = async (key, bytes) => {
    inventoryOrder.push(key.slice(key.lastIndexOf('/') + 1));
    return inventoryPut(key, bytes);
  };
  await backupInventory(db, inventoryStore, clock);
  expectEqual(inventoryOrder, ['inventory.sqlite', 'manifest.json'], 'the objects backupInventory writes, in order: the file, then the manifest once');
  const failingInventory = new BackupStore();
  failingInventory.put = failOnCall(failingInventory.put.bind(failingInventory), 1);
  const inventoryError = await backupInventory(db, failingInventory, clock).then(() => undefined, (e: unknown) => e);
  expect(inventoryError, 'backupInventory should fail when the upload of inventory.sqlite fails').toBeInstanceOf(Error);
  const left = await failingInventory.list();
  expect(left.filter((key) => key.endsWith('/manifest.json')), `a failed Inventory backup must not have a manifest; the store holds: ${left.join(', ')}`).toEqual([]);
});

test('an Orders backup records the highest LSN in change_log: 0 when it is empty, not a count of its entries', { task: 1, points: 2 }, async () => {
  const clock = createClock(T0);
  const node = await ordersNode(clock);
  const store = new BackupStore();
  const empty = await backupOrders(node.db, store, clock).catch(describeOutcome);
  const nothing = await sha256(new Uint8Array(0));
  expectEqual(
    typeof empty === 'string' ? empty : { lsn: empty.lsn, tables: empty.tables, parts: byName(empty.parts).map((p) => `${p.name} ${p.bytes}`) },
    { lsn: 0, tables: { orders: { rows: 0, digest: nothing }, order_lines: { rows: 0, digest: nothing } }, parts: ['order_lines.jsonl 0', 'orders.jsonl 0', `schema.sql ${utf8(ORDERS_SCHEMA_SQL).length}`] },
    'a backup of a new Orders database: lsn 0, empty tables, empty .jsonl parts',
  );

  // Old entries were archived and removed from change_log, so it now holds LSN 5 to 7 only.
  await seedOrders(node, clock);
  await node.db.query('DELETE FROM change_log WHERE lsn <= 4');
  await clock.advance(HOUR);
  const trimmed = await backupOrders(node.db, store, clock);
  expect(trimmed.lsn, 'change_log holds LSN 5, 6 and 7 (1 to 4 were archived): the backup includes every change up to LSN 7, so its lsn is 7').toBe(7);
  const source = await tablesOf(node.db);
  expectEqual(trimmed.tables, { orders: { rows: 3, digest: await sha256(utf8(toJsonLines(source.orders))) }, order_lines: { rows: 5, digest: await sha256(utf8(toJsonLines(source.order_lines))) } }, 'manifest.tables of that backup');
});

test('a backup never writes over another one, finished or not', { task: 1, points: 2 }, async () => {
  const clock = createClock(T0);
  const node = await ordersNode(clock);
  await seedOrders(node, clock);
  const store = new BackupStore();
  const first = await backupOrders(node.db, store, clock);
  const snapshot = async (prefix: string) => Promise.all((await store.list(prefix)).map(async (key) => [key, Array.from((await store.get(key))!).join(',')]));
  const before = await snapshot(`${first.id}/`);

  await node.payOrder('o-04');
  const again = await backupOrders(node.db, store, clock).then(describeOutcome, describeOutcome);
  expect(again, `a second Orders backup at the same clock time (${first.id}) would write over the first: it should throw`).toMatch(/^it threw/);
  expectEqual(await snapshot(`${first.id}/`), before, `every object of ${first.id} is as it was`);

  // An upload that died halfway left parts without a manifest. That is still a backup (an
  // unfinished one, which someone must look at): a new one with the same id must not overwrite it.
  await clock.advance(HOUR);
  const id = `orders/${iso(clock.now()).replaceAll(':', '-')}`;
  for (const name of ['schema.sql', 'orders.jsonl']) await store.put(partKey(id, name), (await store.get(partKey(first.id, name)))!);
  const unfinished = await snapshot(`${id}/`);
  const retry = await backupOrders(node.db, store, clock).then(describeOutcome, describeOutcome);
  expect(retry, `${id} already holds objects of an unfinished backup: backupOrders at the same time should throw instead of writing over them`).toMatch(/^it threw/);
  expectEqual(await snapshot(`${id}/`), unfinished, `the unfinished backup ${id} is left as it was, for a human to look at`);
});

test('a backup taken while orders keep coming in is one consistent snapshot', { task: 1, points: 4 }, async () => {
  const clock = createClock(T0);
  const node = await ordersNode(clock);
  await node.placeOrder('o-01', 'alice', [{ sku: 'TEA', quantity: 1, priceCents: 400 }]);
  const store = new BackupStore();
  await clock.advance(SECOND);

  // Six checkouts arrive while the backup runs.
  const [manifest] = await Promise.all([
    backupOrders(node.db, store, clock),
    ...[1, 2, 3, 4, 5, 6].map((n) => node.placeOrder(`o-1${n}`, 'erin', [{ sku: 'MUG', quantity: n, priceCents: 1250 }, { sku: 'TEA', quantity: 1, priceCents: 400 }])),
  ]);
  const log = await node.disk.changesSince(0);
  const lsn = manifest.lsn ?? -1;
  expect(lsn >= 1 && lsn <= 7, `the manifest's lsn should be between 1 (before the checkouts) and 7 (after them); it is ${String(manifest.lsn)}`).toBe(true);
  const expected = modelOf(log, (entry) => entry.lsn <= lsn);
  const orders = fromJsonLines(fromUtf8((await store.get(partKey(manifest.id, 'orders.jsonl')))!));
  const lines = fromJsonLines(fromUtf8((await store.get(partKey(manifest.id, 'order_lines.jsonl')))!));
  expectEqual(
    { orders: orders.map((o) => o.id), order_lines: lines.map((l) => `${String(l.order_id)}/${String(l.sku)}`) },
    { orders: expected.orders.map((o) => o.id), order_lines: expected.order_lines.map((l) => `${String(l.order_id)}/${String(l.sku)}`) },
    `the backup should hold exactly the data as of its lsn ${lsn}: every table read in one snapshot, with the lsn`,
  );
  expectEqual({ orders, order_lines: lines }, expected, `the rows of the backup, as of lsn ${lsn}`);
});
