/**
 * Task 4: the "My orders" query with read-your-writes. Given the token of the caller's last
 * command, it waits (on the clock, within a limit) for the read model's checkpoint to reach it,
 * or says the answer is behind.
 */
import type { Clock } from 'labkit/clock';
import type { Sqlite } from 'labkit/db';
import type { MyOrders, WaitOptions } from './orders-types.ts';

export async function myOrders(store: Sqlite, clock: Clock, customerId: string, minPosition = 0, options: WaitOptions = {}): Promise<MyOrders> {
  // TODO (task 4): wait on `clock` (at most waitMs, looking every pollMs) until the customer_orders
  // checkpoint reaches minPosition; then answer the customer's 20 newest orders, the checkpoint read
  // (asOf), and whether it is still below minPosition (behind).
  void store;
  void clock;
  void customerId;
  void minPosition;
  void options;
  return { orders: [], asOf: 0, behind: false };
}
