/**
 * The Orders service's database (PostgreSQL through PGlite, one schema per node) and the node
 * that serves it. Read-only: your code and the tests use it.
 *
 * Every write is one transaction that changes the tables AND appends one entry to
 * `change_log`, the service's own write-ahead log: the entry carries the full new rows (or
 * the keys of deleted ones), a log sequence number (LSN: 1, 2, 3, ... with no gaps) and the
 * clock time it was acknowledged. Replicas and point-in-time recovery replay these entries.
 */
import type { Clock } from 'labkit/clock';
import type { Pg, PgQueries } from 'labkit/db';

/** The Orders schema. `schema.sql` in a logical backup is this text. */
export const ORDERS_SCHEMA_SQL = `CREATE TABLE orders (
  id          text    PRIMARY KEY,
  customer_id text    NOT NULL,
  status      text    NOT NULL CHECK (status IN ('placed', 'paid', 'cancelled')),
  total_cents integer NOT NULL,
  placed_at   bigint  NOT NULL
);
CREATE TABLE order_lines (
  order_id    text    NOT NULL REFERENCES orders (id),
  sku         text    NOT NULL,
  quantity    integer NOT NULL CHECK (quantity > 0),
  price_cents integer NOT NULL,
  PRIMARY KEY (order_id, sku)
);
CREATE TABLE change_log (
  lsn     bigint PRIMARY KEY,
  at      bigint NOT NULL,
  changes jsonb  NOT NULL
);
`;

export interface TableInfo {
  name: string;
  /** The primary key's columns, in order: rows are backed up and checksummed in this order. */
  key: string[];
}

/**
 * The tables that hold the shop's data, parents before children (restore them in this order).
 * `change_log` is not among them: it is the log, archived and replayed, not backed up as data.
 */
export const ORDERS_TABLES: TableInfo[] = [
  { name: 'orders', key: ['id'] },
  { name: 'order_lines', key: ['order_id', 'sku'] },
];

/** One row changed by a transaction. */
export type RowChange =
  | { table: string; op: 'upsert'; key: Record<string, unknown>; row: Record<string, unknown> }
  | { table: string; op: 'delete'; key: Record<string, unknown> };

/** One transaction, as the change log records it. */
export interface ChangeEntry {
  /** Log sequence number: 1 for the first transaction, then 2, 3, ... with no gaps. */
  lsn: number;
  /** When the transaction committed and was acknowledged to the caller, in clock milliseconds. */
  at: number;
  /** Its row changes, in the order they were made. */
  changes: RowChange[];
}

/** Anything a change log can be read from: a node, its salvaged disk, an archive. */
export interface ChangeSource {
  /** Up to `limit` entries with an LSN above `afterLsn`, by LSN. */
  changesSince(afterLsn: number, limit?: number): Promise<ChangeEntry[]>;
}

export interface OrderLineInput {
  sku: string;
  quantity: number;
  priceCents: number;
}

/** Thrown by a node whose process is down. */
export class NodeDownError extends Error {
  readonly node: string;
  constructor(node: string) {
    super(`${node} is down`);
    this.name = 'NodeDownError';
    this.node = node;
  }
}

/** Thrown by a node that was fenced off after a failover: it must never take writes again. */
export class FencedError extends Error {
  readonly node: string;
  constructor(node: string) {
    super(`${node} was fenced after a failover and refuses writes`);
    this.name = 'FencedError';
    this.node = node;
  }
}

