/**
 * One domain suite, run on both adapters: each behaviour is a test on SQLite (task 1) and a
 * test on PostgreSQL (task 2), so a mistake in one adapter loses that adapter's points.
 */
import { expect, expectEqual, test } from 'labkit/test';
import { MAX_INT } from '../src/inventory-repository.ts';
import { BERLIN, ENGINES, expectRefused, item, openWithWarehouses, TOKYO, type Engine } from './helpers.ts';

/** Points per behaviour and engine: where the engines differ, the adapter that has to work for it earns more. */
const POINTS = {
  roundTrip: { sqlite: 2, postgres: 2 },
  types: { sqlite: 5, postgres: 1 },
  foreignKeys: { sqlite: 5, postgres: 1 },
  nameFilter: { sqlite: 4, postgres: 4 },
  order: { sqlite: 3, postgres: 2 },
  money: { sqlite: 2, postgres: 5 },
} as const;

function domainTest(engine: Engine, behaviour: keyof typeof POINTS, name: string, body: () => Promise<void>): void {
  test(`${engine.name}: ${name}`, { task: engine.task, points: POINTS[behaviour][engine.name] }, body);
}

for (const engine of ENGINES) {
  domainTest(engine, 'roundTrip', 'items come back as they were stored, a put replaces by sku, and remove says whether it removed', async () => {
    const { repo, rows } = await openWithWarehouses(engine);
    const mug = item('SKU-0007');
    const bowl = item('SKU-0042', { name: 'お茶碗 🍵 «Tokyo»', warehouseId: TOKYO.id, bin: null, quantity: 0, unitCostCents: 0 });
    await repo.put(mug);
    await repo.put(bowl);
    expectEqual(await repo.get('SKU-0007'), mug, 'get("SKU-0007") after put');
    expectEqual(await repo.get('SKU-0042'), bowl, 'get("SKU-0042"), an item without a bin, with 0 units at 0 cents');
    expect(await repo.get('SKU-0008'), 'get of a sku never stored').toBeUndefined();

    const moved = { ...mug, name: "Émile's mug (large)", warehouseId: TOKYO.id, bin: 'Z-99', quantity: 3, unitCostCents: 2_450 };
    await repo.put(moved);
    expectEqual(await repo.get('SKU-0007'), moved, 'get("SKU-0007") after a second put with the same sku: the item is replaced');
    expect((await repo.list()).length, 'items listed after two puts of SKU-0007 and one of SKU-0042').toBe(2);

    await repo.addWarehouse({ id: BERLIN.id, name: 'Lager Berlin-Spandau (Halle 2)' });
    expectEqual(await rows('SELECT name FROM warehouses WHERE id = ?', [BERLIN.id]), [{ name: 'Lager Berlin-Spandau (Halle 2)' }], 'warehouses after addWarehouse with an id that exists: renamed');

    expect(await repo.remove('SKU-0042'), 'remove of a stored item').toBe(true);
    expect(await repo.remove('SKU-0042'), 'remove of the same item again').toBe(false);
    expect(await repo.get('SKU-0042'), 'get after remove').toBeUndefined();
    expectEqual(await repo.list(), [moved], 'list after the remove');
  });

  domainTest(engine, 'types', "refuses 'abc', fractions and out-of-range numbers in quantity and cost, from put and from plain SQL", async () => {
    const { repo, sql } = await openWithWarehouses(engine);
    const stored = item('SKU-0100');
    await repo.put(stored);
    const bad: [string, Partial<Record<'quantity' | 'unitCostCents', unknown>>][] = [
      ["quantity 'abc'", { quantity: 'abc' }],
      ['quantity 2.5', { quantity: 2.5 }],
      ['quantity -1', { quantity: -1 }],
      [`quantity ${MAX_INT + 1}`, { quantity: MAX_INT + 1 }],
      ["unitCostCents '12,50'", { unitCostCents: '12,50' }],
      ['unitCostCents 12.5 (euros with cents, not whole cents)', { unitCostCents: 12.5 }],
      ['unitCostCents -100', { unitCostCents: -100 }],
    ];
    for (const [what, change] of bad) {
      await expectRefused(() => repo.put({ ...stored, ...change } as never), `put of SKU-0100 with ${what}`);
      await expectRefused(() => repo.put({ ...item('SKU-0101'), ...change } as never), `put of a new item with ${what}`);
    }
    expectEqual(await repo.get('SKU-0100'), stored, 'SKU-0100 after the refused puts: unchanged');
    expect(await repo.get('SKU-0101'), 'SKU-0101, whose every put was refused').toBeUndefined();

    // Another writer of the same file (a migration, a script) goes through SQL, not through put:
    // the table itself must refuse what the rules forbid. SQLite keeps 'abc' in an INTEGER column
    // unless the table says otherwise.
    for (const [column, value] of [['quantity', 'abc'], ['quantity', 2.5], ['quantity', -3], ['unit_cost_cents', 'abc'], ['unit_cost_cents', 0.5], ['unit_cost_cents', -1]] as const) {
      await expectRefused(() => sql(`UPDATE stock_items SET ${column} = ? WHERE sku = ?`, [value, 'SKU-0100']), `UPDATE stock_items SET ${column} = ${JSON.stringify(value)} (plain SQL, past your code)`);
    }
    expectEqual(await repo.get('SKU-0100'), stored, 'SKU-0100 after the refused UPDATEs: unchanged');
  });

  domainTest(engine, 'foreignKeys', 'an item needs its warehouse, and a warehouse in use cannot go, also after the database is opened again', async () => {
    const store = await openWithWarehouses(engine);
    await store.repo.put(item('SKU-0200'));
    await expectRefused(() => store.repo.put(item('SKU-0201', { warehouseId: 'wh-nowhere' })), 'put of an item in warehouse "wh-nowhere", which does not exist');
    expect(await store.repo.get('SKU-0201'), 'the item whose warehouse does not exist').toBeUndefined();
    await expectRefused(() => store.sql('DELETE FROM warehouses WHERE id = ?', [BERLIN.id]), `DELETE FROM warehouses WHERE id = '${BERLIN.id}' while SKU-0200 is stored there`);
    await expectRefused(() => store.sql('UPDATE stock_items SET warehouse_id = ? WHERE sku = ?', ['wh-nowhere', 'SKU-0200']), "UPDATE stock_items SET warehouse_id = 'wh-nowhere'");
    await store.sql('DELETE FROM warehouses WHERE id = ?', [TOKYO.id]); // empty: it may go

    // The database as the next process finds it: the same file with its rows, a new connection.
    const again = await store.reopen();
    expectEqual(await again.repo.get('SKU-0200'), item('SKU-0200'), 'SKU-0200 after opening the database again (init on tables that already hold rows)');
    await expectRefused(() => again.repo.put(item('SKU-0202', { warehouseId: 'wh-nowhere' })), 'after opening again: put of an item in a warehouse that does not exist');
    await expectRefused(() => again.sql('DELETE FROM warehouses WHERE id = ?', [BERLIN.id]), 'after opening again: DELETE of a warehouse in use');
    await again.repo.put(item('SKU-0203'));
    expect((await again.repo.list()).map((i) => i.sku), 'the items after opening again').toEqual(['SKU-0200', 'SKU-0203']);
  });

  domainTest(engine, 'nameFilter', 'a name filter ignores case for accented letters as for ASCII, and % and _ match only themselves', async () => {
    const { repo } = await openWithWarehouses(engine);
    const names: [string, string][] = [
      ['SKU-0001', 'Émile teapot'],
      ['SKU-0002', 'émile spoon'],
      ['SKU-0003', 'ÉMILE MUG'],
      ['SKU-0004', 'Emile plate'],
      ['SKU-0005', 'STRAẞENKARTE Berlin'],
      ['SKU-0006', 'Glas 50% recycelt'],
      ['SKU-0007', 'Glas 500 ml'],
      ['SKU-0008', 'tea_cup 東京'],
      ['SKU-0009', 'teaXcup'],
    ];
    for (const [sku, name] of names) await repo.put(item(sku, { name, bin: null }));
    const found = async (nameContains: string, warehouseId?: string) => (await repo.list({ nameContains, warehouseId })).map((i) => i.sku);
    expect(await found('émile'), 'list({ nameContains: "émile" }): É and é are one letter in two cases; E is another letter').toEqual(['SKU-0001', 'SKU-0002', 'SKU-0003']);
    expect(await found('ÉMILE'), 'list({ nameContains: "ÉMILE" })').toEqual(['SKU-0001', 'SKU-0002', 'SKU-0003']);
    expect(await found('mug'), 'list({ nameContains: "mug" }) finds "ÉMILE MUG"').toEqual(['SKU-0003']);
    expect(await found('straßenkarte'), 'list({ nameContains: "straßenkarte" }): "ẞ".toLowerCase() is "ß"').toEqual(['SKU-0005']);
    expect(await found('50%'), 'list({ nameContains: "50%" }): % is a plain character').toEqual(['SKU-0006']);
    expect(await found('a_c'), 'list({ nameContains: "a_c" }): _ is a plain character').toEqual(['SKU-0008']);
    expect(await found('東京'), 'list({ nameContains: "東京" })').toEqual(['SKU-0008']);
    expect(await found('EMILE'), 'list({ nameContains: "EMILE" }) finds only the name without an accent').toEqual(['SKU-0004']);
    expect(await found('glas', TOKYO.id), 'list({ nameContains: "glas", warehouseId: "wh-東京" }): none there').toEqual([]);
    expect(await found(''), 'list({ nameContains: "" }): every item').toHaveLength(names.length);
  });

  domainTest(engine, 'order', 'lists by bin in character-code order, items without a bin last, ties by sku', async () => {
    const { repo } = await openWithWarehouses(engine);
    const bins: [string, string | null][] = [
      ['SKU-0100', 'A-02'], ['SKU-0020', null], ['SKU-0009', 'A-02'], ['SKU-0300', 'a-01'], ['SKU-0005', null], ['SKU-0011', 'B-02'], ['SKU-0012', 'A-10'],
    ];
    for (const [sku, bin] of bins) await repo.put(item(sku, { bin, warehouseId: sku === 'SKU-0012' ? TOKYO.id : BERLIN.id }));
    expect((await repo.list()).map((i) => `${i.bin ?? 'no bin'} ${i.sku}`), 'list(): bins by character code (A-Z before a-z), no bin last, ties by sku').toEqual([
      'A-02 SKU-0009', 'A-02 SKU-0100', 'A-10 SKU-0012', 'B-02 SKU-0011', 'a-01 SKU-0300', 'no bin SKU-0005', 'no bin SKU-0020',
    ]);
    expect((await repo.list({ warehouseId: BERLIN.id })).map((i) => i.sku), 'list({ warehouseId: "wh-berlin" })').toEqual(['SKU-0009', 'SKU-0100', 'SKU-0011', 'SKU-0300', 'SKU-0005', 'SKU-0020']);
  });

  domainTest(engine, 'money', 'adds up stock value exactly in integer cents, beyond 2^31, per warehouse too', async () => {
    const { repo } = await openWithWarehouses(engine);
    expect(await repo.totalValueCents(), 'totalValueCents() of an empty store').toBe(0);
    await repo.put(item('SKU-0001', { quantity: 40_000, unitCostCents: 99_999 }));
    await repo.put(item('SKU-0002', { quantity: 3, unitCostCents: 1_999 }));
    await repo.put(item('SKU-0003', { quantity: MAX_INT, unitCostCents: 1_000 }));
    await repo.put(item('SKU-0004', { quantity: 7, unitCostCents: 10, warehouseId: TOKYO.id }));
    await repo.put(item('SKU-0005', { quantity: 1, unitCostCents: 1, warehouseId: TOKYO.id }));
    const total = await repo.totalValueCents();
    expect(typeof total, 'the type of totalValueCents()').toBe('number');
    expect(total, 'totalValueCents(): 40000×99999 + 3×1999 + 2147483647×1000 + 7×10 + 1×1').toBe(3_999_960_000 + 5_997 + 2_147_483_647_000 + 71);
    expect(await repo.totalValueCents(TOKYO.id), 'totalValueCents("wh-東京")').toBe(71);
    expect(await repo.totalValueCents(BERLIN.id), 'totalValueCents("wh-berlin")').toBe(3_999_960_000 + 5_997 + 2_147_483_647_000);
    expect(await repo.totalValueCents('wh-empty'), 'totalValueCents of a warehouse without items').toBe(0);
  });
}
