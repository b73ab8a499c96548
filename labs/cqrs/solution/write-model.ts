/**
 * Task 1: the Orders write model. Commands check the rules on the current state, change the
 * order and append one row to order_changes in the same transaction, and answer the change's
 * position: the version token a client sends back with its next read.
 */
import type { Pg, PgQueries } from 'labkit/db';
import { CommandError, ORDERS_DDL, READER_ROLE, type OrderStatus, type PlaceOrder, type Written } from './orders-types.ts';

/** Which status each command accepts, and the status it leaves. */
const TRANSITIONS = {
  paid: { from: ['placed'], kind: 'paid' },
  shipped: { from: ['paid'], kind: 'shipped' },
  cancelled: { from: ['placed', 'paid'], kind: 'cancelled' },
} as const;

type Target = keyof typeof TRANSITIONS;

export class OrdersWriteModel {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  /** Creates the tables (if missing) and lets the read role read them, and only read them. */
  async init(): Promise<void> {
    await this.db.exec(ORDERS_DDL);
    // The owner grants; the read side's role gets SELECT on what a projector reads, nothing more.
    await this.db.exec(`
      GRANT USAGE ON SCHEMA orders TO ${READER_ROLE};
      GRANT SELECT ON orders, order_lines, order_changes TO ${READER_ROLE};`);
  }

  async placeOrder(cmd: PlaceOrder): Promise<Written> {
    validate(cmd);
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO orders (customer_id, status, placed_at, version) VALUES ($1, 'placed', $2, 1) RETURNING id`,
        [cmd.customerId, cmd.placedAt],
      );
      const orderId = rows[0]!.id;
      for (const line of cmd.lines) {
        await tx.query('INSERT INTO order_lines (order_id, sku, qty, price_cents) VALUES ($1, $2, $3, $4)', [orderId, line.sku, line.qty, line.priceCents]);
      }
      return { orderId, version: 1, position: await appendChange(tx, orderId, 1, 'placed') };
    });
  }

  payOrder(orderId: number, expectedVersion: number): Promise<Written> {
    return this.change(orderId, expectedVersion, 'paid');
  }

  shipOrder(orderId: number, expectedVersion: number): Promise<Written> {
    return this.change(orderId, expectedVersion, 'shipped');
  }

  cancelOrder(orderId: number, expectedVersion: number): Promise<Written> {
    return this.change(orderId, expectedVersion, 'cancelled');
  }

  /**
   * Reads the order inside the transaction that changes it: PGlite runs one transaction at a
   * time, so no other command can change it between the check and the update.
   */
  private change(orderId: number, expectedVersion: number, target: Target): Promise<Written> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ status: OrderStatus; version: number }>('SELECT status, version FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
      const order = rows[0];
      if (!order) throw new CommandError('not-found', `no order ${orderId}`);
      if (order.version !== expectedVersion) throw new CommandError('conflict', `order ${orderId} is at version ${order.version}, not ${expectedVersion}`);
      const rule = TRANSITIONS[target];
      if (!(rule.from as readonly string[]).includes(order.status)) throw new CommandError('not-allowed', `order ${orderId} is ${order.status}: it cannot become ${target}`);
      const version = order.version + 1;
      await tx.query('UPDATE orders SET status = $2, version = $3 WHERE id = $1', [orderId, target, version]);
      return { orderId, version, position: await appendChange(tx, orderId, version, rule.kind) };
    });
  }
}

async function appendChange(tx: PgQueries, orderId: number, version: number, kind: string): Promise<number> {
  const { rows } = await tx.query<{ position: string | number }>('INSERT INTO order_changes (order_id, version, kind) VALUES ($1, $2, $3) RETURNING position', [orderId, version, kind]);
  // bigserial: PGlite may hand a bigint back as a string.
  return Number(rows[0]!.position);
}

function validate(cmd: PlaceOrder): void {
  if (cmd.lines.length === 0) throw new CommandError('invalid', 'an order needs at least one line');
  const skus = new Set<string>();
  for (const line of cmd.lines) {
    if (!Number.isInteger(line.qty) || line.qty < 1) throw new CommandError('invalid', `${line.sku}: qty must be a whole number of at least 1, got ${line.qty}`);
    if (!Number.isInteger(line.priceCents) || line.priceCents < 0) throw new CommandError('invalid', `${line.sku}: priceCents must be whole cents, 0 or more, got ${line.priceCents}`);
    if (skus.has(line.sku)) throw new CommandError('invalid', `${line.sku} is on the order twice`);
    skus.add(line.sku);
  }
}
