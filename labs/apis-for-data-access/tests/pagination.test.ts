import { pg } from 'labkit/db';
import { scheduleSeeds, seededRandom, withSeed } from 'labkit/faults';
import { createNetwork } from 'labkit/service';
import { expect, expectEqual, showValue, test } from 'labkit/test';
import { ordersService } from '../src/orders-api.ts';
import { orderFromRow } from '../src/shop.ts';
import { changedAt, expectFieldErrors, expectProblem, insertRows, keyBytes, newestFirst, readings, shift, shop, showAnswer, walk, ZONES, type RowSpec } from './helpers.ts';

/** `count` rows with ids that have gaps, created in groups that share a timestamp, with microseconds, written in several time zones. */
function tiedRows(count: number, firstId = 900_001): RowSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const group = Math.floor(i / 4);
    const micros = String(100_000 + group * 1_111).padStart(6, '0');
    return { id: firstId + i * 7 + (i % 3), at: `2026-03-29 01:${String(10 + group).padStart(2, '0')}:00.${micros}+00`, note: i % 5 === 0 ? 'fragile: 陶器' : '' };
  });
}

test('pages run newest first by created_at then id, and the last page has no next token', { task: 2, points: 4 }, async () => {
  const s = await shop();
  const empty = await s.request('GET', '/orders');
  expectEqual(empty.json, { orders: [], nextPageToken: null }, 'GET /orders on an empty table');
  await insertRows(s.db, tiedRows(47));
  const expected = await newestFirst(s.db);
  const { pages, tokens } = await walk(s, 'page_size=10');
  expect(pages.map((p) => p.length), `page sizes walking 47 orders with page_size=10 (got the ids ${showValue(pages)}; a page after the first starts right after the (created_at, id) of the last row before it, with microseconds)`).toEqual([10, 10, 10, 10, 7]);
  expectEqual(pages.flat(), expected, 'the ids of all pages, in order: created_at descending, then id descending');
  expect(tokens.slice(0, -1).every((t) => typeof t === 'string'), 'every page but the last has a nextPageToken').toBe(true);

  const first = await s.request('GET', '/orders?page_size=1');
  const { rows } = await s.db.query('SELECT * FROM orders WHERE id = $1', [expected[0]!]);
  expectEqual(first.json.orders, [orderFromRow(rows[0]!)], 'GET /orders?page_size=1: the newest order, as orderFromRow shows it');

  await s.db.query('DELETE FROM orders WHERE id = ANY($1::bigint[])', [expected.slice(40)]);
  const exact = await walk(s, 'page_size=10');
  expect(exact.pages.map((p) => p.length), 'page sizes walking exactly 40 orders with page_size=10: the fourth page is the last, with nextPageToken null, not followed by an empty page').toEqual([10, 10, 10, 10]);
});

test('page_size defaults to 20 and is capped at 100', { task: 2, points: 2 }, async () => {
  const s = await shop();
  await insertRows(s.db, tiedRows(130));
  for (const [query, size] of [
    ['', 20],
    ['page_size=1', 1],
    ['page_size=007', 7],
    ['page_size=100', 100],
    ['page_size=101', 100],
    ['page_size=500', 100],
    ['page_size=99999999999999999999', 100],
  ] as const) {
    const answer = await s.request('GET', `/orders?${query}`);
    expect(answer.json?.orders?.length, `orders on the first page of GET /orders?${query} (130 orders stored); got ${showAnswer(answer).slice(0, 200)}`).toBe(size);
  }
});

