import type { Pg } from 'labkit/db';
import { BUSINESS_TIME_ZONE, type CustomerMonth, type Lag } from './events.ts';

interface ReportRow {
  customer_id: string;
  month: string;
  revenue_cents: number;
  lines: number;
}

interface LagRow {
  source_position: number;
  view_position: number;
  events_behind: number;
}

/**
 * The report Finance reads, revenue per customer per month, as a PostgreSQL materialized view:
 * a full recomputation from the facts in `order_events`, stored, and refreshed concurrently so
 * readers keep the old rows until the new ones are in. `view_refreshes` remembers what each
 * refresh saw, as a watermark (Analytics' own arrival sequence and the highest position), so the
 * lag counts late facts and removals, which a max() over the view's rows would miss.
 */
export class RevenueView {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  async init(): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Populated at once (no WITH NO DATA): CONCURRENTLY refuses a view that was never filled.
      await tx.exec(`
        CREATE MATERIALIZED VIEW IF NOT EXISTS customer_month_revenue AS
        SELECT customer_id,
               to_char(placed_at AT TIME ZONE '${BUSINESS_TIME_ZONE}', 'YYYY-MM') AS month,
               sum(quantity::bigint * unit_price_cents) AS revenue_cents,
               count(*) AS lines
          FROM (SELECT DISTINCT ON (line_id) * FROM order_events ORDER BY line_id, position DESC) latest
         WHERE type <> 'LineRemoved'
         GROUP BY 1, 2;
        -- What REFRESH ... CONCURRENTLY needs to match old rows with new ones: a unique index on
        -- plain columns, with no expression and no WHERE.
        CREATE UNIQUE INDEX IF NOT EXISTS customer_month_revenue_key ON customer_month_revenue (customer_id, month);
        CREATE TABLE IF NOT EXISTS view_refreshes (
          id       integer PRIMARY KEY CHECK (id = 1),
          seq      bigint NOT NULL,
          position bigint NOT NULL
        );`);
      // The view was just filled from the facts there are: that is its first watermark. On a
      // restart the row exists and keeps the last refresh's.
      await tx.query(
        `INSERT INTO view_refreshes (id, seq, position)
         SELECT 1, coalesce(max(seq), 0), coalesce(max(position), 0) FROM order_events
         ON CONFLICT (id) DO NOTHING`,
      );
    });
  }

  async refresh(): Promise<void> {
    // One transaction: the watermark names exactly the facts the refresh read.
    await this.db.transaction(async (tx) => {
      await tx.exec('REFRESH MATERIALIZED VIEW CONCURRENTLY customer_month_revenue');
      await tx.query(
        `UPDATE view_refreshes SET (seq, position) =
           (SELECT coalesce(max(seq), 0), coalesce(max(position), 0) FROM order_events)`,
      );
    });
  }

  async topCustomers(month: string, limit = 10): Promise<CustomerMonth[]> {
    const { rows } = await this.db.query<ReportRow>(
      `SELECT customer_id, month, revenue_cents, lines FROM customer_month_revenue
        WHERE month = $1 ORDER BY revenue_cents DESC, customer_id LIMIT $2`,
      [month, limit],
    );
    return rows.map((r) => ({ customerId: r.customer_id, month: r.month, revenueCents: Number(r.revenue_cents), lines: Number(r.lines) }));
  }

  async lag(): Promise<Lag> {
    const { rows: [row] } = await this.db.query<LagRow>(`
      SELECT (SELECT coalesce(max(position), 0) FROM order_events) AS source_position,
             w.position AS view_position,
             (SELECT count(*) FROM order_events e WHERE e.seq > w.seq) AS events_behind
        FROM view_refreshes w`);
    const sourcePosition = Number(row!.source_position);
    const viewPosition = Number(row!.view_position);
    return { sourcePosition, viewPosition, positionsBehind: sourcePosition - viewPosition, eventsBehind: Number(row!.events_behind) };
  }
}
