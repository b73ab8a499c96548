/**
 * Task 1: the Orders write model. Commands check the rules on the current state, change the
 * order and append one row to order_changes in the same transaction, and answer the change's
 * position: the version token a client sends back with its next read.
 */
import type { Pg } from 'labkit/db';
import { ORDERS_DDL, type PlaceOrder, type Written } from './orders-types.ts';

export class OrdersWriteModel {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  /** Creates the tables (if missing) and lets the read role read them, and only read them. */
  async init(): Promise<void> {
    await this.db.exec(ORDERS_DDL);
    // TODO (task 1): let the role orders_reader (READER_ROLE) read the three tables, and do nothing else.
  }

  async placeOrder(cmd: PlaceOrder): Promise<Written> {
    // TODO (task 1): refuse an invalid command (CommandError 'invalid'); in one transaction insert the
    // order (version 1), its lines and a 'placed' change; answer { orderId, version: 1, position }.
    throw new Error(`placeOrder is not written yet (task 1): ${cmd.lines.length} lines for ${cmd.customerId}`);
  }

  payOrder(orderId: number, expectedVersion: number): Promise<Written> {
    // TODO (task 1): placed -> paid, if the order is at expectedVersion (else CommandError 'conflict').
    return Promise.reject(new Error(`payOrder(${orderId}, ${expectedVersion}) is not written yet (task 1)`));
  }

  shipOrder(orderId: number, expectedVersion: number): Promise<Written> {
    // TODO (task 1): paid -> shipped, with the same checks.
    return Promise.reject(new Error(`shipOrder(${orderId}, ${expectedVersion}) is not written yet (task 1)`));
  }

  cancelOrder(orderId: number, expectedVersion: number): Promise<Written> {
    // TODO (task 1): placed or paid -> cancelled, with the same checks.
    return Promise.reject(new Error(`cancelOrder(${orderId}, ${expectedVersion}) is not written yet (task 1)`));
  }
}
