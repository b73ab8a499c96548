/**
 * Helpers shared by the test files: the shop on a labkit network (Customers, Shipping and your
 * Orders API on Orders' own schema, with a test clock), requests that read the whole answer,
 * what a problem details answer must look like, and rows written straight into the database.
 */
import { createClock, type Clock } from 'labkit/clock';
import { pg, pgSchema, type Pg } from 'labkit/db';
import { createNetwork, type Network } from 'labkit/service';
import { expect, showValue } from 'labkit/test';
import { CustomerDirectory, customersService, type Customer } from '../src/customers.ts';
import { ordersService } from '../src/orders-api.ts';
import { ShipmentBook, shippingService } from '../src/shipping.ts';
import { createOrdersTable, PROBLEM_BASE, PROBLEM_TYPES, type OrderLine, type OrderStatus, type ProblemType } from '../src/shop.ts';

/** Where the test clock starts: 2026-03-29T01:30:00.011Z, the night Europe moves its clocks, far past 2^32 ms. */
export const START = Date.UTC(2026, 2, 29, 1, 30, 0, 11);

export const ZOE: Customer = { id: 'c-07', name: 'Zoë Ça', email: 'zoe@example.com' };
export const LODZ: Customer = { id: 'c-Łódź-東京', name: 'Łucja Wiśniewska', email: 'lucja@example.pl' };
export const OMAR: Customer = { id: 'c-12', name: 'عمر الفاروق', email: 'omar@example.com' };

/** 32 key bytes that depend only on `seed`. */
export function keyBytes(seed: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (seed * 131 + i * 29 + 7) % 256);
}

/** An answer read to its end: status, headers, the body's text, and its JSON when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface Shop {
  db: Pg;
  clock: Clock;
  network: Network;
  directory: CustomerDirectory;
  book: ShipmentBook;
  cursorKey: Uint8Array;
  /** Calls Orders: `body` is sent as is when it is a string, as JSON otherwise. */
  request(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<Answer>;
  /** The answer's promise, without awaiting it, for requests still running while the test goes on. */
  start(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<Answer>;
  /** POST /orders as client `client` (web-shop) with Idempotency-Key `key`. */
  post(body: unknown, key: string, client?: string): Promise<Answer>;
}

export async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * A fresh Orders schema with the orders table, Customers with three customers, Shipping with
 * none, and your Orders API, all on a new network with a test clock. A check that runs after a
 * graded test in the same database starts from an empty schema too.
 */
export async function shop(options: { cursorKey?: Uint8Array; before?: (db: Pg) => Promise<void> } = {}): Promise<Shop> {
  const owner = await pg();
  await owner.exec('DROP SCHEMA IF EXISTS orders CASCADE');
  const db = await pgSchema('orders');
  await createOrdersTable(db);
  await options.before?.(db);
  const clock = createClock(START);
  const directory = new CustomerDirectory(clock);
  for (const customer of [ZOE, LODZ, OMAR]) directory.add(customer);
  const book = new ShipmentBook(clock);
  const network = createNetwork();
  const cursorKey = options.cursorKey ?? keyBytes(1);
  await network.start(customersService, { directory });
  await network.start(shippingService, { book });
  await network.start(ordersService, { db, clock, fetch: network.fetch, cursorKey });
  const start: Shop['start'] = (method, path, { body, headers = {} } = {}) =>
    network
      .call('orders', path, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      })
      .then(read);
  return {
    db,
    clock,
    network,
    directory,
    book,
    cursorKey,
    start,
    request: start,
    post: (body, key, client = 'web-shop') => start('POST', '/orders', { body, headers: { 'Idempotency-Key': key, 'X-Client-Id': client, 'Content-Type': 'application/json' } }),
  };
}

/** An answer in a line: `412 application/problem+json {"type":...}`. */
export function showAnswer(answer: Answer): string {
  return `${answer.status} ${answer.headers.get('Content-Type') ?? '(no Content-Type)'} ${answer.text === '' ? '(no body)' : showValue(answer.json ?? answer.text)}`;
}

