import { ciCheck, expectEqual } from 'labkit/test';
import { applyCustomerEvent } from '../src/replica.ts';
import { readName, nameColumns } from '../src/name-columns.ts';
import { STALENESS_BOUND_MS, type CustomerEvent } from '../src/shop.ts';
import { putReplica, replicaRows, shop, splitByTheTests, START } from './helpers.ts';

const LETTERS = ['a', 'é', 'ß', '東', '京', '🙂', 'Ø', 'ł', 'z', '-'];
const word = (random: () => number) => Array.from({ length: 1 + Math.floor(random() * 6) }, () => LETTERS[Math.floor(random() * LETTERS.length)]).join('');

ciCheck('a newer event replaces the entry and an equal or older one changes nothing', async ({ random }) => {
  const { ordersDb } = await splitByTheTests();
  // A random order of versions for a few customers, each applied at its own time.
  const events: { event: CustomerEvent; at: number }[] = [];
  for (const customerId of [11, 13, 17]) {
    const count = 2 + Math.floor(random() * 5);
    for (let version = 1; version <= count; version++) {
      events.push({ event: { type: version === 1 ? 'CustomerRegistered' : 'CustomerRenamed', customerId, name: `${word(random)} ${word(random)}`, country: 'DE', version }, at: 0 });
    }
  }
  events.sort(() => random() - 0.5);
  events.forEach((e, i) => (e.at = START + i * 7));
  const best = new Map<number, { event: CustomerEvent; at: number }>();
  for (const e of events) {
    await ordersDb.transaction((tx) => applyCustomerEvent(tx, e.event, e.at));
    const held = best.get(e.event.customerId);
    if (!held || held.event.version < e.event.version) best.set(e.event.customerId, e);
  }
  const want = [...best.values()]
    .sort((a, b) => a.event.customerId - b.event.customerId)
    .map(({ event, at }) => ({ customer_id: event.customerId, name: event.name, country: event.country, version: event.version, synced_at: at }));
  expectEqual(await replicaRows(ordersDb), want, `the replica after the events in the order ${events.map((e) => `${e.event.customerId}v${e.event.version}`).join(' ')}`);
});

ciCheck('an entry exactly at the bound is fresh, one millisecond more is stale', async ({ random }) => {
  const s = await shop();
  const age = Math.floor(random() * 2 * STALENESS_BOUND_MS);
  await putReplica(s.ordersDb, { customer_id: 7, name: 'Jürgen Groß', country: 'DE', version: 1, synced_at: START - age });
  await s.orders.placeOrder({ orderId: 900, customerId: 7, sku: 'MUG', quantity: 1 });
  expectEqual(s.calls, age <= STALENESS_BOUND_MS ? [] : ['/customers/7'], `calls to Customers for an entry ${age} ms old (bound ${STALENESS_BOUND_MS} ms)`);
});

ciCheck('after contract name is gone and every customer reads as before', ({ random }) => {
  for (let i = 0; i < 200; i++) {
    const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, () => word(random));
    const name = parts.join(' ');
    for (const phase of ['expanded', 'migrated', 'contracted'] as const) {
      const row = { id: 1, ...nameColumns(name, phase) };
      const back = phase === 'expanded' ? readName({ ...row, name }, phase) : readName(row, phase);
      expectEqual(back, name, `readName(nameColumns(${JSON.stringify(name)}, '${phase}'))`);
    }
  }
});