test('timestamps with microseconds, ties and other time zones neither skip nor repeat a row', { task: 2, points: 4 }, async () => {
  const s = await shop();
  // Neighbours one microsecond apart, so a cursor cut to milliseconds lands between them; ties; offsets from -11 to +14.
  const rows: RowSpec[] = [];
  let id = 700_003;
  for (let second = 0; second < 6; second++) {
    for (const micros of ['999999', '999998', '000001', '000000', '500000', '500000', '500000']) {
      rows.push({ id, at: `2026-03-29 03:30:0${second}.${micros}+02` });
      id += 1 + (id % 4);
    }
  }
  const shifted = rows.map((row, i) => {
    const zone = ZONES[i % ZONES.length]!;
    return { ...row, at: shift(row.at, zone) };
  });
  await insertRows(s.db, shifted);
  const owner = await pg();
  await owner.exec("SET TIME ZONE 'America/St_Johns'");
  const expected = await newestFirst(s.db);
  for (const size of [1, 2, 3, 4, 7]) {
    const { pages } = await walk(s, `page_size=${size}`);
    expectEqual(pages.flat(), expected, `all ${expected.length} ids walking with page_size=${size} (timestamps 1 µs apart, ties, offsets -11 to +14, session time zone America/St_Johns)`);
  }
});

