import { DomainError } from './errors.ts';
import type { OrderEvent, OrderLine } from './events.ts';

export type OrderStatus = 'none' | 'placed' | 'paid' | 'shipped' | 'cancelled';

/** What the service knows about one order: the fold of its events. Keep it plain JSON, for snapshots. */
export interface OrderState {
  /** 'none' until the order is placed. */
  status: OrderStatus;
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  totalCents: number;
  currency: string;
  paymentId: string | null;
  trackingNumber: string | null;
  cancelReason: string | null;
}

/** The state of an order before its first event. */
export const initialState: OrderState = {
  status: 'none',
  orderId: '',
  customerId: '',
  lines: [],
  totalCents: 0,
  currency: '',
  paymentId: null,
  trackingNumber: null,
  cancelReason: null,
};

/** The state after `event`. */
export function evolve(state: OrderState, event: OrderEvent): OrderState {
  // TODO (task 2): return the state after the event, for each type of event (the table in
  // the README says what each one changes). Return a new state; leave `state` as it was.
  throw new Error('evolve is not implemented yet (task 2)');
}

/** The current state of an order from all its events, oldest first. */
export function rehydrate(events: readonly OrderEvent[]): OrderState {
  // TODO (task 2): the state after all the events, starting from initialState.
  throw new Error('rehydrate is not implemented yet (task 2)');
}

// Commands: each checks the request against the current state and returns the events that
// record what happened, or throws a DomainError (throw new DomainError('why not')). They do
// not write anything.

export interface PlaceOrder {
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  /** 'EUR' if not given. */
  currency?: string;
}

export function placeOrder(state: OrderState, command: PlaceOrder): OrderEvent[] {
  // TODO (task 2): an OrderPlaced event with the order's total, if the rules in the README allow it.
  throw new Error('placeOrder is not implemented yet (task 2)');
}

export function addLine(state: OrderState, line: OrderLine): OrderEvent[] {
  // TODO (task 2): an OrderLineAdded event, if the rules in the README allow it.
  throw new Error('addLine is not implemented yet (task 2)');
}

export function removeLine(state: OrderState, sku: string): OrderEvent[] {
  // TODO (task 2): an OrderLineRemoved event, if the rules in the README allow it.
  throw new Error('removeLine is not implemented yet (task 2)');
}

export function payOrder(state: OrderState, payment: { paymentId: string; amountCents: number }): OrderEvent[] {
  // TODO (task 2): an OrderPaid event, if the rules in the README allow it.
  throw new Error('payOrder is not implemented yet (task 2)');
}

export function shipOrder(state: OrderState, shipment: { trackingNumber: string }): OrderEvent[] {
  // TODO (task 2): an OrderShipped event, if the rules in the README allow it.
  throw new Error('shipOrder is not implemented yet (task 2)');
}

export function cancelOrder(state: OrderState, cancellation: { reason: string }): OrderEvent[] {
  // TODO (task 2): an OrderCancelled event, if the rules in the README allow it.
  throw new Error('cancelOrder is not implemented yet (task 2)');
}
