/**
 * CI-only checks: the same behaviours as the graded tests, on names, amounts and times drawn
 * from the run's seed, so an answer fitted to the visible examples fails in CI.
 */
import { createClock } from 'labkit/clock';
import { sqlite } from 'labkit/db';
import { ciCheck, expect } from 'labkit/test';
import { CartStore } from '../../src/cart-store.ts';
import { ENGINES, item, openWithWarehouses, START } from '../helpers.ts';

const LETTERS = ['é', 'É', 'ü', 'Ü', 'ø', 'Ø', 'ñ', 'Ñ', 'a', 'A', 'z', 'Z', '%', '_', '東', 'ß', ' '];

for (const engine of ENGINES) {
  ciCheck(`${engine.name}: a name filter ignores case for accented letters as for ASCII, and % and _ match only themselves`, async ({ random }) => {
    const { repo, sql } = await openWithWarehouses(engine);
    await sql('DELETE FROM stock_items'); // the graded test before this check ran on the same database
    const word = () => Array.from({ length: 2 + Math.floor(random() * 5) }, () => LETTERS[Math.floor(random() * LETTERS.length)]).join('');
    const names = Array.from({ length: 12 }, () => word());
    for (const [i, name] of names.entries()) await repo.put(item(`SKU-${String(i * 13).padStart(4, '0')}`, { name, bin: null }));
    for (let q = 0; q < 6; q++) {
      const filter = random() < 0.5 ? names[Math.floor(random() * names.length)]!.slice(1, 3) : word().slice(0, 2);
      const expected = names.map((n, i) => [n, `SKU-${String(i * 13).padStart(4, '0')}`] as const).filter(([n]) => n.toLowerCase().includes(filter.toLowerCase())).map(([, sku]) => sku).sort();
      const found = (await repo.list({ nameContains: filter })).map((i) => i.sku).sort();
      expect(found, `list({ nameContains: ${JSON.stringify(filter)} }) over the names ${JSON.stringify(names)}`).toEqual(expected);
    }
  });

  ciCheck(`${engine.name}: adds up stock value exactly in integer cents, beyond 2^31, per warehouse too`, async ({ random }) => {
    const { repo, sql } = await openWithWarehouses(engine);
    await sql('DELETE FROM stock_items');
    let total = 0;
    for (let i = 0; i < 8; i++) {
      const quantity = Math.floor(random() * 1_000_000);
      const unitCostCents = Math.floor(random() * 1_000_000);
      total += quantity * unitCostCents;
      await repo.put(item(`SKU-${i * 7}`, { quantity, unitCostCents }));
    }
    expect(await repo.totalValueCents(), 'totalValueCents() of eight random items').toBe(total);
  });
}

ciCheck('renew extends a live cart from now; an expired or unknown one stays gone', async ({ random }) => {
  const ttl = 1_000 + Math.floor(random() * 100_000);
  const clock = createClock(START + Math.floor(random() * 1e9));
  const store = new CartStore(await sqlite(), clock, ttl);
  store.init();
  store.save('s', { lines: [{ sku: 'X', quantity: 1 }] });
  const before = Math.floor(random() * (ttl - 1)) + 1;
  await clock.advance(before);
  expect(store.renew('s'), `renew ${before} ms after save, ttl ${ttl}`).toBe(true);
  await clock.advance(ttl - 1);
  expect(store.load('s'), `load ${ttl - 1} ms after renew (ttl ${ttl})`).toBeDefined();
  await clock.advance(1);
  expect(store.load('s'), `load ${ttl} ms after renew (ttl ${ttl})`).toBeUndefined();
  expect(store.renew('s'), 'renew after expiry').toBe(false);
});
