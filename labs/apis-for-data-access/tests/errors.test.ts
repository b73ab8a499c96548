import { crashOnWrite } from 'labkit/faults';
import { expect, test } from 'labkit/test';
import { expectFieldErrors, expectProblem, insertRows, LODZ, orderCount, shop, showAnswer, ZOE } from './helpers.ts';

const line = (sku = 'MUG', qty = 1) => ({ sku, qty });
let keys = 0;
const freshKey = () => `"task1-${++keys}"`;

test('unknown routes and unknown orders answer a 404 problem', { task: 1, points: 2 }, async () => {
  const s = await shop();
  await insertRows(s.db, [
    { id: 900_001, at: '2026-03-29 03:30:00.5+02' },
    { id: 900_003, at: '2026-03-29 03:31:00+02' },
  ]);
  for (const [method, path] of [
    ['GET', '/nowhere'],
    ['GET', '/orders/900002'],
    ['GET', '/orders/abc'],
    ['GET', '/orders/0'],
    ['GET', '/orders/-900001'],
    ['GET', '/orders/900001.0'],
    ['GET', '/orders/0900001'],
    ['GET', '/orders/a900001'],
    ['PATCH', '/orders/abc'],
    ['GET', '/orders/x900001/details'],
    ['GET', '/orders/900001/invoice'],
    ['POST', '/orders/900001/refund'],
    ['GET', '/orders/900001/cancel'],
    ['DELETE', '/orders/900001'],
    ['PUT', '/orders'],
  ] as const) {
    expectProblem(await s.request(method, path), 'not-found', `${method} ${path}${method === 'PATCH' ? ' (no body, no If-Match: the path names no order whatever comes with it)' : ''}`);
  }
});

test('a body that is not JSON is a 400 problem, and nothing is stored', { task: 1, points: 2 }, async () => {
  const s = await shop();
  for (const body of ['{"customerId": "c-07", "lines": [', '', "{'customerId': 'c-07'}", 'customerId=c-07&lines=MUG', '{"customerId": "c-07"} trailing']) {
    expectProblem(await s.post(body, freshKey()), 'malformed-json', `POST /orders with the body ${JSON.stringify(body)}`);
  }
  expect(await orderCount(s.db), 'orders in the table after five POSTs whose body is not JSON').toBe(0);
});

test('an invalid order is a 422 problem that lists every wrong field, and nothing is stored', { task: 1, points: 5 }, async () => {
  const s = await shop();
  const long = 'c-' + 'x'.repeat(63); // 65 characters
  const cases: [unknown, string[]][] = [
    [{}, ['customerId', 'lines']],
    [{ customerId: '', lines: [line()] }, ['customerId']],
    [{ customerId: '  \t ', lines: [line()] }, ['customerId']],
    [{ customerId: 42, lines: [line()] }, ['customerId']],
    [{ customerId: null, lines: [line()] }, ['customerId']],
    [{ customerId: long, lines: [line()] }, ['customerId']],
    [{ customerId: ZOE.id }, ['lines']],
    [{ customerId: ZOE.id, lines: [] }, ['lines']],
    [{ customerId: ZOE.id, lines: 'MUG' }, ['lines']],
    [{ customerId: ZOE.id, lines: { sku: 'MUG', qty: 1 } }, ['lines']],
    [{ customerId: ZOE.id, lines: Array.from({ length: 51 }, (_, i) => line(`SKU-${i}`)) }, ['lines']],
    [
      {
        customerId: ZOE.id,
        lines: [line('MUG', 0), line('', 2), line('TEA', 2.5), { sku: 'CUP', qty: '3' }, line('POT', 100), line('ÉCLAIR-東京', 99), line('X', 1), { sku: 7, qty: 1 }, { sku: 'BOWL', qty: -1 }, { sku: 'S'.repeat(65), qty: 1 }],
      },
      ['lines[0].qty', 'lines[1].sku', 'lines[2].qty', 'lines[3].qty', 'lines[4].qty', 'lines[7].sku', 'lines[8].qty', 'lines[9].sku'],
    ],
    [{ customerId: ZOE.id, lines: [null, 'MUG', line()] }, ['lines[0]', 'lines[1]']],
    [{ customerId: ZOE.id, lines: [{ sku: 'MUG' }, { qty: 2 }] }, ['lines[0].qty', 'lines[1].sku']],
    [{ customerId: ZOE.id, lines: [line()], totalCents: 100 }, ['totalCents']],
    [{ customerId: ZOE.id, lines: [{ sku: 'MUG', qty: 1, priceCents: 5 }], status: 'paid' }, ['lines[0].priceCents', 'status']],
    [{ customerId: 7, lines: [line('MUG', 1), line('TEA', -1)] }, ['customerId', 'lines[1].qty']],
    [[], ['']],
    [null, ['']],
    ['c-07', ['']],
    [42, ['']],
  ];
  for (const [body, fields] of cases) {
    const what = `POST /orders with ${JSON.stringify(body).slice(0, 160)}`;
    const problem = expectProblem(await s.post(JSON.stringify(body), freshKey()), 'validation-failed', what);
    expectFieldErrors(problem, fields, what);
  }
  expect(await orderCount(s.db), 'orders in the table after only invalid POSTs').toBe(0);
  // The limits themselves are allowed.
  const edge = 'c-' + 'é'.repeat(62); // 64 characters
  s.directory.add({ id: edge, name: 'Édith', email: 'edith@example.fr' });
  const fifty = { customerId: edge, lines: Array.from({ length: 50 }, (_, i) => line(`SKU-${i}-${'s'.repeat(50)}`.slice(0, 64), i % 2 ? 99 : 1)) };
  const ok = await s.post(fifty, freshKey());
  expect(ok.status, `POST /orders with a 64-character customerId, 50 lines, 64-character skus and quantities 1 and 99 (all at their limits, so valid); got ${showAnswer(ok)}`).toBe(201);
  const accented = await s.post({ customerId: LODZ.id, lines: [line('THÉ-東京-🍵', 3)] }, freshKey());
  expect(accented.status, `POST /orders for ${LODZ.id} with the sku THÉ-東京-🍵; got ${showAnswer(accented)}`).toBe(201);
});

