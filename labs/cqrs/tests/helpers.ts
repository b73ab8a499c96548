/**
 * Helpers shared by the test files: the Orders write model's two roles in one PGlite, a writer
 * the tests use to make history (so tasks 2 to 5 do not depend on task 1), the tests' own record
 * of what the write model holds, the views that record implies, and a read role whose queries a
 * test can pause or fail.
 */
import { pg, pgSchema, type Pg, type PgQueries, type PgResult, type Row, type SqlValue, type Sqlite } from 'labkit/db';
import { SimulatedFailure } from 'labkit/faults';
import { expectEqual } from 'labkit/test';
import { CUSTOMER_ORDERS_DDL, ORDERS_DDL, READER_ROLE, type OrderLine, type OrderStatus, type Written } from '../src/orders-types.ts';

/** The write side (role and schema `orders`) and the read side (role `orders_reader`), which must exist before init grants to it. */
export async function openRoles(): Promise<{ writeDb: Pg; reader: Pg }> {
  const reader = await pgSchema(READER_ROLE);
  const writeDb = await pgSchema('orders');
  return { writeDb, reader };
}

// ---------------------------------------------------------------- the tests' own writer and record

export interface OrderRecord {
  id: number;
  customerId: string;
  status: OrderStatus;
  placedAt: string; // ISO, UTC
  version: number;
  lines: OrderLine[];
}

/**
 * Writes history the way the lesson's commands do (order, lines and change in one transaction),
 * without the rules: what tasks 2 to 5 project. It keeps a record of every order and change.
 */
export class History {
  readonly writeDb: Pg;
  /** PGlite's own handle, for the writes: the same tables, one round trip less per statement than the role's handle. */
  private readonly db: Pg;
  readonly orders = new Map<number, OrderRecord>();
  /** Every change written, in position order: what each command answered. */
  readonly written: Written[] = [];

  constructor(writeDb: Pg, db: Pg) {
    this.writeDb = writeDb;
    this.db = db;
  }

  /** Creates the write model's tables and grants the read role SELECT (the given setup of tasks 2 to 5). */
  static async open(writeDb: Pg): Promise<History> {
    await writeDb.exec(ORDERS_DDL);
    await writeDb.exec(`GRANT USAGE ON SCHEMA orders TO ${READER_ROLE}; GRANT SELECT ON orders, order_lines, order_changes TO ${READER_ROLE};`);
    return new History(writeDb, await pg());
  }

  get head(): number {
    return this.written.at(-1)?.position ?? 0;
  }

  async place(customerId: string, placedAt: string, lines: OrderLine[]): Promise<Written> {
    const w = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: number }>("INSERT INTO orders.orders (customer_id, status, placed_at, version) VALUES ($1, 'placed', $2, 1) RETURNING id", [customerId, placedAt]);
      const id = rows[0]!.id;
      for (const l of lines) await tx.query('INSERT INTO orders.order_lines VALUES ($1, $2, $3, $4)', [id, l.sku, l.qty, l.priceCents]);
      return { orderId: id, version: 1, position: await change(tx, id, 1, 'placed') };
    });
    this.orders.set(w.orderId, { id: w.orderId, customerId, status: 'placed', placedAt: new Date(placedAt).toISOString(), version: 1, lines });
    this.written.push(w);
    return w;
  }

  /** Moves an order to `status` (no rules checked) with one change. */
  async set(orderId: number, status: OrderStatus): Promise<Written> {
    const order = this.orders.get(orderId)!;
    const version = order.version + 1;
    const w = await this.db.transaction(async (tx) => {
      await tx.query('UPDATE orders.orders SET status = $2, version = $3 WHERE id = $1', [orderId, status, version]);
      return { orderId, version, position: await change(tx, orderId, version, status) };
    });
    order.status = status;
    order.version = version;
    this.written.push(w);
    return w;
  }

  /** Burns `n` positions of the feed's sequence, as rolled-back commands do: the feed gets a gap. */
  async gap(n: number): Promise<void> {
    await this.db.query("SELECT setval(s, nextval(s) + $1 - 1) FROM pg_get_serial_sequence('orders.order_changes', 'position') AS s", [n]);
  }

  /** Burns `n` order ids, as failed inserts do. */
  async idGap(n: number): Promise<void> {
    await this.db.query("SELECT setval(s, nextval(s) + $1 - 1) FROM pg_get_serial_sequence('orders.orders', 'id') AS s", [n]);
  }
}

