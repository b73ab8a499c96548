import { pgSchema } from 'labkit/db';
import { crashOnWrite, clearFaults, SimulatedCrash } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, test } from 'labkit/test';
import { Catalog } from '../src/catalog.ts';
import { expectRefused, newShop, product, PRODUCTS } from './helpers.ts';

test('finds products by attribute containment: nested values, array members, exact JSON types', { task: 3, points: 5 }, async () => {
  const { catalog } = await newShop();
  const cases: [object, string[]][] = [
    [{ color: 'blue' }, ['P-0003', 'P-0011', 'P-0201']],
    [{ color: 'blue', sizes: ['M'] }, ['P-0003']],
    [{ sizes: ['M'] }, ['P-0003', 'P-0010']],
    [{ sizes: ['M', 'L'] }, ['P-0003']],
    [{ waterproof: false }, ['P-0010']],
    [{ weight_g: 420 }, ['P-0003']],
    [{ weight_g: '420' }, []],
    [{ origin: { country: 'Ethiopia' } }, ['P-0101']],
    [{ 'größe': 'M', color: 'weiß' }, ['P-0200']],
    [{ color: 'Blue' }, []],
    [{ sizes: ['42.5'] }, ['P-0300']],
    [{}, PRODUCTS.map((p) => p.sku)],
  ];
  for (const [filter, expected] of cases) {
    expect(await catalog.findByAttributes(filter as never), `findByAttributes(${JSON.stringify(filter)})`).toEqual(expected);
  }
  expectEqual(await catalog.get('P-0101'), PRODUCTS[4], 'get("P-0101"): the product as stored, nested attributes included');
  expectEqual(await catalog.products(), PRODUCTS, 'products(): every product, by sku');
});