test('page_size must be a whole number from 1, or the list is a 400 problem', { task: 1, points: 3 }, async () => {
  const s = await shop();
  for (const size of ['0', '-5', '2.5', 'abc', '1e2', '', '10abc', ' 5', '0x10', '+5', '٣']) {
    const path = `/orders?page_size=${encodeURIComponent(size)}`;
    const problem = expectProblem(await s.request('GET', path), 'invalid-parameter', `GET ${path}`);
    expectFieldErrors(problem, ['page_size'], `GET ${path}`);
  }
});

test('a failure inside is a 500 problem that gives away no SQL, stack, path or secret', { task: 1, points: 3 }, async () => {
  const s = await shop();
  await insertRows(s.db, [{ id: 900_001, at: '2026-03-29 03:30:00.5+02' }]);
  const leaks = (answer: { text: string }, secrets: string[], what: string) => {
    for (const secret of [...secrets, '    at ', '.ts:', 'node_modules', 'Error:']) {
      expect(answer.text.includes(secret), `${what}: the 500 body contains ${JSON.stringify(secret)}; it must keep the error's message and stack inside: ${answer.text.slice(0, 300)}`).toBe(false);
    }
  };
  await s.db.exec(`
    CREATE FUNCTION refuse_orders() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'vault password hunter2-Ω, see /srv/orders/src/db.ts:42'; END $$;
    CREATE TRIGGER refuse_orders BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse_orders();`);
  const refused = await s.post({ customerId: ZOE.id, lines: [line()] }, freshKey());
  expectProblem(refused, 'internal-error', 'POST /orders while the database raises an error with a secret in it');
  leaks(refused, ['hunter2', '/srv/', 'vault', 'plpgsql', 'refuse_orders'], 'POST /orders');
  await s.db.exec('DROP TRIGGER refuse_orders ON orders');

  crashOnWrite(s.db, 1);
  const crashed = await s.post({ customerId: ZOE.id, lines: [line()] }, freshKey());
  expectProblem(crashed, 'internal-error', 'POST /orders when its first write to the database crashes (SimulatedCrash)');
  leaks(crashed, ['simulated crash', 'SimulatedCrash'], 'POST /orders that crashed');

  await s.db.exec('ALTER TABLE orders RENAME TO orders_archived_2019');
  for (const path of ['/orders', '/orders/900001']) {
    const broken = await s.request('GET', path);
    expectProblem(broken, 'internal-error', `GET ${path} after the orders table was renamed`);
    leaks(broken, ['relation', 'does not exist', 'orders_archived', 'SELECT', 'created_at'], `GET ${path}`);
  }
});
