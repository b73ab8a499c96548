import { clearFaults, crashOnWrite } from 'labkit/faults';
import { expect, expectEqual, test } from 'labkit/test';
import { KEY_TTL_MS } from '../src/shop.ts';
import { expectProblem, insertRows, START, LODZ, OMAR, orderCount, settledSoon, shop, showAnswer, waitUntil, ZOE, type Answer, type Shop } from './helpers.ts';

const mugs = (qty = 2) => ({ customerId: LODZ.id, lines: [{ sku: 'THÉ-東京', qty }, { sku: 'MUG', qty: 1 }] });

async function ordersOf(s: Shop, customerId: string): Promise<number[]> {
  const { rows } = await s.db.query<{ id: number }>('SELECT id FROM orders WHERE customer_id = $1 ORDER BY id', [customerId]);
  return rows.map((r) => Number(r.id));
}

function expectCreated(answer: Answer, what: string): { id: number } {
  expect(answer.status, `${what}: expected 201 with the new order; got ${showAnswer(answer).slice(0, 300)}`).toBe(201);
  expect(typeof answer.json?.id, `${what}: the id of the new order in the body`).toBe('number');
  return answer.json;
}

function expectSameAnswer(answer: Answer, first: Answer, what: string): void {
  expect(answer.status, `${what}: the stored status (${first.status}); got ${showAnswer(answer).slice(0, 300)}`).toBe(first.status);
  expect(answer.headers.get('Content-Type'), `${what}: the stored Content-Type`).toBe(first.headers.get('Content-Type'));
  expectEqual(answer.json, first.json, `${what}: the stored body`);
}

test('POST creates the order once: a replay returns the stored 201 and body', { task: 4, points: 4 }, async () => {
  // The table holds an order before Orders starts.
  const s = await shop({ before: (db) => insertRows(db, [{ id: 900_001, at: '2026-03-29 03:00:00+02', customerId: LODZ.id }]) });
  await s.clock.advance(5);
  const first = await s.post(mugs(), '"a4e1c7d2-0001"');
  const created = expectCreated(first, 'POST /orders, first try');
  expect(first.headers.get('Content-Type'), 'the Content-Type of the 201').toMatch(/^application\/json/);
  expectEqual(
    first.json,
    { id: created.id, customerId: LODZ.id, status: 'placed', lines: mugs().lines, note: '', createdAt: new Date(START + 5).toISOString() },
    'the body of the 201: the new order, created at the clock\'s time',
  );
  await s.clock.advance(60_000);
  expectSameAnswer(await s.post(mugs(), '"a4e1c7d2-0001"'), first, 'the retry a minute later, same key and body');
  const reordered = '{ "lines" : [ { "qty": 2, "sku": "THÉ-東京" }, {"qty":1,"sku":"MUG"} ],\n  "customerId": "c-Łódź-東京" }';
  expectSameAnswer(await s.post(reordered, '"a4e1c7d2-0001"'), first, 'a retry whose JSON has its keys in another order and other white space (the same payload)');
  expectEqual(await ordersOf(s, LODZ.id), [created.id, 900_001], "Łucja's orders (by id) after three tries with one key: the one there before, and one new");
  const read = await s.request('GET', `/orders/${created.id}`);
  expectEqual(read.json, first.json, `GET /orders/${created.id}`);
  const second = expectCreated(await s.post(mugs(), '"a4e1c7d2-0002"'), 'the same body with a new key (a new order)');
  expect(second.id, 'the id of the order made with the second key').not.toBe(created.id);
});



test('POST needs an Idempotency-Key and an X-Client-Id', { task: 4, points: 2 }, async () => {
  const s = await shop();
  const body = JSON.stringify(mugs());
  for (const [headers, what] of [
    [{ 'X-Client-Id': 'web-shop' }, 'without Idempotency-Key'],
    [{ 'X-Client-Id': 'web-shop', 'Idempotency-Key': '' }, 'with an empty Idempotency-Key'],
    [{ 'Idempotency-Key': '"k-1"' }, 'without X-Client-Id'],
    [{ 'Idempotency-Key': '"k-1"', 'X-Client-Id': '' }, 'with an empty X-Client-Id'],
  ] as [Record<string, string>, string][]) {
    expectProblem(await s.request('POST', '/orders', { body, headers }), 'missing-header', `POST /orders ${what}`);
  }
  expect(await orderCount(s.db), 'orders after POSTs that lacked a header').toBe(0);
});