/** Creates the Orders tables in `db` unless they are there already. */
export async function ensureOrdersSchema(db: PgQueries): Promise<void> {
  const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('change_log')::text AS t`);
  if (rows[0]?.t == null) await db.exec(ORDERS_SCHEMA_SQL);
}

/** Reads a change log table: up to `limit` entries after `afterLsn`, by LSN. */
export async function readChangeLog(db: PgQueries, afterLsn: number, limit = 10_000): Promise<ChangeEntry[]> {
  const { rows } = await db.query<ChangeEntry>('SELECT lsn, at, changes FROM change_log WHERE lsn > $1 ORDER BY lsn LIMIT $2', [afterLsn, limit]);
  return rows.map((r) => ({ lsn: Number(r.lsn), at: Number(r.at), changes: r.changes }));
}

/**
 * One running Orders database server (a primary, or a promoted replica). A crash stops the
 * process: calls fail with NodeDownError. Its disk survives, so `disk` can still read the
 * change log afterwards, as an operator would after mounting the failed machine's volume.
 */
export class OrdersNode implements ChangeSource {
  readonly name: string;
  readonly db: Pg;
  private readonly clock: Clock;
  private up = true;
  private fenced = false;

  constructor(name: string, db: Pg, clock: Clock) {
    this.name = name;
    this.db = db;
    this.clock = clock;
  }

  /** A node on `db`, with the Orders tables created if they are missing. */
  static async open(name: string, db: Pg, clock: Clock): Promise<OrdersNode> {
    await ensureOrdersSchema(db);
    return new OrdersNode(name, db, clock);
  }

  isUp(): boolean {
    return this.up;
  }

  isFenced(): boolean {
    return this.fenced;
  }

  /** The process dies. */
  crash(): void {
    this.up = false;
  }

  /** The process comes back, on the same disk. A fenced node still refuses writes. */
  restart(): void {
    this.up = true;
  }

  /** Forbids this node to take writes from now on, whatever happens to it (fencing, "STONITH" in spirit). */
  fence(): void {
    this.fenced = true;
  }

  /** A health check: the LSN of the last change; throws NodeDownError when the process is down. */
  async ping(): Promise<{ lsn: number }> {
    this.assertUp();
    const { rows } = await this.db.query<{ lsn: number }>('SELECT coalesce(max(lsn), 0) AS lsn FROM change_log');
    return { lsn: Number(rows[0]!.lsn) };
  }

  /** The change log after `afterLsn`, served to replicas; throws NodeDownError when down. */
  async changesSince(afterLsn: number, limit = 10_000): Promise<ChangeEntry[]> {
    this.assertUp();
    return readChangeLog(this.db, afterLsn, limit);
  }

  /** The change log read straight from the node's disk: works while the process is down. */
  readonly disk: ChangeSource = {
    changesSince: (afterLsn, limit) => readChangeLog(this.db, afterLsn, limit),
  };

  /** Places an order with its lines; returns the LSN of the transaction. */
  placeOrder(id: string, customerId: string, lines: OrderLineInput[]): Promise<number> {
    return this.write(async (tx) => {
      const total = lines.reduce((sum, l) => sum + l.quantity * l.priceCents, 0);
      const order = await tx.query<Record<string, unknown>>(
        `INSERT INTO orders (id, customer_id, status, total_cents, placed_at) VALUES ($1, $2, 'placed', $3, $4) RETURNING *`,
        [id, customerId, total, this.clock.now()],
      );
      const changes: RowChange[] = [{ table: 'orders', op: 'upsert', key: { id }, row: order.rows[0]! }];
      for (const line of lines) {
        const { rows } = await tx.query<Record<string, unknown>>(
          'INSERT INTO order_lines (order_id, sku, quantity, price_cents) VALUES ($1, $2, $3, $4) RETURNING *',
          [id, line.sku, line.quantity, line.priceCents],
        );
        changes.push({ table: 'order_lines', op: 'upsert', key: { order_id: id, sku: line.sku }, row: rows[0]! });
      }
      return changes;
    });
  }

  payOrder(id: string): Promise<number> {
    return this.setStatus(id, 'paid');
  }

  cancelOrder(id: string): Promise<number> {
    return this.setStatus(id, 'cancelled');
  }

  /** Deletes an order and its lines (a clerk's mistake, in the tests). */
  deleteOrder(id: string): Promise<number> {
    return this.write(async (tx) => {
      const lines = await tx.query<{ sku: string }>('DELETE FROM order_lines WHERE order_id = $1 RETURNING sku', [id]);
      const order = await tx.query('DELETE FROM orders WHERE id = $1 RETURNING id', [id]);
      if (order.rows.length === 0) throw new Error(`there is no order ${id}`);
      return [
        ...lines.rows.map((l): RowChange => ({ table: 'order_lines', op: 'delete', key: { order_id: id, sku: l.sku } })),
        { table: 'orders', op: 'delete', key: { id } },
      ];
    });
  }

  private setStatus(id: string, status: string): Promise<number> {
    return this.write(async (tx) => {
      const { rows } = await tx.query<Record<string, unknown>>('UPDATE orders SET status = $2 WHERE id = $1 RETURNING *', [id, status]);
      if (rows.length === 0) throw new Error(`there is no order ${id}`);
      return [{ table: 'orders', op: 'upsert', key: { id }, row: rows[0]! }];
    });
  }

  /** Runs `change` and logs what it changed, in one transaction; returns the new LSN. */
  private async write(change: (tx: PgQueries) => Promise<RowChange[]>): Promise<number> {
    this.assertUp();
    if (this.fenced) throw new FencedError(this.name);
    return this.db.transaction(async (tx) => {
      const changes = await change(tx);
      const { rows } = await tx.query<{ lsn: number }>(
        'INSERT INTO change_log (lsn, at, changes) SELECT coalesce(max(lsn), 0) + 1, $1, $2 FROM change_log RETURNING lsn',
        [this.clock.now(), JSON.stringify(changes)],
      );
      return Number(rows[0]!.lsn);
    });
  }

  private assertUp(): void {
    if (!this.up) throw new NodeDownError(this.name);
  }
}
