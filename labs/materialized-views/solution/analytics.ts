import type { Pg, PgQueries } from 'labkit/db';
import { BUSINESS_TIME_ZONE, type Drift, type Line, type OrderEvent, type ProductDay } from './events.ts';

interface LineRow {
  line_id: string;
  position: number;
  removed: boolean;
  customer_id: string;
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  coupon_percent: number | null;
  day: string;
}

interface GroupRow {
  product_id: string;
  day: string;
  revenue_cents: number;
  units: number;
  lines: number;
  min_unit_price_cents: number;
  max_unit_price_cents: number;
  coupon_sum: number;
  coupon_count: number;
}

/** The day of a timestamp in the business zone, in SQL, so every path computes it the same way. */
const DAY = (at: string) => `to_char(${at} AT TIME ZONE '${BUSINESS_TIME_ZONE}', 'YYYY-MM-DD')`;

/**
 * The full recomputation of product_day_revenue from the facts: for each line the event with
 * the highest position, unless it removed the line; then the same aggregates as the handler keeps.
 * rebuild() stores it and drift() compares the incremental table with it.
 */
const RECOMPUTED = `
  SELECT product_id, ${DAY('placed_at')} AS day,
         sum(quantity::bigint * unit_price_cents) AS revenue_cents, sum(quantity) AS units, count(*) AS lines,
         min(unit_price_cents) AS min_unit_price_cents, max(unit_price_cents) AS max_unit_price_cents,
         coalesce(sum(coupon_percent), 0) AS coupon_sum, count(coupon_percent) AS coupon_count
    FROM (SELECT DISTINCT ON (line_id) * FROM order_events ORDER BY line_id, position DESC) latest
   WHERE type <> 'LineRemoved'
   GROUP BY 1, 2`;

const GROUP_COLUMNS = 'product_id, day, revenue_cents, units, lines, min_unit_price_cents, max_unit_price_cents, coupon_sum, coupon_count';

/**
 * Analytics' facts and its incrementally maintained revenue per product per day, on
 * PostgreSQL. Every event is stored as a fact (its id is the duplicate check); a line's
 * current state is kept in `lines` (removed lines stay as tombstones, so a late event cannot
 * bring them back); and each event moves the line's contribution out of its old group and
 * into its new one, in the same transaction as the fact.
 */
export class Analytics {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  async init(): Promise<void> {
    await this.db.exec(`
      CREATE TABLE IF NOT EXISTS order_events (
        event_id         text PRIMARY KEY,
        seq              bigserial UNIQUE,
        position         bigint NOT NULL,
        type             text NOT NULL,
        line_id          text NOT NULL,
        order_id         text,
        customer_id      text,
        product_id       text,
        quantity         integer,
        unit_price_cents integer,
        coupon_percent   integer,
        placed_at        timestamptz
      );
      CREATE TABLE IF NOT EXISTS lines (
        line_id          text PRIMARY KEY,
        position         bigint NOT NULL,
        removed          boolean NOT NULL,
        customer_id      text,
        product_id       text,
        quantity         integer,
        unit_price_cents integer,
        coupon_percent   integer,
        day              text
      );
      CREATE TABLE IF NOT EXISTS product_day_revenue (
        product_id           text NOT NULL,
        day                  text NOT NULL,
        revenue_cents        bigint NOT NULL,
        units                bigint NOT NULL,
        lines                bigint NOT NULL,
        min_unit_price_cents integer NOT NULL,
        max_unit_price_cents integer NOT NULL,
        coupon_sum           bigint NOT NULL,
        coupon_count         bigint NOT NULL,
        PRIMARY KEY (product_id, day)
      );`);
  }