/**
 * Checks that `answer` is the problem the README's table gives for this case: the status, the
 * problem+json media type, and `type`, `title`, `status`, `detail` as RFC 9457 and the README
 * say. Returns the problem's body.
 */
export function expectProblem(answer: Answer, type: ProblemType, what: string): any {
  const { status, title } = PROBLEM_TYPES[type];
  const got = showAnswer(answer);
  const fail = (rule: string) => {
    throw new Error(`${what}: expected a ${status} problem of type ${PROBLEM_BASE}${type}; got ${got}\n  ${rule}`);
  };
  if (answer.status !== status) fail(`The status should be ${status} (see the README's table of problem types).`);
  const contentType = answer.headers.get('Content-Type') ?? '';
  if (!/^application\/problem\+json\s*(;|$)/i.test(contentType)) fail('Every error answer has Content-Type: application/problem+json (RFC 9457), written by one helper in problems.ts.');
  const body = answer.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail('The body should be a JSON object with type, title, status and detail.');
  if (body.type !== PROBLEM_BASE + type) fail(`"type" should be "${PROBLEM_BASE}${type}": clients branch on the type.`);
  if (body.title !== title) fail(`"title" should be the type's fixed title from PROBLEM_TYPES in shop.ts: ${JSON.stringify(title)}.`);
  if (body.status !== status) fail(`"status" should repeat the HTTP status as a number: ${status}.`);
  if (typeof body.detail !== 'string' || body.detail.trim() === '') fail('"detail" should be a non-empty string saying what went wrong in this request.');
  return body;
}

/** Checks a problem's `errors` member: one `{ field, message }` per wrong field, compared as a set of fields. */
export function expectFieldErrors(problem: any, fields: string[], what: string): void {
  const errors = problem.errors;
  if (!Array.isArray(errors) || errors.some((e: any) => typeof e !== 'object' || e === null || typeof e.field !== 'string' || typeof e.message !== 'string' || e.message === '')) {
    throw new Error(`${what}: "errors" should be a list of { field, message } with a non-empty message; got ${showValue(errors)}`);
  }
  const got = errors.map((e: { field: string }) => e.field).sort();
  const expected = [...fields].sort();
  expect(got, `${what}: the fields named in "errors" (one entry per wrong field, every wrong field). Expected ${showValue(expected)}, got ${showValue(got)}`).toEqual(expected);
}

export interface RowSpec {
  id: number;
  /** A timestamptz literal, in any time zone: '2026-03-29 03:30:00.123456+02'. */
  at: string;
  customerId?: string;
  status?: OrderStatus;
  lines?: OrderLine[];
  note?: string;
}

/** Writes orders straight into the table, as another path to the database (a migration, a script) would. */
export async function insertRows(db: Pg, rows: RowSpec[]): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [];
  const values = rows.map((row) => {
    params.push(row.id, row.customerId ?? ZOE.id, row.status ?? 'placed', JSON.stringify(row.lines ?? [{ sku: `MUG-${row.id}`, qty: 1 }]), row.note ?? '', row.at);
    const n = params.length;
    return `($${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}::jsonb, $${n - 1}, $${n}::timestamptz)`;
  });
  await db.query(`INSERT INTO orders (id, customer_id, status, lines, note, created_at) VALUES ${values.join(', ')}`, params as never[]);
}

/** The ids of the orders in the order the README asks for, by the test's own query. */
export async function newestFirst(db: Pg): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>('SELECT id FROM orders ORDER BY created_at DESC, id DESC');
  return rows.map((r) => Number(r.id));
}

export async function orderCount(db: Pg): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
  return rows[0]!.n;
}

/** One order's row as stored, version included, to show that nothing changed. */
export async function storedRow(db: Pg, id: number): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.query('SELECT id, customer_id, status, lines, note, created_at::text AS created_at, version FROM orders WHERE id = $1', [id]);
  return rows[0];
}

/**
 * Waits, in real time (up to `ms`), until `condition` holds; says whether it did. With `unless`,
 * the request whose work the condition waits for, it stops as soon as that request has
 * answered: what it did not do by then it will not do, and a learner's Run need not wait the
 * whole `ms` for it.
 */