test('an outcome is stored, a refusal too: an unknown customer\'s 422 is replayed; a 503 and an invalid body are not stored', { task: 4, points: 3 }, async () => {
  const s = await shop();
  const stranger = { customerId: 'c-404', lines: [{ sku: 'MUG', qty: 1 }] };
  const refused = await s.post(stranger, '"k-stranger"');
  expectProblem(refused, 'unknown-customer', 'POST /orders for c-404, whom Customers does not know');
  s.directory.add({ id: 'c-404', name: 'Nadia', email: 'nadia@example.com' });
  const replayed = await s.post(stranger, '"k-stranger"');
  expectProblem(replayed, 'unknown-customer', 'the retry with the same key after Customers learned c-404 (the stored 422 comes back)');
  expectSameAnswer(replayed, refused, 'the retry of the refused order');
  expectCreated(await s.post(stranger, '"k-stranger-2"'), 'the same order for c-404 with a new key');

  await s.network.crash('customers');
  expectProblem(await s.post(mugs(), '"k-down"'), 'dependency-unavailable', 'POST /orders while Customers is down');
  await s.network.restart('customers');
  expectCreated(await s.post(mugs(), '"k-down"'), 'the retry with the same key once Customers is back (the 503 was not stored)');
  s.directory.failWith = 500;
  expectProblem(await s.post(mugs(3), '"k-failing"'), 'dependency-unavailable', 'POST /orders while Customers answers 500');
  s.directory.failWith = undefined;
  expectCreated(await s.post(mugs(3), '"k-failing"'), 'the retry once Customers answers again');

  const invalid = { customerId: ZOE.id, lines: [{ sku: 'MUG', qty: 0 }] };
  expectProblem(await s.post(invalid, '"k-invalid"'), 'validation-failed', 'POST /orders with qty 0');
  expectCreated(await s.post({ customerId: ZOE.id, lines: [{ sku: 'MUG', qty: 1 }] }, '"k-invalid"'), 'the corrected order with the same key (an invalid body is not stored: it was never processed)');
  expect(await orderCount(s.db), 'orders made in this test').toBe(4);
});

test('the same key with another payload is a 422 problem', { task: 4, points: 3 }, async () => {
  const s = await shop();
  const first = await s.post(mugs(2), '"k-1"');
  expectCreated(first, 'POST /orders');
  for (const [body, what] of [
    [mugs(3), 'another quantity'],
    [{ ...mugs(2), customerId: ZOE.id }, 'another customer'],
    [{ customerId: LODZ.id, lines: [...mugs(2).lines, { sku: 'CUP', qty: 1 }] }, 'one more line'],
  ] as [unknown, string][]) {
    expectProblem(await s.post(body, '"k-1"'), 'idempotency-key-reused', `the key of a created order sent again with ${what}`);
  }
  expectSameAnswer(await s.post(mugs(2), '"k-1"'), first, 'the key with its own body, after the refused reuses');
  expect(await orderCount(s.db), 'orders after one POST, three reuses of its key and a replay').toBe(1);
});

test('a retry while the first request is still running gets 409', { task: 4, points: 4, timeoutMs: 10_000 }, async () => {
  const s = await shop();
  s.directory.delayMs = 100; // Customers takes 100 ms on the clock to answer
  const first = s.post(mugs(), '"k-slow"');
  const asked = await waitUntil(() => s.directory.requests.length === 1, 5_000, first);
  expect(asked, 'Customers was asked about the customer of the first POST').toBe(true);
  const retry = await settledSoon(s.post(mugs(), '"k-slow"'));
  if (!retry.done) {
    await s.clock.advance(1_000);
    throw new Error('The retry with the same key, sent while the first POST waited for Customers, did not answer at once: it waited for the first. It should get a 409 problem (request-in-progress) right away.');
  }
  expectProblem(retry.value!, 'request-in-progress', 'the retry with the same key while the first POST still runs');
  const other = s.post({ customerId: OMAR.id, lines: [{ sku: 'MUG', qty: 1 }] }, '"k-other"');
  expect(await waitUntil(() => s.directory.requests.length === 2, 5_000, other), 'Customers was asked about the customer of a POST with another key, sent while the first still runs').toBe(true);
  await s.clock.advance(100);
  const created = expectCreated(await first, 'the first POST, once Customers answered');
  expectCreated(await other, 'a POST with another key sent meanwhile');
  const after = await s.post(mugs(), '"k-slow"');
  expect(after.json?.id, `the retry after the first finished: its stored 201; got ${showAnswer(after).slice(0, 200)}`).toBe(created.id);
  expect(after.status, 'the status of that retry').toBe(201);
  expect(await ordersOf(s, LODZ.id), 'Łucja\'s orders: one').toEqual([created.id]);
});