  async ingest(event: OrderEvent): Promise<boolean> {
    const line = event.type === 'LineRemoved' ? null : event.line;
    return this.db.transaction(async (tx) => {
      // 1. The fact; its primary key is the duplicate check.
      const stored = await tx.query(
        `INSERT INTO order_events (event_id, position, type, line_id, order_id, customer_id, product_id,
                                   quantity, unit_price_cents, coupon_percent, placed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [event.eventId, event.position, event.type, event.lineId, line?.orderId ?? null, line?.customerId ?? null,
          line?.productId ?? null, line?.quantity ?? null, line?.unitPriceCents ?? null, line?.couponPercent ?? null,
          line?.placedAt ?? null],
      );
      if (stored.rows.length === 0) return false;

      // 2. A late event (below the position the line already reflects) is kept as a fact only.
      const { rows } = await tx.query<LineRow>('SELECT * FROM lines WHERE line_id = $1', [event.lineId]);
      const old = rows[0];
      if (old && Number(old.position) > event.position) return true;

      // 3. The line's new state; a removal leaves a tombstone with its position.
      const { rows: [now] } = await tx.query<LineRow>(
        `INSERT INTO lines (line_id, position, removed, customer_id, product_id, quantity, unit_price_cents, coupon_percent, day)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ${DAY('$9::timestamptz')})
         ON CONFLICT (line_id) DO UPDATE SET position = excluded.position, removed = excluded.removed,
           customer_id = excluded.customer_id, product_id = excluded.product_id, quantity = excluded.quantity,
           unit_price_cents = excluded.unit_price_cents, coupon_percent = excluded.coupon_percent, day = excluded.day
         RETURNING *`,
        [event.lineId, event.position, line === null, line?.customerId ?? null, line?.productId ?? null,
          line?.quantity ?? null, line?.unitPriceCents ?? null, line?.couponPercent ?? null, line?.placedAt ?? null],
      );

      // 4. Out of the old group, into the new one (the same group when only the numbers changed).
      if (old && !old.removed) await leave(tx, old);
      if (line) await join(tx, now!);
      return true;
    });
  }

  async line(lineId: string): Promise<Line | undefined> {
    const { rows } = await this.db.query<LineRow>('SELECT * FROM lines WHERE line_id = $1 AND NOT removed', [lineId]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      lineId: row.line_id,
      customerId: row.customer_id,
      productId: row.product_id,
      quantity: row.quantity,
      unitPriceCents: row.unit_price_cents,
      couponPercent: row.coupon_percent,
      day: row.day,
      position: Number(row.position),
    };
  }

  async productDays(): Promise<ProductDay[]> {
    const { rows } = await this.db.query<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM product_day_revenue ORDER BY product_id, day`);
    return rows.map((r) => ({
      productId: r.product_id,
      day: r.day,
      revenueCents: Number(r.revenue_cents),
      units: Number(r.units),
      lines: Number(r.lines),
      minUnitPriceCents: r.min_unit_price_cents,
      maxUnitPriceCents: r.max_unit_price_cents,
      // AVG over the lines with a coupon: NULLs are not counted, and no coupon at all is NULL, not 0.
      avgCouponPercent: Number(r.coupon_count) === 0 ? null : Number(r.coupon_sum) / Number(r.coupon_count),
    }));
  }

  async drift(): Promise<Drift[]> {
    const { rows } = await this.db.query<{ side: Drift['side']; product_id: string; day: string }>(`
      WITH recomputed AS (${RECOMPUTED}),
           live AS (SELECT ${GROUP_COLUMNS} FROM product_day_revenue)
      SELECT 'only in incremental' AS side, product_id, day FROM (SELECT * FROM live EXCEPT SELECT * FROM recomputed) a
      UNION ALL
      SELECT 'only in recomputed', product_id, day FROM (SELECT * FROM recomputed EXCEPT SELECT * FROM live) b
      ORDER BY product_id, day, side`);
    return rows.map((r) => ({ side: r.side, productId: r.product_id, day: r.day }));
  }

  async rebuild(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM product_day_revenue');
      await tx.query(`INSERT INTO product_day_revenue (${GROUP_COLUMNS}) ${RECOMPUTED}`);
    });
  }
}

/** Takes a line's contribution out of its group: sums and counts by delta, MIN and MAX recomputed. */
async function leave(tx: PgQueries, old: LineRow): Promise<void> {
  const key = [old.product_id, old.day];
  await tx.query(
    `UPDATE product_day_revenue
        SET revenue_cents = revenue_cents - $3::bigint * $4, units = units - $3, lines = lines - 1,
            coupon_sum = coupon_sum - coalesce($5, 0), coupon_count = coupon_count - ($5::integer IS NOT NULL)::integer
      WHERE product_id = $1 AND day = $2`,
    [...key, old.quantity, old.unit_price_cents, old.coupon_percent],
  );
  // A group without lines is gone, not a row of zeros.
  await tx.query('DELETE FROM product_day_revenue WHERE product_id = $1 AND day = $2 AND lines = 0', key);
  // The line may have held the group's MIN or MAX: no delta can undo that, so read the group's lines again.
  await tx.query(
    `UPDATE product_day_revenue g SET min_unit_price_cents = s.lo, max_unit_price_cents = s.hi
       FROM (SELECT min(unit_price_cents) AS lo, max(unit_price_cents) AS hi FROM lines
              WHERE product_id = $1 AND day = $2 AND NOT removed) s
      WHERE g.product_id = $1 AND g.day = $2`,
    key,
  );
}

/** Adds a line's contribution to its group, creating the group on its first line. */
async function join(tx: PgQueries, now: LineRow): Promise<void> {
  await tx.query(
    `INSERT INTO product_day_revenue AS g (${GROUP_COLUMNS})
     VALUES ($1, $2, $3::bigint * $4, $3, 1, $4, $4, coalesce($5, 0), ($5::integer IS NOT NULL)::integer)
     ON CONFLICT (product_id, day) DO UPDATE SET
       revenue_cents = g.revenue_cents + excluded.revenue_cents, units = g.units + excluded.units,
       lines = g.lines + 1, coupon_sum = g.coupon_sum + excluded.coupon_sum,
       coupon_count = g.coupon_count + excluded.coupon_count,
       min_unit_price_cents = least(g.min_unit_price_cents, excluded.min_unit_price_cents),
       max_unit_price_cents = greatest(g.max_unit_price_cents, excluded.max_unit_price_cents)`,
    [now.product_id, now.day, now.quantity, now.unit_price_cents, now.coupon_percent],
  );
}