export async function waitUntil(condition: () => boolean, ms = 5_000, unless?: Promise<unknown>): Promise<boolean> {
  let answered = false;
  unless?.then(
    () => (answered = true),
    () => (answered = true),
  );
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (answered || performance.now() > deadline) return condition();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return true;
}

/** A promise's outcome so far, after letting real work (database queries, other services) run for a while without moving the clock. */
export async function settledSoon<T>(promise: Promise<T>, ms = 2_000): Promise<{ done: boolean; value?: T }> {
  let state: { done: boolean; value?: T } = { done: false };
  promise.then(
    (value) => (state = { done: true, value }),
    () => (state = { done: true }),
  );
  await waitUntil(() => state.done, ms);
  return state;
}

/** Follows nextPageToken from the first page to the end; each page is checked to be a 200 with a list and a token or null. */
export async function walk(s: Shop, query: string, between?: (page: number[], index: number) => Promise<void>): Promise<{ pages: number[][]; tokens: (string | null)[] }> {
  const pages: number[][] = [];
  const tokens: (string | null)[] = [];
  let token: string | null = null;
  do {
    const path: string = `/orders?${query}${token === null ? '' : `&page_token=${encodeURIComponent(token)}`}`;
    const answer: Answer = await s.request('GET', path);
    expect(answer.status, `GET ${path.slice(0, 120)} answered ${showAnswer(answer).slice(0, 300)}`).toBe(200);
    const { orders, nextPageToken } = answer.json ?? {};
    if (!Array.isArray(orders) || !(nextPageToken === null || (typeof nextPageToken === 'string' && nextPageToken !== ''))) {
      throw new Error(`GET ${path.slice(0, 120)}: expected { orders: [...], nextPageToken: "a token" or null }, got ${showValue(answer.json)}`);
    }
    pages.push(orders.map((o: { id: number }) => o.id));
    tokens.push(nextPageToken);
    token = nextPageToken;
    if (pages.length > 400) throw new Error(`GET /orders?${query}: still a nextPageToken after 400 pages; the walk never ends (pages so far end with ${showValue(pages.slice(-3))})`);
    if (token !== null && between) await between(pages[pages.length - 1]!, pages.length - 1);
  } while (token !== null);
  return { pages, tokens };
}

/** The same instant as `literal` (written at +02), written at `zone` instead. */
export function shift(literal: string, zone: string): string {
  const [date, time] = literal.slice(0, -3).split(' ') as [string, string];
  const [whole, micros] = time.split('.') as [string, string];
  const utc = Date.parse(`${date}T${whole}+02:00`);
  const sign = zone.startsWith('-') ? -1 : 1;
  const [h, m = '0'] = zone.slice(1).split(':');
  const offset = sign * (Number(h) * 60 + Number(m)) * 60_000;
  const local = new Date(utc + offset).toISOString().slice(0, 19).replace('T', ' ');
  return `${local}.${micros}${zone}`;
}


/** Offsets rows are written at. */
export const ZONES = ['+02', '+05:45', '-03:30', '+14', '-11', '+00'];

/** Every form a client could try to read a token in. */
export function readings(token: string): string[] {
  const out = [token];
  try {
    out.push(decodeURIComponent(token));
  } catch {
    // not percent-encoded
  }
  for (const text of [token, token.replace(/-/g, '+').replace(/_/g, '/')]) {
    try {
      const bytes = atob(text.replace(/[^A-Za-z0-9+/]/g, ''));
      out.push(bytes, new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0))));
    } catch {
      // not base64
    }
  }
  if (/^[0-9a-f]+$/i.test(token) && token.length % 2 === 0) {
    const bytes = Uint8Array.from(token.match(/../g)!, (h) => parseInt(h, 16));
    out.push(new TextDecoder().decode(bytes), String.fromCharCode(...bytes));
  }
  return out;
}

/** `token` with the character at `index` replaced by another character the token itself uses (not the same letter in the other case). */
export function changedAt(token: string, index: number): string {
  const c = token[index]!;
  const other = [...new Set(token)].find((x) => x.toLowerCase() !== c.toLowerCase()) ?? (c === 'A' ? 'B' : 'A');
  return token.slice(0, index) + other + token.slice(index + 1);
}

