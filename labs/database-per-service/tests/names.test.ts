import { expect, expectEqual, test } from 'labkit/test';
import { CONTRACT_SQL, EXPAND_SQL, MIGRATE_SQL } from '../src/name-columns.ts';
import { CUSTOMER_EVENTS_TOPIC, type CustomerEvent, type Phase } from '../src/shop.ts';
import { shop, type Shop } from './helpers.ts';

/** What Customers' API says about each customer: the names Orders learns. */
async function apiNames(s: Shop): Promise<Record<number, unknown>> {
  const names: Record<number, unknown> = {};
  for (const id of [3, 7, 8, 42, 1001, 2001, 2002]) {
    const response = await s.network.call('customers', `/customers/${id}`);
    if (response.status === 200) names[id] = await response.json();
  }
  return names;
}

const ORIGINAL = {
  3: { customerId: 3, name: 'Zoë Kowalska', country: 'PL', version: 1 },
  7: { customerId: 7, name: 'Jürgen Groß', country: 'DE', version: 1 },
  8: { customerId: 8, name: '東京 太郎', country: 'JP', version: 1 },
  42: { customerId: 42, name: 'Amélie Poulain 🙂', country: 'FR', version: 1 },
  1001: { customerId: 1001, name: 'Madonna', country: 'US', version: 1 },
};

