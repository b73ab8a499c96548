import type { Pg } from 'labkit/db';
import type { CustomerMonth, Lag } from './events.ts';

/**
 * The report Finance reads, revenue per customer per month, as a PostgreSQL materialized view
 * over Analytics' facts. README.md, tasks 5 and 6, has the rules.
 */
export class RevenueView {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  /** Creates the materialized view customer_month_revenue and what refresh needs, if missing; runs after Analytics.init(), on every start. */
  async init(): Promise<void> {
    // TODO (task 6): create the materialized view (populated) and its unique index, IF NOT EXISTS.
    // TODO (task 5): remember which facts the view includes.
    void this.db;
  }

  /** Recomputes the view from the facts, so that readers keep the old rows until the new ones are in. */
  async refresh(): Promise<void> {
    // TODO (task 6): REFRESH MATERIALIZED VIEW CONCURRENTLY; task 5: and remember what it included.
  }

  /** The month's customers by revenue, highest first, ties by customer id, at most `limit`, from the view. */
  async topCustomers(month: string, limit = 10): Promise<CustomerMonth[]> {
    // TODO (task 6): read customer_month_revenue.
    void month;
    void limit;
    return [];
  }

  /** How far the view is behind the facts, in positions and in events. */
  async lag(): Promise<Lag> {
    // TODO (task 5): compare the facts with what the last refresh included.
    return { sourcePosition: 0, viewPosition: 0, positionsBehind: 0, eventsBehind: 0 };
  }
}