test('page tokens are opaque: no id or time can be read from them', { task: 2, points: 3 }, async () => {
  const s = await shop();
  const rows: RowSpec[] = [
    { id: 733_331, at: '2026-03-29 03:30:00.987654+02' },
    { id: 733_337, at: '2026-03-29 03:30:00.987654+02' },
    { id: 733_349, at: '2026-03-29 01:29:59.246813+00' },
    { id: 733_351, at: '2026-03-28 20:00:00.135792-05' },
  ];
  await insertRows(s.db, rows);
  const { pages, tokens } = await walk(s, 'page_size=1');
  for (const [i, token] of tokens.entries()) {
    if (token === null) continue;
    const id = pages[i]![0]!;
    const at = rows.find((r) => r.id === id)!.at;
    const ms = Date.parse(at.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
    const micros = at.slice(20, 26);
    const forbidden = [String(id), new Date(ms).toISOString().slice(0, 10), at.slice(0, 10), String(Math.floor(ms / 1000)), String(ms), micros, new Date(ms).toISOString().slice(11, 19)];
    for (const reading of readings(token)) {
      for (const part of forbidden) {
        if (reading.includes(part)) {
          throw new Error(`The page token after order ${id} (${at}) is ${JSON.stringify(token)}; read as it is or decoded from base64/hex, it shows ${JSON.stringify(part)}. A token must be opaque: seal the position with AES-GCM under the cursor key, do not just encode or sign it.`);
        }
      }
    }
  }
});

test('a changed, truncated, made-up or foreign page token is a 400 problem', { task: 2, points: 3 }, async () => {
  const s = await shop();
  await insertRows(s.db, tiedRows(10));
  const first = await s.request('GET', '/orders?page_size=3');
  const token: string = first.json?.nextPageToken;
  expect(typeof token, `GET /orders?page_size=3 with 10 orders: nextPageToken; got ${showAnswer(first).slice(0, 200)}`).toBe('string');
  const second = await s.request('GET', `/orders?page_size=3&page_token=${encodeURIComponent(token)}`);

  const other = createNetwork();
  await other.start(ordersService, { db: s.db, clock: s.clock, fetch: other.fetch, cursorKey: keyBytes(2) });
  const foreign = (await other.call('orders', '/orders?page_size=3').then((r) => r.json())) as { nextPageToken: string };

  const bad: [string, string][] = [
    [changedAt(token, 2), 'one character changed near the start'],
    [changedAt(token, Math.floor(token.length / 2)), 'one character changed in the middle'],
    [changedAt(token, token.length - 3), 'one character changed near the end'],
    [token.slice(0, -4), 'the last 4 characters cut off'],
    [token.slice(0, 10), 'only the first 10 characters'],
    [token + token.slice(0, 4), '4 characters added'],
    ['abc', 'made up'],
    ['', 'empty'],
    [btoa(JSON.stringify({ id: 900_001, createdAt: '2026-03-29T01:10:00.100Z' })), 'a made-up base64 JSON position'],
    [foreign.nextPageToken, 'sealed by another Orders with another cursor key'],
  ];
  for (const [text, how] of bad) {
    const path = `/orders?page_size=3&page_token=${encodeURIComponent(text)}`;
    const problem = expectProblem(await s.request('GET', path), 'invalid-parameter', `GET /orders with a page token ${how}`);
    expectFieldErrors(problem, ['page_token'], `GET /orders with a page token ${how}`);
  }
  await s.network.restart('orders');
  const again = await s.request('GET', `/orders?page_size=3&page_token=${encodeURIComponent(token)}`);
  expect(again.status, `the same token after Orders restarted with the same cursor key; got ${showAnswer(again).slice(0, 200)}`).toBe(200);
  expectEqual(again.json.orders, second.json.orders, 'the second page after a restart, with the same token');
});

test('100 seeded schedules of inserts and deletes between pages never skip or repeat a row', { task: 2, points: 6, timeoutMs: 60_000 }, async () => {
  const s = await shop();
  for (const seed of scheduleSeeds(100)) {
    await withSeed(seed, async () => {
      const random = seededRandom(seed);
      const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      await s.db.query('DELETE FROM orders');
      const stamps = Array.from({ length: 6 }, (_, i) => `2026-03-29 01:${String(10 + i * 3).padStart(2, '0')}:00.${String(Math.floor(random() * 1e6)).padStart(6, '0')}+00`);
      const count = 10 + Math.floor(random() * 16);
      /** Every id ever written in this schedule and its created_at, deleted or not: ids are never reused. */
      const ats = new Map<number, string>();
      const rows: RowSpec[] = [];
      let nextId = 1_000 + Math.floor(random() * 50);
      for (let i = 0; i < count; i++) {
        nextId += 2 + Math.floor(random() * 5);
        const at = pick(stamps);
        rows.push({ id: nextId, at });
        ats.set(nextId, at);
      }
      await insertRows(s.db, rows);
      const alive = new Set(rows.map((r) => r.id));
      /** Present from the start of the walk to its end: each must appear exactly once. */
      const throughout = new Set(alive);
      const log: string[] = [];
      const size = 2 + Math.floor(random() * 6);
      const fresh = (near: number) => {
        let id = near;
        while (ats.has(id)) id += 1 + Math.floor(random() * 3);
        return id;
      };
      const { pages } = await walk(s, `page_size=${size}`, async (page) => {
        const boundary = page[page.length - 1]!;
        for (let op = Math.floor(random() * 4); op > 0; op--) {
          const roll = random();
          let row: RowSpec | undefined;
          if (roll < 0.2) row = { id: fresh(boundary + 1), at: ats.get(boundary)! };
          else if (roll < 0.4) row = { id: fresh(Math.max(1, boundary - 1 - Math.floor(random() * 3))), at: ats.get(boundary)! };
          else if (roll < 0.55) row = { id: fresh(nextId + 1), at: '2026-03-29 02:00:00.000001+00' };
          else if (roll < 0.7) row = { id: fresh(Math.floor(random() * 2_000) + 1), at: pick(stamps) };
          if (row) {
            await insertRows(s.db, [row]);
            ats.set(row.id, row.at);
            alive.add(row.id);
            log.push(`insert ${row.id} at ${row.at}`);
          } else {
            const victim = roll < 0.8 ? boundary : pick([...alive]);
            if (!alive.has(victim)) continue;
            await s.db.query('DELETE FROM orders WHERE id = $1', [victim]);
            alive.delete(victim);
            throughout.delete(victim);
            log.push(`delete ${victim}`);
          }
        }
        log.push(`| after the page ending at ${boundary}`);
      });
      const seen = pages.flat();
      const counts = new Map<number, number>();
      for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
      const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
      const skipped = [...throughout].filter((id) => !counts.has(id));
      const ghosts = seen.filter((id) => !ats.has(id));
      if (repeated.length > 0 || skipped.length > 0 || ghosts.length > 0) {
        throw new Error(
          `Walking ${count} orders with page_size=${size} while rows came and went: ` +
            (repeated.length ? `repeated ${showValue(repeated)}; ` : '') +
            (skipped.length ? `skipped ${showValue(skipped)} (present from start to end); ` : '') +
            (ghosts.length ? `showed ids that never existed ${showValue(ghosts)}; ` : '') +
            `pages ${showValue(pages)}; between pages: ${log.join(', ').slice(0, 600)}. Each order present during the whole walk appears exactly once; the cursor is the (created_at, id) of the last row, compared with microseconds.`,
        );
      }
    });
  }
});
