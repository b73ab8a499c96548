/**
 * CI-only checks: the behaviour of graded tests on bodies, sizes, timestamps, tokens, payloads
 * and delays drawn from the run's seed, so an answer fitted to the visible examples fails in CI.
 */
import { ciCheck, expect, expectEqual } from 'labkit/test';
import { orderFromRow } from '../../src/shop.ts';
import {
  changedAt,
  expectFieldErrors,
  expectProblem,
  insertRows,
  newestFirst,
  settledSoon,
  shift,
  shop,
  showAnswer,
  walk,
  waitUntil,
  ZOE,
  ZONES,
  type RowSpec,
} from '../helpers.ts';

type Random = () => number;
const int = (random: Random, below: number) => Math.floor(random() * below);
const pick = <T,>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;

/** A value for a text field and whether it is valid (a non-blank string of 1 to 64 characters). */
function textValue(random: Random): [unknown, boolean] {
  return pick(random, [
    [`c-${int(random, 1e6)}`, true],
    ['Ł'.repeat(1 + int(random, 64)), true],
    ['', false],
    [' '.repeat(1 + int(random, 5)), false],
    [int(random, 100), false],
    [null, false],
    ['x'.repeat(65 + int(random, 20)), false],
    [['c-07'], false],
  ] as [unknown, boolean][]);
}

function qtyValue(random: Random): [unknown, boolean] {
  return pick(random, [
    [1 + int(random, 99), true],
    [0, false],
    [-1 - int(random, 50), false],
    [100 + int(random, 1000), false],
    [int(random, 98) + 1.5, false],
    [String(1 + int(random, 9)), false],
    [null, false],
  ] as [unknown, boolean][]);
}

ciCheck('an invalid order is a 422 problem that lists every wrong field, and nothing is stored', async ({ random }) => {
  const s = await shop();
  for (let round = 0; round < 40; round++) {
    const body: Record<string, unknown> = {};
    const wrong: string[] = [];
    if (random() < 0.9) {
      const [value, ok] = textValue(random);
      body.customerId = value;
      if (!ok) wrong.push('customerId');
    } else wrong.push('customerId');
    const count = pick(random, [0, 1, 2, 3, 51]);
    if (count === 0 || count === 51) {
      body.lines = Array.from({ length: count }, (_, i) => ({ sku: `S-${i}`, qty: 1 }));
      wrong.push('lines');
    } else {
      body.lines = Array.from({ length: count }, (_, i) => {
        const line: Record<string, unknown> = {};
        const [sku, skuOk] = textValue(random);
        const [qty, qtyOk] = qtyValue(random);
        line.sku = sku;
        line.qty = qty;
        if (!skuOk) wrong.push(`lines[${i}].sku`);
        if (!qtyOk) wrong.push(`lines[${i}].qty`);
        if (random() < 0.15) {
          line.priceCents = 100;
          wrong.push(`lines[${i}].priceCents`);
        }
        return line;
      });
    }
    if (random() < 0.15) {
      body.discount = 'FREE';
      wrong.push('discount');
    }
    if (wrong.length === 0) continue;
    const what = `POST /orders with ${JSON.stringify(body).slice(0, 200)}`;
    expectFieldErrors(expectProblem(await s.post(body, `"ci-${round}"`), 'validation-failed', what), wrong, what);
  }
  const { rows } = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
  expect(rows[0]!.n, 'orders after only invalid POSTs').toBe(0);
});

ciCheck('page_size must be a whole number from 1, or the list is a 400 problem', async ({ random }) => {
  const s = await shop();
  for (let round = 0; round < 20; round++) {
    const digits = String(1 + int(random, 500));
    const size = pick(random, [`${digits}.${int(random, 10)}`, `-${digits}`, `${digits}${pick(random, ['a', 'e1', ' ', '%', '_'])}`, `${pick(random, ['+', ' ', 'x'])}${digits}`, `${digits}e${int(random, 3)}`, '0'.repeat(1 + int(random, 4))]);
    const path = `/orders?page_size=${encodeURIComponent(size)}`;
    expectFieldErrors(expectProblem(await s.request('GET', path), 'invalid-parameter', `GET ${path}`), ['page_size'], `GET ${path}`);
  }
});

ciCheck('page_size defaults to 20 and is capped at 100', async ({ random }) => {
  const s = await shop();
  await insertRows(
    s.db,
    Array.from({ length: 120 }, (_, i) => ({ id: 5_000 + i * 3, at: `2026-03-29 01:${String(10 + (i % 40)).padStart(2, '0')}:00.${String(int(random, 1e6)).padStart(6, '0')}+00` })),
  );
  for (let round = 0; round < 8; round++) {
    const size = 1 + int(random, 400);
    const answer = await s.request('GET', `/orders?page_size=${size}`);
    expect(answer.json?.orders?.length, `orders on the first page of GET /orders?page_size=${size} (120 stored); got ${showAnswer(answer).slice(0, 200)}`).toBe(Math.min(size, 100, 120));
  }
});

