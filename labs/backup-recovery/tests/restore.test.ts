import { createClock } from 'labkit/clock';
import { pgErrorCode, pgSchema } from 'labkit/db';
import { clearFaults, crashOnWrite, SimulatedCrash } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, expectInstanceOf, test } from 'labkit/test';
import { BackupStore, fromUtf8, partKey, toJsonLines, utf8 } from '../src/backup-store.ts';
import { backupInventory, backupOrders } from '../src/backup.ts';
import { openInventory, reserve, restock } from '../src/inventory.ts';
import { restoreInventory, restoreOrders } from '../src/restore.ts';
import { BackupInvalidError } from '../src/types.ts';
import { verifyBackup } from '../src/verify.ts';
import { flipByte, HOUR, modelOf, ordersNode, readManifest, replaceAndReseal, seedOrders, sha256, summary, T0, tablesOf, truncate, writeManifest } from './helpers.ts';

async function ordersBackup(schema = 'orders') {
  const clock = createClock(T0);
  const node = await ordersNode(clock, schema);
  await seedOrders(node, clock);
  await clock.advance(HOUR);
  const store = new BackupStore();
  const manifest = await backupOrders(node.db, store, clock);
  return { clock, node, store, manifest };
}

async function tableCount(db: Awaited<ReturnType<typeof pgSchema>>): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()');
  return rows[0]!.n;
}

test('restores Orders into a fresh schema, row for row, and reports the checksums', { task: 3, points: 4 }, async () => {
  const { clock, node, store, manifest } = await ordersBackup();
  // Life goes on after the backup: none of this may appear in the restore.
  await node.placeOrder('o-09', 'frank', [{ sku: 'MUG', quantity: 1, priceCents: 1250 }]);
  await node.payOrder('o-04');
  await clock.advance(HOUR);

  const target = await pgSchema('orders_restored');
  const report = await restoreOrders(store, manifest.id, target);
  const expected = modelOf(await node.disk.changesSince(0), (entry) => entry.lsn <= manifest.lsn!);
  const restored = await tablesOf(target);
  expectEqual(restored, expected, `the restored tables should be the data as it was at the backup (${summary(expected)}); restored: ${summary(restored)}`);
  expectEqual(
    report,
    {
      id: manifest.id,
      ok: true,
      tables: [
        { table: 'orders', expected: manifest.tables.orders, actual: manifest.tables.orders, ok: true },
        { table: 'order_lines', expected: manifest.tables.order_lines, actual: manifest.tables.order_lines, ok: true },
      ],
    },
    'the restore report: each table of the manifest, with its checksum in the restored database',
  );

  // The restored database has the real schema, constraints included, not just look-alike tables.
  const duplicate = await target.query(`INSERT INTO orders VALUES ('o-01', 'x', 'placed', 1, 1)`).then(describeOutcome, (e: unknown) => pgErrorCode(e));
  expect(duplicate, 'inserting a second order o-01 into the restored orders table should fail with 23505 (primary key)').toBe('23505');
  const orphan = await target.query(`INSERT INTO order_lines VALUES ('o-99', 'MUG', 1, 1)`).then(describeOutcome, (e: unknown) => pgErrorCode(e));
  expect(orphan, 'a line for an order that does not exist should fail with 23503 (foreign key)').toBe('23503');
});

test('restores Inventory from its file into a database of its own', { task: 3, points: 2 }, async () => {
  const clock = createClock(T0);
  const source = await openInventory();
  restock(source, 'MUG', 40);
  reserve(source, 'r-1', 'o-01', 'MUG', 2);
  const store = new BackupStore();
  const manifest = await backupInventory(source, store, clock);
  restock(source, 'TEA', 7); // after the backup

  const { db, report } = await restoreInventory(store, manifest.id);
  expectEqual(db.all('SELECT * FROM stock ORDER BY sku'), [{ sku: 'MUG', on_hand: 40, reserved: 2 }], 'stock in the restored database: as at the backup');
  expectEqual(db.all('SELECT * FROM reservations ORDER BY id'), [{ id: 'r-1', order_id: 'o-01', sku: 'MUG', quantity: 2 }], 'reservations in the restored database');
  expectEqual(report, { id: manifest.id, ok: true, tables: ['stock', 'reservations'].map((table) => ({ table, expected: manifest.tables[table], actual: manifest.tables[table], ok: true })) }, 'the restore report');
  db.run('DELETE FROM reservations');
  expect(source.all('SELECT * FROM reservations').length, 'the restored database is a separate copy: deleting from it leaves the source alone').toBe(1);
});

test('refuses a backup that did not verify, and writes nothing', { task: 3, points: 3 }, async () => {
  const { store, manifest } = await ordersBackup();
  await flipByte(store, partKey(manifest.id, 'order_lines.jsonl'));
  const target = await pgSchema('orders_restored');
  const error = await restoreOrders(store, manifest.id, target).catch((e: unknown) => e);
  expectInstanceOf(error, BackupInvalidError, 'restoreOrders of a backup with a corrupt order_lines.jsonl should throw a BackupInvalidError');
  expectEqual(
    { ok: (error as BackupInvalidError).result.ok, part: (error as BackupInvalidError).result.part, reason: (error as BackupInvalidError).result.reason },
    { ok: false, part: 'order_lines.jsonl', reason: 'checksum' },
    "the error's result: what verifyBackup found",
  );
  expect(await tableCount(target), 'the target schema should still have no tables: nothing restored from a bad backup').toBe(0);

  const stock = await openInventory();
  restock(stock, 'MUG', 40);
  const inventory = await backupInventory(stock, store, createClock(T0));
  await truncate(store, partKey(inventory.id, 'inventory.sqlite'), 100);
  const refused = await restoreInventory(store, inventory.id).catch((e: unknown) => e);
  expectInstanceOf(refused, BackupInvalidError, 'restoreInventory of a truncated file should throw a BackupInvalidError');
});

