import { pgSchema } from 'labkit/db';
import { clearFaults, crashOnWrite, scheduleSeeds, seededRandom, SimulatedCrash, withSeed } from 'labkit/faults';
import { describeOutcome, expect, expectEqual, test } from 'labkit/test';
import type { Product } from '../src/catalog-types.ts';
import { SearchIndex } from '../src/search-index.ts';
import { expectIndexMatches, indexHash, newShop, product, PRODUCTS, skus, type Shop } from './helpers.ts';

async function write(shop: Shop, p: Product): Promise<void> {
  await shop.catalog.upsert(p);
  shop.model.set(p.sku, p);
}

async function remove(shop: Shop, sku: string): Promise<void> {
  await shop.catalog.remove(sku);
  shop.model.delete(sku);
}

test('sync copies the catalog into the index, change by change, and a second sync changes nothing', { task: 4, points: 4 }, async () => {
  const shop = await newShop();
  expect(await shop.index.sync(), 'sync() of the 9 first products: the changes it applied').toBe(PRODUCTS.length);
  await expectIndexMatches(shop, 'after the first sync');
  expect(await shop.index.sync(), 'a second sync() with nothing new').toBe(0);

  await write(shop, { ...PRODUCTS[0]!, name: 'Rain jacket «Nordsee»', description: 'Für Regen und Wind.' });
  await remove(shop, 'P-0301');
  await write(shop, product('P-0500', 'Tent for 2', 'Packs small.', { persons: 2 }));
  await remove(shop, 'P-0500'); // added and removed before the index saw it
  for (let i = 0; i < 230; i++) await write(shop, product(`P-2${String(i * 3).padStart(3, '0')}`, `Teller Nr. ${i}`, `Porzellan, ${i} cm`, { diameter_cm: i }));
  expect(await shop.index.sync(), 'sync() of 234 new changes, more than one page').toBe(234);
  await expectIndexMatches(shop, 'after syncing updates, removes and 230 new products');
  expect(await shop.index.sync(), 'sync() again').toBe(0);

  // A restarted index process on the same schema carries on from its stored position.
  const restarted = new SearchIndex(await pgSchema('search'), shop.catalog);
  await restarted.init();
  expect(await restarted.sync(), 'sync() of a restarted index with nothing new').toBe(0);
  await write(shop, { ...PRODUCTS[1]!, description: 'Jetzt wasserdicht.' });
  expect(await restarted.sync(), 'sync() of the restarted index after one more change').toBe(1);
  await expectIndexMatches(shop, 'after the restarted index synced');
});

test('a crash at any write of sync, then sync again: the index converges on the catalog', { task: 4, points: 6 }, async () => {
  const shop = await newShop();
  await shop.index.sync();
  let round = 0;
  for (let n = 1; n <= 40; n++) {
    round++;
    await write(shop, { ...PRODUCTS[round % PRODUCTS.length]!, description: `Édition ${round}` });
    await write(shop, product(`P-7${String(round * 11).padStart(3, '0')}`, `Neu ${round}`, `Große Tasse ${round}`, {}));
    if (round % 3 === 0) await remove(shop, `P-7${String((round - 1) * 11).padStart(3, '0')}`);
    crashOnWrite(shop.searchDb, n);
    const outcome = await shop.index.sync().then((v) => v, (e: unknown) => e);
    clearFaults(shop.searchDb);
    if (!(outcome instanceof SimulatedCrash)) {
      expect(typeof outcome, `sync() with a crash set at write ${n}, which it never reached: ${describeOutcome(outcome)}`).toBe('number');
      await expectIndexMatches(shop, `after a sync whose writes all went through (${n - 1} or fewer)`);
      if (n > 3) break;
      continue;
    }
    await shop.index.sync();
    await expectIndexMatches(shop, `after a crash at write ${n} of sync, then sync again`);
    expect(await shop.index.sync(), `a third sync after the crash at write ${n}`).toBe(0);
  }
});