async function change(tx: PgQueries, orderId: number, version: number, kind: string): Promise<number> {
  const { rows } = await tx.query<{ position: string | number }>('INSERT INTO orders.order_changes (order_id, version, kind) VALUES ($1, $2, $3) RETURNING position', [orderId, version, kind]);
  return Number(rows[0]!.position);
}

// ---------------------------------------------------------------- the shop's data

/** Customers with accents, another script and emoji. */
export const CUSTOMERS = ['maya', 'zoë', '東京-ken', 'lena 🌿'];

/** Skus with non-ASCII text, and prices up to large sums. */
export const SKUS: OrderLine[] = [
  { sku: 'CAFÉ-ÉTHIOPIE-250', qty: 1, priceCents: 1_290 },
  { sku: 'MUG-陶器', qty: 1, priceCents: 899 },
  { sku: 'TEA-07', qty: 1, priceCents: 0 },
  { sku: 'TEEKANNE-GROß', qty: 1, priceCents: 4_990 },
  { sku: 'GRAND-PIANO', qty: 1, priceCents: 1_999_999_999 },
];

/** The same night in four time zones: the local texts sort differently from the instants. */
export const TIMES = ['2026-03-29T01:30:00+01:00', '2026-03-29T03:30:00+02:00', '2026-03-28T20:15:00-05:00', '2026-03-29T09:00:00+09:00', '2026-03-29T00:45:30.250Z'];

export function lines(...items: [number, number][]): OrderLine[] {
  return items.map(([sku, qty]) => ({ ...SKUS[sku]!, qty }));
}

/**
 * A shop that already has a past: 12 orders of four customers over five time zones, with
 * payments, shipments and cancellations, gaps in the feed's positions and in the order ids.
 */
export async function pastHistory(h: History): Promise<void> {
  await h.idGap(1040);
  for (let i = 0; i < 12; i++) {
    const items: [number, number][] = [[i % 5, 1 + (i % 3)]];
    if (i % 2 === 0) items.push([(i + 2) % 5, 2]);
    if (i === 7) items.push([4, 2]); // 2 grand pianos: a total above 2^31 cents
    await h.place(CUSTOMERS[i % 4]!, TIMES[i % 5]!.replace('2026-03-2', `2026-${['01', '03', '04'][i % 3]}-2`), lines(...items));
    if (i % 4 === 1) await h.gap(2);
  }
  const ids = [...h.orders.keys()];
  await h.set(ids[0]!, 'paid');
  await h.set(ids[0]!, 'shipped');
  await h.set(ids[2]!, 'cancelled');
  await h.gap(3);
  await h.set(ids[5]!, 'paid');
  await h.set(ids[7]!, 'paid');
  await h.set(ids[5]!, 'cancelled');
  await h.idGap(5);
}

// ---------------------------------------------------------------- the views the record implies

export interface ViewRow {
  order_id: number;
  customer_id: string;
  status: string;
  item_count: number;
  total_cents: number;
  placed_at: string;
  version: number;
}

export function expectedView(h: History): ViewRow[] {
  return [...h.orders.values()]
    .map((o) => ({
      order_id: o.id,
      customer_id: o.customerId,
      status: o.status,
      item_count: o.lines.reduce((s, l) => s + l.qty, 0),
      total_cents: o.lines.reduce((s, l) => s + l.qty * l.priceCents, 0),
      placed_at: o.placedAt,
      version: o.version,
    }))
    .sort((a, b) => a.order_id - b.order_id);
}

export function viewRows(store: Sqlite): ViewRow[] {
  return store.all<ViewRow>('SELECT order_id, customer_id, status, item_count, total_cents, placed_at, version FROM customer_orders ORDER BY order_id');
}

/** The view must equal the write model, row by row; the failure lists the rows that differ. */
export function expectView(store: Sqlite, h: History, when: string): void {
  expectEqual(byId(viewRows(store)), byId(expectedView(h)), `${when}: customer_orders (by order id) against the write model`);
}

function byId(rows: ViewRow[]): Record<string, Omit<ViewRow, 'order_id'>> {
  return Object.fromEntries(rows.map(({ order_id, ...rest }) => [`order ${order_id}`, rest]));
}

export interface SalesRow {
  sku: string;
  units: number;
  revenue_cents: number;
}

export function expectedSales(h: History): Record<string, { units: number; revenue_cents: number }> {
  const out: Record<string, { units: number; revenue_cents: number }> = {};
  for (const o of h.orders.values()) {
    if (o.status === 'cancelled') continue;
    for (const l of o.lines) {
      const s = (out[l.sku] ??= { units: 0, revenue_cents: 0 });
      s.units += l.qty;
      s.revenue_cents += l.qty * l.priceCents;
    }
  }
  return out;
}