test('the restore drill catches what verification cannot', { task: 3, points: 3 }, async () => {
  const { store, manifest } = await ordersBackup();
  // A "harmless" edit to schema.sql by someone who then re-sealed the manifest: every byte
  // matches the manifest, so verification passes. Only restoring shows the damage.
  const schema = fromUtf8((await store.get(partKey(manifest.id, 'schema.sql')))!);
  await replaceAndReseal(store, manifest.id, 'schema.sql', utf8(schema.replace('total_cents integer', 'total_cents text')));
  expect((await verifyBackup(store, manifest.id)).ok, 'verification passes: the bytes are what the (re-sealed) manifest says').toBe(true);

  const report = await restoreOrders(store, manifest.id, await pgSchema('orders_drill'));
  const resealed = await readManifest(store, manifest.id);
  expect(report.ok, 'the drill should report ok: false, because the restored orders differ from the source').toBe(false);
  expectEqual(
    report.tables.map((t) => ({ table: t.table, ok: t.ok, expected: t.expected })),
    [
      { table: 'orders', ok: false, expected: resealed.tables.orders },
      { table: 'order_lines', ok: true, expected: resealed.tables.order_lines },
    ],
    'the drill names the table that came back different (orders: total_cents is text now) and passes the other',
  );
  const orders = report.tables.find((t) => t.table === 'orders');
  expect(orders?.actual.rows, 'the restored orders table still has 3 rows; only its digest differs').toBe(3);

  // Another tool added a part customers.jsonl and vouched for it in the manifest: the backup
  // verifies, but a restore of Orders does not bring that table back, and the drill must say so.
  const extra = await ordersBackup('orders_extra');
  const customers = [{ id: 'c-7', name: 'Zoë' }];
  const bytes = utf8(toJsonLines(customers));
  await extra.store.put(partKey(extra.manifest.id, 'customers.jsonl'), bytes);
  const vouched = await readManifest(extra.store, extra.manifest.id);
  vouched.parts.push({ name: 'customers.jsonl', bytes: bytes.length, sha256: await sha256(bytes) });
  vouched.tables.customers = { rows: 1, digest: await sha256(bytes) };
  await writeManifest(extra.store, vouched);
  expect((await verifyBackup(extra.store, extra.manifest.id)).ok, 'test setup: the backup with customers.jsonl verifies').toBe(true);
  const drill = await restoreOrders(extra.store, extra.manifest.id, await pgSchema('orders_drill_extra')).catch(describeOutcome);
  expectEqual(
    typeof drill === 'string' ? drill : { ok: drill.ok, tables: drill.tables.map((t) => ({ table: t.table, ok: t.ok, actual: t.actual })) },
    {
      ok: false,
      tables: [
        { table: 'orders', ok: true, actual: vouched.tables.orders },
        { table: 'order_lines', ok: true, actual: vouched.tables.order_lines },
        { table: 'customers', ok: false, actual: { rows: 0, digest: '' } },
      ],
    },
    "the drill of a backup whose manifest also vouches for a table customers: every table of manifest.tables is in the report, and one the restored database does not have counts as { rows: 0, digest: '' }",
  );
});

test('a restore that crashes halfway leaves the target as it found it: empty', { task: 3, points: 3 }, async () => {
  const { node, store, manifest } = await ordersBackup();
  const target = await pgSchema('orders_crashed');
  const expected = modelOf(await node.disk.changesSince(0), (entry) => entry.lsn <= manifest.lsn!);
  // Crash at the 1st write, then the 2nd, ...: every write the restore makes is a point it can die at.
  let crashes = 0;
  let restored = false;
  for (let n = 1; n <= 40 && !restored; n++) {
    crashOnWrite(target, n);
    const result = await restoreOrders(store, manifest.id, target).catch((e: unknown) => e);
    clearFaults(target);
    if (result instanceof SimulatedCrash) {
      crashes += 1;
      const tables = await tableCount(target);
      expect(tables, `the restore crashed at its write ${n}: the target should have no tables (schema and rows in ONE transaction, all rolled back); it has ${tables}`).toBe(0);
      continue;
    }
    expect(result instanceof Error ? describeOutcome(result) : 'a report', `after ${crashes} crashed attempts left the target empty, a restore into it should work`).toBe('a report');
    expectEqual(await tablesOf(target), expected, `the tables after a restore that had crashed ${crashes} times before: the data at the backup`);
    restored = true;
  }
  expect(restored, `the restore still crashed at its 40th write; it should need far fewer`).toBe(true);
  expect(crashes, 'test setup: the restore should have crashed at least twice (it writes the rows of two tables)').toBeGreaterThanOrEqual(2);
});
