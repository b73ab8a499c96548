/**
 * Task 4: the "My orders" query with read-your-writes. Given the token of the caller's last
 * command, it waits (on the clock, within a limit) for the read model's checkpoint to reach it,
 * or says the answer is behind.
 */
import type { Clock } from 'labkit/clock';
import type { Sqlite } from 'labkit/db';
import { CUSTOMER_ORDERS, DEFAULT_POLL_MS, DEFAULT_WAIT_MS, PAGE_SIZE, type CustomerOrder, type MyOrders, type OrderStatus, type WaitOptions } from './orders-types.ts';

function checkpoint(store: Sqlite): number {
  return store.get<{ position: number }>('SELECT position FROM checkpoints WHERE projector = ?', [CUSTOMER_ORDERS])?.position ?? 0;
}

export async function myOrders(store: Sqlite, clock: Clock, customerId: string, minPosition = 0, options: WaitOptions = {}): Promise<MyOrders> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const deadline = clock.now() + waitMs;
  // The checkpoint is read before the rows, so the rows are at least as new as it says.
  let at = checkpoint(store);
  while (at < minPosition && clock.now() < deadline) {
    await clock.sleep(Math.min(pollMs, deadline - clock.now()));
    at = checkpoint(store);
  }
  const rows = store.all<{ order_id: number; status: OrderStatus; item_count: number; total_cents: number; placed_at: string; version: number }>(
    `SELECT order_id, status, item_count, total_cents, placed_at, version FROM customer_orders
      WHERE customer_id = ? ORDER BY placed_at DESC, order_id DESC LIMIT ?`,
    [customerId, PAGE_SIZE],
  );
  const orders: CustomerOrder[] = rows.map((r) => ({ orderId: r.order_id, status: r.status, itemCount: r.item_count, totalCents: r.total_cents, placedAt: r.placed_at, version: r.version }));
  return { orders, asOf: at, behind: at < minPosition };
}