export function salesRows(store: Sqlite): Record<string, { units: number; revenue_cents: number }> {
  return Object.fromEntries(store.all<SalesRow>('SELECT sku, units, revenue_cents FROM sku_sales ORDER BY sku').map((r) => [r.sku, { units: r.units, revenue_cents: r.revenue_cents }]));
}

export function expectSales(store: Sqlite, h: History, when: string): void {
  expectEqual(salesRows(store), expectedSales(h), `${when}: sku_sales (units and revenue of the orders not cancelled) against the write model`);
}

export function checkpointOf(store: Sqlite, projector: string): number | undefined {
  return store.get<{ position: number }>('SELECT position FROM checkpoints WHERE projector = ?', [projector])?.position;
}

/** A read store that already holds a "My orders" view at some checkpoint, as the query finds it. */
export function givenView(store: Sqlite, rows: ViewRow[], position: number): void {
  store.exec(CUSTOMER_ORDERS_DDL);
  for (const r of rows) {
    store.run(
      'INSERT OR REPLACE INTO customer_orders (order_id, customer_id, status, item_count, total_cents, placed_at, version) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [r.order_id, r.customer_id, r.status, r.item_count, r.total_cents, r.placed_at, r.version],
    );
  }
  store.run("INSERT OR REPLACE INTO checkpoints (projector, position) VALUES ('customer_orders', ?)", [position]);
}

// ---------------------------------------------------------------- a read role a test can pause or fail

/**
 * The read role's handle as a projector gets it, with two controls: `pauseAfter(n)` holds the
 * projector after its nth query (outside any transaction, so other work can go on meanwhile),
 * and `failOn(n)` makes its nth query fail, as a dropped connection would.
 */
export class ControlledReader implements Pg {
  private readonly real: Pg;
  private count = 0;
  private pauseAt = 0;
  private failAt = 0;
  private depth = 0;
  private holding = false;
  private release: (() => void) | undefined;
  private onPause: (() => void) | undefined;
  /** Resolves when the reader has paused. */
  paused: Promise<void> = new Promise(() => {});

  constructor(real: Pg) {
    this.real = real;
  }

  get queries(): number {
    return this.count;
  }

  pauseAfter(n: number): void {
    this.pauseAt = this.count + n;
    this.paused = new Promise((resolve) => (this.onPause = resolve));
  }

  failOn(n: number): void {
    this.failAt = this.count + n;
  }

  /** Lets a paused projector go on. */
  resume(): void {
    this.pauseAt = 0;
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  private before(): void {
    this.count += 1;
    if (this.count === this.failAt) {
      this.failAt = 0;
      throw new SimulatedFailure(`the read role's query ${this.count} failed (connection lost)`);
    }
    if (this.count === this.pauseAt) this.holding = true;
  }

  private async hold(): Promise<void> {
    if (!this.holding || this.depth > 0) return;
    this.holding = false;
    const wait = new Promise<void>((resolve) => (this.release = resolve));
    this.onPause?.();
    await wait;
  }

  async query<T = Row>(sql: string, params?: SqlValue[]): Promise<PgResult<T>> {
    this.before();
    const result = await this.real.query<T>(sql, params);
    await this.hold();
    return result;
  }

  async exec(sql: string): Promise<void> {
    this.before();
    await this.real.exec(sql);
    await this.hold();
  }

  async transaction<T>(fn: (tx: PgQueries) => Promise<T>): Promise<T> {
    this.depth += 1;
    let result: T;
    try {
      result = await this.real.transaction((tx) =>
        fn({
          query: async <U = Row>(sql: string, params?: SqlValue[]) => {
            this.before();
            return tx.query<U>(sql, params);
          },
          exec: async (sql: string) => {
            this.before();
            await tx.exec(sql);
          },
        }),
      );
    } finally {
      this.depth -= 1;
    }
    await this.hold();
    return result;
  }
}

/** Runs `work` until the reader pauses or the work ends; says which. */
export async function runUntilPaused(reader: ControlledReader, work: Promise<unknown>): Promise<'paused' | 'finished'> {
  return Promise.race([reader.paused.then(() => 'paused' as const), work.then(() => 'finished' as const, () => 'finished' as const)]);
}

/** Lets pending promise callbacks run, without moving any clock. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** Whether a promise has settled (after letting callbacks run). */
export async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await settle();
  return done;
}