ciCheck('timestamps with microseconds, ties and other time zones neither skip nor repeat a row', async ({ random }) => {
  const s = await shop();
  const rows: RowSpec[] = [];
  const used = new Set<number>();
  const base = Array.from({ length: 5 }, () => `2026-03-29 03:30:0${int(random, 10)}.${String(int(random, 1e6)).padStart(6, '0')}+02`);
  for (let i = 0; i < 30; i++) {
    let id = 1 + int(random, 100_000);
    while (used.has(id)) id += 1;
    used.add(id);
    const at = pick(random, base);
    const micros = Number(at.slice(20, 26));
    const near = random() < 0.5 ? at : `${at.slice(0, 20)}${String(Math.max(0, Math.min(999_999, micros + pick(random, [-1, 1, -2, 2])))).padStart(6, '0')}+02`;
    rows.push({ id, at: shift(near, pick(random, ZONES)) });
  }
  await insertRows(s.db, rows);
  const expected = await newestFirst(s.db);
  for (let round = 0; round < 3; round++) {
    const size = 1 + int(random, 8);
    const { pages } = await walk(s, `page_size=${size}`);
    expectEqual(pages.flat(), expected, `all 30 ids walking with page_size=${size} over timestamps ${JSON.stringify(base)} and their 1-2 µs neighbours`);
  }
  const first = await s.request('GET', '/orders?page_size=1');
  const { rows: top } = await s.db.query('SELECT * FROM orders WHERE id = $1', [expected[0]!]);
  expectEqual(first.json?.orders, [orderFromRow(top[0]!)], 'the first page of one order');
});

ciCheck('a changed, truncated, made-up or foreign page token is a 400 problem', async ({ random }) => {
  const s = await shop();
  await insertRows(s.db, Array.from({ length: 12 }, (_, i) => ({ id: 300 + i * 11, at: `2026-03-29 01:20:${String(i).padStart(2, '0')}.${String(int(random, 1e6)).padStart(6, '0')}+00` })));
  const token: string = (await s.request('GET', `/orders?page_size=${2 + int(random, 5)}`)).json?.nextPageToken;
  expect(typeof token, 'the first page\'s nextPageToken').toBe('string');
  for (let round = 0; round < 12; round++) {
    const at = int(random, token.length - 2);
    const bad = pick(random, [changedAt(token, at), token.slice(0, at), token.slice(0, at) + token.slice(at + 1), token + changedAt(token, at).slice(at, at + 1 + int(random, 4))]);
    if (bad === token) continue;
    const path = `/orders?page_token=${encodeURIComponent(bad)}`;
    expectProblem(await s.request('GET', path), 'invalid-parameter', `GET /orders with the token ${JSON.stringify(token)} changed to ${JSON.stringify(bad)}`);
  }
});

ciCheck('the same key with another payload is a 422 problem', async ({ random }) => {
  const s = await shop();
  const lines = Array.from({ length: 1 + int(random, 4) }, (_, i) => ({ sku: `SKU-${i}-${int(random, 1000)}`, qty: 1 + int(random, 98) }));
  const body = { customerId: ZOE.id, lines };
  const first = await s.post(body, '"ci-key"');
  expect(first.status, `POST /orders; got ${showAnswer(first).slice(0, 200)}`).toBe(201);
  for (let round = 0; round < 6; round++) {
    const changed = structuredClone(lines);
    const i = int(random, changed.length);
    if (random() < 0.5) changed[i]!.qty = changed[i]!.qty === 99 ? 98 : changed[i]!.qty + 1;
    else changed[i]!.sku += 'X';
    expectProblem(await s.post({ customerId: ZOE.id, lines: changed }, '"ci-key"'), 'idempotency-key-reused', `the key again with lines ${JSON.stringify(changed)} (first: ${JSON.stringify(lines)})`);
    const shuffledKeys = `{"lines":${JSON.stringify(lines.map((l) => ({ qty: l.qty, sku: l.sku })))},${' '.repeat(int(random, 4))}"customerId":"${ZOE.id}"}`;
    const replay = await s.post(shuffledKeys, '"ci-key"');
    expectEqual(replay.json, first.json, `the key with the same payload written ${shuffledKeys}`);
  }
});

ciCheck('a slow service is left out after 200 ms on the clock and named in missing', async ({ random }) => {
  const s = await shop();
  await insertRows(s.db, [{ id: 42, at: '2026-03-29 03:00:00+02', customerId: ZOE.id }]);
  for (let round = 0; round < 4; round++) {
    const slow = random() < 0.5 ? 'customers' : 'shipping';
    const delay = random() < 0.5 ? 1 + int(random, 190) : 210 + int(random, 5_000);
    s.directory.delayMs = slow === 'customers' ? delay : 0;
    s.book.delayMs = slow === 'shipping' ? delay : 0;
    s.directory.requests.length = 0;
    s.book.requests.length = 0;
    const answer = s.request('GET', '/orders/42/details');
    await waitUntil(() => s.directory.requests.length > 0 && s.book.requests.length > 0);
    if (delay < 200) {
      await s.clock.advance(delay);
      await settledSoon(answer, 500);
      await s.clock.advance(200 - delay);
    } else {
      await s.clock.advance(200);
    }
    const got = await settledSoon(answer);
    expect(got.done, `${slow} answering after ${delay} ms: the details had not answered 200 ms after the calls`).toBe(true);
    expectEqual(got.value!.json?.missing, delay < 200 ? [] : [slow], `missing when ${slow} answers after ${delay} ms (the limit is 200 ms)`);
    await s.clock.advance(5_000);
  }
});