async function step(s: Shop, sql: string, phase: Exclude<Phase, 'original'>, name: string): Promise<void> {
  try {
    await s.customers.runStep(sql, phase);
    await s.customers.runStep(sql, phase);
  } catch (error) {
    throw new Error(`${name} failed when run as Customers' role (each step runs twice, and must succeed both times): ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function columns(s: Shop): Promise<string[]> {
  const { rows } = await s.owner.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'customers' AND table_name = 'customers' AND column_name IN ('name', 'given_name', 'family_name') ORDER BY column_name`,
  );
  return rows.map((r) => r.column_name);
}

async function nameColumnsOf(s: Shop, id: number): Promise<Record<string, unknown>> {
  const { rows } = await s.owner.query(`SELECT to_jsonb(c) - 'id' - 'email' - 'country' - 'version' AS names FROM customers.customers c WHERE id = $1`, [id]);
  return (rows[0]?.names as Record<string, unknown>) ?? {};
}

test('expand keeps every name and writes both shapes', { task: 4, points: 5 }, async () => {
  const s = await shop();
  await step(s, EXPAND_SQL, 'expanded', 'EXPAND_SQL');
  expectEqual(await columns(s), ['family_name', 'given_name', 'name'], "customers' name columns after the expand");
  expectEqual(await apiNames(s), ORIGINAL, "Customers' API after the expand, for rows written before it");
  await s.customers.rename(3, 'Zoë Kowalska-Nowak');
  await s.customers.register(2001, 'Ólafur Arnalds', 'olafur@example.is', 'IS');
  expectEqual(await nameColumnsOf(s, 3), { name: 'Zoë Kowalska-Nowak', given_name: 'Zoë', family_name: 'Kowalska-Nowak' }, 'the name columns of customer 3, renamed after the expand (write both shapes)');
  expectEqual(await nameColumnsOf(s, 2001), { name: 'Ólafur Arnalds', given_name: 'Ólafur', family_name: 'Arnalds' }, 'the name columns of customer 2001, registered after the expand');
  expectEqual(await apiNames(s), { ...ORIGINAL, 3: { ...ORIGINAL[3], name: 'Zoë Kowalska-Nowak', version: 2 }, 2001: { customerId: 2001, name: 'Ólafur Arnalds', country: 'IS', version: 1 } }, "Customers' API after the rename and the registration");
});

test('migrate fills given and family names for every row', { task: 4, points: 5 }, async () => {
  const s = await shop();
  await step(s, EXPAND_SQL, 'expanded', 'EXPAND_SQL');
  await step(s, MIGRATE_SQL, 'migrated', 'MIGRATE_SQL');
  const want: Record<number, { given_name: string; family_name: string }> = {
    3: { given_name: 'Zoë', family_name: 'Kowalska' },
    7: { given_name: 'Jürgen', family_name: 'Groß' },
    8: { given_name: '東京', family_name: '太郎' },
    42: { given_name: 'Amélie', family_name: 'Poulain 🙂' },
    1001: { given_name: 'Madonna', family_name: '' },
  };
  for (const [id, split] of Object.entries(want)) {
    const { name: _, ...columns } = await nameColumnsOf(s, Number(id));
    expectEqual(columns, split, `given_name and family_name of customer ${id} after the migrate step (split at the first space)`);
  }
  expectEqual(await apiNames(s), ORIGINAL, "Customers' API after the migrate step");
  await s.customers.rename(7, 'Jürgen Groß-Weber');
  expectEqual(await nameColumnsOf(s, 7), { name: 'Jürgen Groß-Weber', given_name: 'Jürgen', family_name: 'Groß-Weber' }, 'the name columns of customer 7, renamed after the migrate step (still both shapes)');
});

test('after contract name is gone and every customer reads as before', { task: 4, points: 6 }, async () => {
  const s = await shop();
  await step(s, EXPAND_SQL, 'expanded', 'EXPAND_SQL');
  await s.customers.rename(8, '東京 花子');
  await step(s, MIGRATE_SQL, 'migrated', 'MIGRATE_SQL');
  await step(s, CONTRACT_SQL, 'contracted', 'CONTRACT_SQL');
  expectEqual(await columns(s), ['family_name', 'given_name'], "customers' name columns after the contract step");
  expectEqual(await apiNames(s), { ...ORIGINAL, 8: { ...ORIGINAL[8], name: '東京 花子', version: 2 } }, "Customers' API after the contract step");
  await s.customers.register(2002, 'Nguyễn Thị Minh Khai', 'khai@example.vn', 'VN');
  await s.customers.rename(1001, 'Madonna Ciccone');
  const after = await apiNames(s);
  expectEqual([after[2002], after[1001]], [{ customerId: 2002, name: 'Nguyễn Thị Minh Khai', country: 'VN', version: 1 }, { customerId: 1001, name: 'Madonna Ciccone', country: 'US', version: 2 }], 'customers 2002 and 1001, registered and renamed after the contract');
});

test('the events Orders reads look the same in every phase', { task: 4, points: 4 }, async () => {
  const s = await shop();
  const expected: CustomerEvent[] = [];
  const phases: [string, Exclude<Phase, 'original'>, string][] = [
    [EXPAND_SQL, 'expanded', 'EXPAND_SQL'],
    [MIGRATE_SQL, 'migrated', 'MIGRATE_SQL'],
    [CONTRACT_SQL, 'contracted', 'CONTRACT_SQL'],
  ];
  let version = 1;
  let country = 'FR';
  await s.customers.rename(42, 'Amélie Poulain 0');
  expected.push({ type: 'CustomerRenamed', customerId: 42, name: 'Amélie Poulain 0', country: 'FR', version: ++version });
  for (const [sql, phase, name] of phases) {
    await step(s, sql, phase, name);
    const renamed = `Amélie Poulain ${phase} 🙂`;
    await s.customers.rename(42, renamed);
    expected.push({ type: 'CustomerRenamed', customerId: 42, name: renamed, country, version: ++version });
    country = phase === 'migrated' ? 'LU' : 'BE';
    await s.customers.move(42, country);
    expected.push({ type: 'CustomerMoved', customerId: 42, name: renamed, country, version: ++version });
  }
  expectEqual(await columns(s), ['family_name', 'given_name'], "customers' name columns after the three steps (the change did happen)");
  const published = s.bus.published(CUSTOMER_EVENTS_TOPIC).map((m) => m.payload);
  expectEqual(published, expected, 'the events Customers published for customer 42 through the three steps');
  expect(Object.keys((published.at(-1) ?? {}) as object).sort().join(','), 'the fields of the last event').toBe('country,customerId,name,type,version');
});
