import { createBus } from 'labkit/bus';
import { createClock } from 'labkit/clock';
import { messageFaults, scheduleSeeds, seededRandom, withSeed } from 'labkit/faults';
import { expectEqual, test } from 'labkit/test';
import { Customers } from '../src/customers.ts';
import { applyCustomerEvent } from '../src/replica.ts';
import type { CustomerEvent } from '../src/shop.ts';
import { connectReplica } from '../src/wiring.ts';
import { replicaRows, splitByTheTests, START } from './helpers.ts';

const registered = (customerId: number, name: string, country: string): CustomerEvent => ({ type: 'CustomerRegistered', customerId, name, country, version: 1 });

test('a newer event replaces the entry and an equal or older one changes nothing', { task: 2, points: 6 }, async () => {
  const { ordersDb } = await splitByTheTests();
  const apply = (event: CustomerEvent, at: number) => ordersDb.transaction((tx) => applyCustomerEvent(tx, event, at));
  await apply(registered(7, 'Jürgen Groß', 'DE'), START + 10);
  expectEqual(await replicaRows(ordersDb), [{ customer_id: 7, name: 'Jürgen Groß', country: 'DE', version: 1, synced_at: START + 10 }], 'the replica after CustomerRegistered v1, received at START + 10');
  await apply({ type: 'CustomerMoved', customerId: 7, name: 'Jürgen Groß', country: 'AT', version: 3 }, START + 20);
  const afterV3 = [{ customer_id: 7, name: 'Jürgen Groß', country: 'AT', version: 3, synced_at: START + 20 }];
  expectEqual(await replicaRows(ordersDb), afterV3, 'the replica after CustomerMoved v3 (a newer version), received at START + 20');
  await apply({ type: 'CustomerRenamed', customerId: 7, name: 'Jürgen Gross', country: 'DE', version: 2 }, START + 30);
  expectEqual(await replicaRows(ordersDb), afterV3, 'the replica after a late CustomerRenamed v2 (older than the entry): nothing may change');
  await apply({ type: 'CustomerMoved', customerId: 7, name: 'Jürgen Groß', country: 'AT', version: 3 }, START + 40);
  expectEqual(await replicaRows(ordersDb), afterV3, 'the replica after v3 arrived a second time: nothing may change, not even synced_at (a redelivery is old news)');
});

test('a registration that arrives after a rename does not undo it', { task: 2, points: 4 }, async () => {
  const { ordersDb } = await splitByTheTests();
  const apply = (event: CustomerEvent, at: number) => ordersDb.transaction((tx) => applyCustomerEvent(tx, event, at));
  await apply({ type: 'CustomerRenamed', customerId: 8, name: '東京 花子', country: 'JP', version: 2 }, START + 5);
  await apply(registered(8, '東京 太郎', 'JP'), START + 6);
  expectEqual(await replicaRows(ordersDb), [{ customer_id: 8, name: '東京 花子', country: 'JP', version: 2, synced_at: START + 5 }], 'the replica after CustomerRenamed v2, then a late CustomerRegistered v1');
});

test("one customer's version never holds back another's", { task: 2, points: 4 }, async () => {
  const { ordersDb } = await splitByTheTests();
  const apply = (event: CustomerEvent, at: number) => ordersDb.transaction((tx) => applyCustomerEvent(tx, event, at));
  await apply({ type: 'CustomerRenamed', customerId: 42, name: 'Amélie Poulain-Dupont 🙂', country: 'FR', version: 5 }, START + 1);
  await apply(registered(3, 'Zoë Kowalska', 'PL'), START + 2);
  await apply({ type: 'CustomerMoved', customerId: 3, name: 'Zoë Kowalska', country: 'CZ', version: 2 }, START + 3);
  expectEqual(
    await replicaRows(ordersDb),
    [
      { customer_id: 3, name: 'Zoë Kowalska', country: 'CZ', version: 2, synced_at: START + 3 },
      { customer_id: 42, name: 'Amélie Poulain-Dupont 🙂', country: 'FR', version: 5, synced_at: START + 1 },
    ],
    "the replica: versions count per customer, so customer 3's v1 and v2 apply although customer 42 is at v5",
  );
});

const NAMES = ['Zoë Kowalska', 'Jürgen Groß', '東京 太郎', 'Amélie Poulain 🙂', 'Ærøskøbing Ølstad', 'Şebnem Yılmaz', 'Ólafur Arnalds', 'Nguyễn Thị Minh Khai'];
const COUNTRIES = ['PL', 'DE', 'JP', 'FR', 'DK', 'TR', 'IS', 'VN'];

test('the replica converges under 100 seeded schedules of duplicates, reorders and delays', { task: 2, points: 12, timeoutMs: 60_000 }, async () => {
  const { owner, customersDb, ordersDb } = await splitByTheTests();
  for (const seed of scheduleSeeds(100)) {
    await withSeed(seed, async () => {
      await owner.exec('DELETE FROM orders.customer_replica');
      const random = seededRandom(seed);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      const clock = createClock(START);
      const faults = messageFaults({ seed });
      faults.duplicate({ probability: 0.25 });
      faults.reorder({ probability: 0.25 });
      faults.delay({ probability: 0.2, ms: 1 + Math.floor(random() * 5_000) });
      const bus = createBus({ clock, faults });
      const customers = new Customers(customersDb, bus);
      const subscription = connectReplica(bus, ordersDb, clock);
      // Existing customers change; ids with gaps (10 000 + seed keeps each schedule's new customers apart).
      const ids = [3, 7, 8, 42, 1001];
      const fresh = 10_000 + (seed % 1_000_000) * 2;
      await customers.register(fresh, pick(NAMES), `n${fresh}@example.org`, pick(COUNTRIES));
      ids.push(fresh);
      const steps = 6 + Math.floor(random() * 8);
      for (let i = 0; i < steps; i++) {
        const id = pick(ids);
        if (random() < 0.5) await customers.rename(id, `${pick(NAMES)} ${i}`);
        else await customers.move(id, pick(COUNTRIES));
        if (random() < 0.3) await bus.drain();
      }
      await bus.drain();
      subscription.unsubscribe();
      const truth = (await customers.all()).filter((c) => c.customerId === fresh || c.version > 1);
      const replica = (await replicaRows(ordersDb)).map(({ synced_at: _, ...entry }) => entry);
      const wanted = truth.map((c) => ({ customer_id: c.customerId, name: c.name, country: c.country, version: c.version }));
      const faultsText = faults.log.map((f) => `${f.fault} ${f.key ?? ''}`).join(', ');
      expectEqual(replica, wanted, `the replica after every event was delivered, compared with Customers (seed ${seed}; faults: ${faultsText || 'none'})`);
      await customersDb.exec(`DELETE FROM customers WHERE id >= 10000; UPDATE customers SET version = 1`);
    });
  }
});