test('rebuild from the catalog gives the same content as incremental sync, and sync carries on after it', { task: 4, points: 5 }, async () => {
  const shop = await newShop();
  await shop.index.sync();
  await write(shop, { ...PRODUCTS[3]!, name: 'Crème brûlée set (6)' });
  await remove(shop, 'P-0011');
  await shop.index.sync();
  const incremental = await indexHash(shop.searchDb);

  // A second index built only by rebuild holds the same content.
  const fresh = new SearchIndex(await pgSchema('search_rebuilt'), shop.catalog);
  await fresh.init();
  await fresh.rebuild();
  expect(await indexHash(await pgSchema('search_rebuilt')), 'the hash of an index built by rebuild() against the incrementally synced one').toBe(incremental);
  expect(await fresh.sync(), 'sync() right after rebuild(): nothing left to apply').toBe(0);

  // The derived store drifted (a bad script, a half-restored backup): rebuild repairs it.
  await shop.searchDb.query("DELETE FROM documents WHERE sku = 'P-0003'");
  await shop.searchDb.query("UPDATE documents SET title = 'wrong' WHERE sku = 'P-0200'");
  await shop.index.rebuild();
  await expectIndexMatches(shop, 'after rebuild() of an index that had drifted');

  // A crash in the middle of a rebuild leaves the index as it was.
  await shop.searchDb.query("UPDATE documents SET body = 'drifted' WHERE sku = 'P-0300'");
  const drifted = await indexHash(shop.searchDb);
  crashOnWrite(shop.searchDb, 3);
  const outcome = await shop.index.rebuild().then((v) => v, (e: unknown) => e);
  clearFaults(shop.searchDb);
  expect(outcome instanceof SimulatedCrash, `rebuild() with a crash at its 3rd write: ${describeOutcome(outcome)}`).toBe(true);
  expect(await indexHash(shop.searchDb), 'the index after a crash in the middle of rebuild(): as it was before').toBe(drifted);
  await shop.index.rebuild();
  await expectIndexMatches(shop, 'after rebuild() again');

  await write(shop, product('P-0042', 'Regenschirm', 'Für Hamburg.', {}));
  await remove(shop, 'P-0100');
  expect(await shop.index.sync(), 'sync() after rebuild(): only the two newer changes').toBe(2);
  await expectIndexMatches(shop, 'after sync following rebuild');
});

test('100 seeded schedules of writes, crashes on both sides, syncs and rebuilds: the index always converges', { task: 4, points: 5, timeoutMs: 60_000 }, async () => {
  const shop = await newShop([]);
  const pool = PRODUCTS.map((p) => p.sku).concat(['P-0404', 'P-0808']);
  for (const seed of scheduleSeeds(100)) {
    const random = seededRandom(seed);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
    const steps: string[] = [];
    await withSeed(seed, async () => {
      try {
        for (let op = 0; op < 6; op++) {
          const r = random();
          if (r < 0.45) {
            const sku = pick(pool);
            const p = product(sku, `${pick(['Café', 'Tasse', 'Jacke', '東京'])} ${seed % 1000}`, `${pick(['groß', 'klein', 'rain'])} ${op}`, { seed });
            if (random() < 0.2) {
              const n = 1 + Math.floor(random() * 2);
              steps.push(`upsert ${sku} crashed at write ${n}`);
              crashOnWrite(shop.catalogDb, n);
              await shop.catalog.upsert(p).catch((e: unknown) => { if (!(e instanceof SimulatedCrash)) throw e; });
              clearFaults(shop.catalogDb);
              const stored = await shop.catalog.get(sku);
              if (stored) shop.model.set(sku, stored); // the crash came after the commit
            } else {
              steps.push(`upsert ${sku}`);
              await write(shop, p);
            }
          } else if (r < 0.6) {
            const sku = pick(pool);
            steps.push(`remove ${sku}`);
            await remove(shop, sku);
          } else if (r < 0.9) {
            const n = 1 + Math.floor(random() * 6);
            steps.push(`sync crashed at write ${n}`);
            crashOnWrite(shop.searchDb, n);
            await shop.index.sync().catch((e: unknown) => { if (!(e instanceof SimulatedCrash)) throw e; });
            clearFaults(shop.searchDb);
          } else {
            steps.push('rebuild');
            await shop.index.rebuild();
          }
        }
        steps.push('sync');
        await shop.index.sync();
        await expectIndexMatches(shop, 'at the end of the schedule');
      } catch (error) {
        clearFaults(shop.catalogDb);
        clearFaults(shop.searchDb);
        if (error instanceof Error) error.message = `${error.message}\n  the schedule: ${steps.join(', ')}`;
        throw error;
      }
    });
  }
});