test('the table refuses a product its schema forbids, and keeps attributes in a GIN index', { task: 3, points: 3 }, async () => {
  const { catalog, catalogDb } = await newShop();
  const { rows } = await catalogDb.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = 'catalog' AND tablename = 'products'");
  expect(rows.some((r) => /USING gin \(attributes\b/i.test(r.indexdef)), `an index USING gin (attributes) on catalog.products; the indexes are: ${rows.map((r) => r.indexdef).join('; ') || 'none'}`).toBe(true);

  const before = await catalog.lastPosition();
  for (const [what, bad] of [
    ['priceCents 0', { priceCents: 0 }],
    ['priceCents -5', { priceCents: -5 }],
    ['priceCents 12.5', { priceCents: 12.5 }],
    ['attributes that are an array', { attributes: ['blue'] }],
    ['attributes that are a string', { attributes: 'blue' }],
  ] as const) {
    await expectRefused(() => catalog.upsert({ ...product('P-0900', 'Ökö-Tasche', 'Tragetasche', {}), ...bad } as never), `upsert of a new product with ${what}`);
    await expectRefused(() => catalog.upsert({ ...PRODUCTS[0]!, ...bad } as never), `upsert of P-0003 with ${what}`);
  }
  expect(await catalog.get('P-0900'), 'the product whose every upsert was refused').toBeUndefined();
  expectEqual(await catalog.get('P-0003'), PRODUCTS[0], 'P-0003 after refused upserts: unchanged');
  expect(await catalog.lastPosition(), 'lastPosition() after refused upserts: no change recorded').toBe(before);
  await expectRefused(() => catalogDb.query(`UPDATE products SET attributes = '["blue"]'::jsonb WHERE sku = 'P-0003'`), "UPDATE products SET attributes = '[\"blue\"]' (plain SQL): attributes must be a JSON object");
  await expectRefused(() => catalogDb.query(`UPDATE products SET price_cents = 0 WHERE sku = 'P-0003'`), 'UPDATE products SET price_cents = 0 (plain SQL)');
});

test('every write records its change in the same transaction, even when it crashes', { task: 3, points: 4 }, async () => {
  const { catalog, catalogDb } = await newShop([]);
  const jacket = PRODUCTS[0]!;
  for (const n of [1, 2]) {
    crashOnWrite(catalogDb, n);
    const outcome = await catalog.upsert(jacket).then((v) => v, (e: unknown) => e);
    clearFaults(catalogDb);
    expect(outcome instanceof SimulatedCrash, `upsert with a crash at write ${n}: ${describeOutcome(outcome)}`).toBe(true);
    expect(await catalog.get(jacket.sku), `the product after a crash at write ${n} of its upsert: neither the product nor its change`).toBeUndefined();
    expectEqual(await catalog.changesAfter(0), [], `changes after a crash at write ${n} of an upsert`);
  }
  await catalog.upsert(jacket);
  const [first] = await catalog.changesAfter(0);
  expectEqual(first && { sku: first.sku, product: first.product }, { sku: jacket.sku, product: jacket }, 'the change of the upsert that went through');

  for (const n of [1, 2]) {
    crashOnWrite(catalogDb, n);
    const outcome = await catalog.remove(jacket.sku).then((v) => v, (e: unknown) => e);
    clearFaults(catalogDb);
    expect(outcome instanceof SimulatedCrash, `remove with a crash at write ${n}: ${describeOutcome(outcome)}`).toBe(true);
    expectEqual(await catalog.get(jacket.sku), jacket, `the product after a crash at write ${n} of its remove: still there`);
    expect((await catalog.changesAfter(0)).length, `changes after a crash at write ${n} of a remove: only the upsert's`).toBe(1);
  }
  expect(await catalog.remove(jacket.sku), 'remove of a stored product').toBe(true);
  expect(await catalog.remove(jacket.sku), 'remove of a product already removed').toBe(false);
  expectEqual((await catalog.changesAfter(0)).map((c) => [c.sku, c.product]), [[jacket.sku, jacket], [jacket.sku, null]], 'the changes: the upsert, then one remove (product null); nothing for the second remove');

  // A restarted Catalog on the same schema finds its products and its feed.
  const again = new Catalog(await pgSchema('catalog'));
  await again.init();
  expect((await again.changesAfter(0)).length, 'changes seen by a new Catalog after init on the same schema').toBe(2);
});

test('the change feed gives changes after a position, oldest first, in pages, across gaps', { task: 3, points: 2 }, async () => {
  const { catalog, catalogDb } = await newShop([]);
  const log: [string, string | null][] = [];
  for (let i = 0; i < 130; i++) {
    const sku = `P-${String(1000 + (i % 17) * 7).padStart(4, '0')}`;
    if (i % 5 === 4) {
      if (await catalog.remove(sku)) log.push([sku, null]);
    } else {
      const p = product(sku, `Thé n°${i}`, `Lot ${i}`, { lot: i });
      await catalog.upsert(p);
      log.push([sku, p.name]);
    }
    if (i === 60) {
      crashOnWrite(catalogDb, 2); // a failed write leaves a gap in the positions
      await catalog.upsert(product('P-9999', 'lost', 'lost', {})).catch(() => undefined);
      clearFaults(catalogDb);
    }
  }
  const first = await catalog.changesAfter(0);
  expect(first.length, 'changesAfter(0): one page of the default size (100)').toBe(100);
  const rest = await catalog.changesAfter(first.at(-1)!.position);
  const all = [...first, ...rest];
  expectEqual(all.map((c) => [c.sku, c.product?.name ?? null]), log, 'changesAfter(0) then changesAfter(the last position of that page): every change, in order');
  const positions = all.map((c) => c.position);
  expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!), 'positions increase').toBe(true);
  expect(await catalog.lastPosition(), 'lastPosition(): the position of the latest change').toBe(positions.at(-1));
  const middle = positions[41]!;
  expect((await catalog.changesAfter(middle, 5)).map((c) => c.position), `changesAfter(${middle}, 5): the five after it`).toEqual(positions.slice(42, 47));
  expect(await catalog.changesAfter(positions.at(-1)!), 'changesAfter(the last position)').toEqual([]);
});