test('keys are scoped per client', { task: 4, points: 2 }, async () => {
  const s = await shop();
  const web = expectCreated(await s.post(mugs(), '"k-1"', 'web-shop'), 'web-shop, key k-1');
  const app = expectCreated(await s.post(mugs(), '"k-1"', 'mobile-app'), 'mobile-app, the same key and body: another client, another order');
  expect(app.id, 'the two clients\' orders').not.toBe(web.id);
  expectCreated(await s.post(mugs(5), '"k-2"', 'mobile-app'), 'mobile-app, key k-2');
  expectProblem(await s.post(mugs(7), '"k-2"', 'mobile-app'), 'idempotency-key-reused', "mobile-app reusing its own key k-2 with another body");
  expectCreated(await s.post(mugs(7), '"k-2"', 'web-shop'), 'web-shop using k-2, which only mobile-app had used');
  const a = expectCreated(await s.post(mugs(1), 'eu:7', 'shop'), 'client "shop", key "eu:7"');
  const b = expectCreated(await s.post(mugs(1), '7', 'shop:eu'), 'client "shop:eu", key "7" (not the same pair, however they are joined)');
  expect(b.id, 'the orders of ("shop", "eu:7") and ("shop:eu", "7")').not.toBe(a.id);
  expect(await orderCount(s.db), 'orders').toBe(6);
});

test('a crash at any write of a POST never makes a second order', { task: 4, points: 5 }, async () => {
  const s = await shop();
  let crashes = 0;
  for (let n = 1; n <= 12; n++) {
    const body = { customerId: ZOE.id, lines: [{ sku: `CRASH-${n}`, qty: 1 }] };
    const key = `"k-crash-${n}"`;
    crashOnWrite(s.db, n);
    const attempt = await s.post(body, key);
    clearFaults(s.db);
    const { rows } = await s.db.query<{ id: number }>("SELECT id FROM orders WHERE lines @> $1::jsonb", [JSON.stringify([{ sku: `CRASH-${n}` }])]);
    if (attempt.status === 201) {
      expect(crashes, 'POSTs that crashed before one ran through without reaching its crash: a POST writes at least once').toBeGreaterThan(0);
      expect(rows.length, `orders with CRASH-${n} after a POST that ran through`).toBe(1);
      break;
    }
    crashes += 1;
    expect(attempt.status >= 500, `POST /orders whose write #${n} crashed: an error answer; got ${showAnswer(attempt).slice(0, 200)}`).toBe(true);
    // Odd writes: the process died, its memory is gone and its database is not. Even writes: it lives on.
    const restarted = n % 2 === 1;
    if (restarted) await s.network.restart('orders');
    const retry = await s.post(body, key);
    const created = expectCreated(retry, `the retry with the same key after a crash at write #${n}${restarted ? ' and a restart' : ', Orders still running (the crashed request has ended: it is not running any more)'}`);
    const after = await s.db.query<{ id: number }>("SELECT id FROM orders WHERE lines @> $1::jsonb", [JSON.stringify([{ sku: `CRASH-${n}` }])]);
    expect(after.rows.map((r) => Number(r.id)), `orders with CRASH-${n} after the crash at write #${n} and the retry: exactly the one the retry answered (rows before the retry: ${rows.length})`).toEqual([created.id]);
    expectSameAnswer(await s.post(body, key), retry, `one more retry after the crash at write #${n}`);
  }
  expect(crashes, 'crashes caused (the loop stops at the first POST that runs through)').toBeGreaterThan(0);
});

test('a key is remembered for 24 hours, then forgotten', { task: 4, points: 2 }, async () => {
  const s = await shop();
  const first = await s.post(mugs(), '"k-day"');
  expectCreated(first, 'POST /orders');
  await s.clock.advance(KEY_TTL_MS - 1);
  expectSameAnswer(await s.post(mugs(), '"k-day"'), first, 'the retry 1 ms before 24 hours have passed');
  expectProblem(await s.post(mugs(4), '"k-day"'), 'idempotency-key-reused', 'the key with another body 1 ms before 24 hours');
  await s.clock.advance(1);
  const later = expectCreated(await s.post(mugs(4), '"k-day"'), 'the key with another body exactly 24 hours after its first use (forgotten: a new request)');
  expect(later.id, 'the order made with the expired key').not.toBe(first.json.id);
  await s.clock.advance(KEY_TTL_MS - 1);
  expect((await s.post(mugs(4), '"k-day"')).json?.id, 'its retry within the new 24 hours').toBe(later.id);
});
