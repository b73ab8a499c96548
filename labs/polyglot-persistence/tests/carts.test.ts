import { createClock } from 'labkit/clock';
import { sqlite } from 'labkit/db';
import { expect, expectEqual, test } from 'labkit/test';
import { CART_TTL_MS, CartStore, type Cart } from '../src/cart-store.ts';
import { START } from './helpers.ts';

const cart = (sku: string, quantity = 1): Cart => ({ lines: [{ sku, quantity }, { sku: 'THÉ-東京-🍵', quantity: 2 }] });

async function newStore(ttlMs?: number) {
  const clock = createClock(START);
  const db = await sqlite();
  const store = new CartStore(db, clock, ttlMs);
  store.init();
  const rows = () => db.get<{ n: number }>('SELECT count(*) AS n FROM carts')!.n;
  return { clock, db, store, rows };
}

test('a saved cart comes back until its time is up, and is gone at the exact expiry, even before a sweep', { task: 5, points: 5 }, async () => {
  const { clock, store, rows } = await newStore();
  const session = "sess-'Zoë'-Ω";
  store.save(session, cart('MUG'));
  expectEqual(store.load(session), cart('MUG'), 'load right after save');
  expect(store.load('sess-other'), 'load of a session that never saved').toBeUndefined();
  await clock.advance(CART_TTL_MS - 1);
  expectEqual(store.load(session), cart('MUG'), 'load 1 ms before the cart expires');
  await clock.advance(1);
  expect(store.load(session), 'load at exactly save time + CART_TTL_MS: expired').toBeUndefined();
  expect(rows(), 'rows in carts: the expired cart is still there (no sweep yet), yet load treats it as gone').toBe(1);
  const short = await newStore(5_000);
  short.store.save('s', cart('CUP'));
  await short.clock.advance(4_999);
  expect(short.store.load('s'), 'a store made with ttlMs 5000: load at 4999 ms').toBeDefined();
  await short.clock.advance(1);
  expect(short.store.load('s'), 'a store made with ttlMs 5000: load at 5000 ms').toBeUndefined();
});

test('renew extends a live cart from now; an expired or unknown one stays gone', { task: 5, points: 5 }, async () => {
  const { clock, store } = await newStore();
  store.save('a', cart('MUG'));
  await clock.advance(CART_TTL_MS - 10);
  expect(store.renew('a'), 'renew 10 ms before expiry').toBe(true);
  await clock.advance(CART_TTL_MS - 1);
  expectEqual(store.load('a'), cart('MUG'), 'load 1 ms before the renewed expiry (renew time + CART_TTL_MS)');
  await clock.advance(1);
  expect(store.load('a'), 'load at the renewed expiry').toBeUndefined();
  expect(store.renew('a'), 'renew of an expired cart').toBe(false);
  expect(store.load('a'), 'load after renewing an expired cart: it does not come back').toBeUndefined();
  expect(store.renew('never'), 'renew of a session that never saved').toBe(false);
  store.save('b', cart('BOWL'));
  await clock.advance(CART_TTL_MS / 2);
  store.load('b');
  await clock.advance(CART_TTL_MS / 2);
  expect(store.load('b'), 'a cart that was only loaded (never renewed) expires on time: load does not renew').toBeUndefined();
});

test('sweep deletes exactly the expired carts and says how many', { task: 5, points: 4 }, async () => {
  const { clock, store, rows } = await newStore();
  store.save('old-1', cart('A'));
  store.save('old-2', cart('B'));
  await clock.advance(1_000);
  store.save('young', cart('C'));
  store.save('renewed', cart('D'));
  await clock.advance(CART_TTL_MS - 1_000);
  expect(store.renew('renewed'), 'renew of a live cart').toBe(true);
  expect(store.sweep(), 'sweep at the moment old-1 and old-2 expire').toBe(2);
  expect(rows(), 'carts left after the sweep').toBe(2);
  expectEqual(store.load('young'), cart('C'), 'a cart 1 s from expiry after the sweep');
  expect(store.sweep(), 'a second sweep with nothing expired').toBe(0);
  await clock.advance(1_000);
  expect(store.sweep(), 'sweep when "young" expires').toBe(1);
  expectEqual(store.load('renewed'), cart('D'), 'the renewed cart after both sweeps');
});

test('saving again replaces the cart and restarts its time', { task: 5, points: 2 }, async () => {
  const { clock, store, rows } = await newStore();
  store.save('s', cart('MUG', 1));
  await clock.advance(CART_TTL_MS - 1);
  store.save('s', cart('MUG', 3));
  await clock.advance(CART_TTL_MS - 1);
  expectEqual(store.load('s'), cart('MUG', 3), 'load after a second save: the new cart, still live');
  expect(rows(), 'rows for one session saved twice').toBe(1);
});