test('search finds stemmed and accented words, title matches before body matches, ties by sku', { task: 4, points: 8 }, async () => {
  const shop = await newShop();
  await shop.index.sync();
  const search = async (q: string, limit?: number) => skus(await shop.index.search(q, limit));
  const cases: [string, string[], string][] = [
    ['jacket', ['P-0003', 'P-0010', 'P-0011', 'P-0301'], 'two titles (a tie: by sku), then two bodies ("Jackets", "jacket")'],
    ['JACKETS', ['P-0003', 'P-0010', 'P-0011', 'P-0301'], 'plural and capitals find the same'],
    ['creme brulee', ['P-0100'], 'words typed without their accents'],
    ['CRÈME', ['P-0100'], 'with its accent, in capitals'],
    ['cafe ethiopie', ['P-0101'], 'Café Éthiopie without accents'],
    ['müsli', ['P-0200'], 'Müsli with its accent finds the title "Müsli" and the body\'s "musli"'],
    ['running', ['P-0300'], 'a stem: "running"'],
    ['rain', ['P-0003', 'P-0300'], 'a title match ranks before a body match'],
    ['東京', ['P-0201'], 'a word in another script'],
    ['umbrella', [], 'no product'],
  ];
  for (const [query, expected, why] of cases) expect(await search(query), `search(${JSON.stringify(query)}): ${why}`).toEqual(expected);
  expect(await search('jacket', 2), 'search("jacket", 2): the two best').toEqual(['P-0003', 'P-0010']);
  expectEqual(await shop.index.search('creme'), [{ sku: 'P-0100', title: 'Crème brûlée set' }], 'search("creme"): the hit, with the title as the catalog has it');
  const many = [];
  for (let i = 0; i < 25; i++) many.push(product(`P-3${String(i * 4).padStart(3, '0')}`, `Bol ${i}`, 'Un bol.', {}));
  for (const p of many) await write(shop, p);
  await shop.index.sync();
  expect((await search('bol')).length, 'search("bol") of 25 matching products: at most 20 (the default limit)').toBe(20);
  const { rows } = await shop.searchDb.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = 'search' AND tablename = 'documents'");
  expect(rows.some((r) => /USING gin/i.test(r.indexdef)), `a GIN index on search.documents; the indexes are: ${rows.map((r) => r.indexdef).join('; ') || 'none'}`).toBe(true);
});

test('search takes what a shopper types: phrases, or, -word, and never throws on stray quotes', { task: 4, points: 6 }, async () => {
  const shop = await newShop();
  await shop.index.sync();
  const search = async (q: string) => skus(await shop.index.search(q));
  expect(await search('"rain jacket"'), 'search(\'"rain jacket"\'): the words next to each other').toEqual(['P-0003']);
  expect(await search('jacket -waterproof'), 'search("jacket -waterproof"): not the products that mention waterproof').toEqual(['P-0003', 'P-0011', 'P-0301']);
  expect(await search('raincoat or shoes'), 'search("raincoat or shoes"): either word; "shoes" in title and body ranks first').toEqual(['P-0300', 'P-0011']);
  expect(await search('rain jacket'), 'search("rain jacket"): both words, anywhere').toEqual(['P-0003']);
  for (const typed of ['"rain jacket', 'jacket"', "o'brien's jacket", 'jacket & | !', '(((', 'jacket:*', '\\', '', '   ', 'the', '-', '"', "'", '<->']) {
    let outcome: unknown;
    try {
      outcome = await shop.index.search(typed);
    } catch (error) {
      outcome = error;
    }
    expect(Array.isArray(outcome), `search(${JSON.stringify(typed)}), as a shopper might type it: ${describeOutcome(outcome)}; it must return hits (maybe none), never throw`).toBe(true);
  }
  expect((await search('"rain jacket'))[0], 'search(\'"rain jacket\'), a quote never closed: still finds the rain jacket first').toBe('P-0003');
  expect(await search(''), 'search(""): nothing').toEqual([]);
});
