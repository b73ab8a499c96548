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

/**
 * The state after `event`. Events are facts that already happened, so evolve never rejects
 * one: all checking is done by the commands, before an event exists. It returns a new state
 * and leaves the old one as it was, because states are shared: `initialState`, and the
 * snapshot a repository folds the tail onto.
 */
export function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, customerId, lines, totalCents, currency } = event.data;
      return { ...state, status: 'placed', orderId, customerId, lines: lines.map(copyLine), totalCents, currency };
    }
    case 'OrderLineAdded':
      // The total is kept up to date rather than recomputed from the lines, because orders
      // placed under schema v1 have a total but no lines (see upcasters.ts).
      return { ...state, lines: [...state.lines, copyLine(event.data)], totalCents: state.totalCents + lineTotal(event.data) };
    case 'OrderLineRemoved': {
      const removed = state.lines.find((line) => line.sku === event.data.sku);
      return {
        ...state,
        lines: state.lines.filter((line) => line.sku !== event.data.sku),
        totalCents: state.totalCents - (removed ? lineTotal(removed) : 0),
      };
    }
    case 'OrderPaid':
      return { ...state, status: 'paid', paymentId: event.data.paymentId };
    case 'OrderShipped':
      return { ...state, status: 'shipped', trackingNumber: event.data.trackingNumber };
    case 'OrderCancelled':
      return { ...state, status: 'cancelled', cancelReason: event.data.reason };
  }
}

/** The current state of an order from all its events, oldest first. */
export function rehydrate(events: readonly OrderEvent[]): OrderState {
  return events.reduce(evolve, initialState);
}

// Commands: each checks the request against the current state and returns the events that
// record what happened, or throws a DomainError. They do not write anything: the repository
// appends their events, with the version the state was loaded at.

export interface PlaceOrder {
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  /** 'EUR' if not given. */
  currency?: string;
}

export function placeOrder(state: OrderState, command: PlaceOrder): OrderEvent[] {
  if (state.status !== 'none') throw new DomainError(`order ${state.orderId} already exists`);
  if (command.lines.length === 0) throw new DomainError('an order needs at least one line');
  command.lines.forEach(checkLine);
  const totalCents = command.lines.reduce((sum, line) => sum + lineTotal(line), 0);
  return [
    {
      type: 'OrderPlaced',
      data: {
        orderId: command.orderId,
        customerId: command.customerId,
        lines: command.lines.map(copyLine),
        totalCents,
        currency: command.currency ?? 'EUR',
      },
    },
  ];
}

export function addLine(state: OrderState, line: OrderLine): OrderEvent[] {
  requireStatus(state, ['placed'], 'add a line to');
  checkLine(line);
  if (state.lines.some((l) => l.sku === line.sku)) throw new DomainError(`${line.sku} is already on order ${state.orderId}`);
  return [{ type: 'OrderLineAdded', data: copyLine(line) }];
}

export function removeLine(state: OrderState, sku: string): OrderEvent[] {
  requireStatus(state, ['placed'], 'remove a line from');
  if (!state.lines.some((l) => l.sku === sku)) throw new DomainError(`${sku} is not on order ${state.orderId}`);
  return [{ type: 'OrderLineRemoved', data: { sku } }];
}

export function payOrder(state: OrderState, payment: { paymentId: string; amountCents: number }): OrderEvent[] {
  requireStatus(state, ['placed'], 'pay');
  if (payment.amountCents !== state.totalCents) {
    throw new DomainError(`order ${state.orderId} costs ${state.totalCents} cents, not ${payment.amountCents}`);
  }
  return [{ type: 'OrderPaid', data: { paymentId: payment.paymentId, amountCents: payment.amountCents } }];
}

export function shipOrder(state: OrderState, shipment: { trackingNumber: string }): OrderEvent[] {
  requireStatus(state, ['paid'], 'ship');
  return [{ type: 'OrderShipped', data: { trackingNumber: shipment.trackingNumber } }];
}

export function cancelOrder(state: OrderState, cancellation: { reason: string }): OrderEvent[] {
  requireStatus(state, ['placed', 'paid'], 'cancel');
  return [{ type: 'OrderCancelled', data: { reason: cancellation.reason } }];
}

function requireStatus(state: OrderState, allowed: OrderStatus[], action: string): void {
  if (state.status === 'none') throw new DomainError(`cannot ${action} an order that does not exist`);
  if (!allowed.includes(state.status)) throw new DomainError(`cannot ${action} order ${state.orderId}: it is ${state.status}`);
}

function checkLine(line: OrderLine): void {
  if (!Number.isInteger(line.quantity) || line.quantity < 1) throw new DomainError(`the quantity of ${line.sku} must be a whole number of at least 1`);
  if (!Number.isInteger(line.priceCents) || line.priceCents < 0) throw new DomainError(`the price of ${line.sku} must be a whole number of cents`);
}

function lineTotal(line: OrderLine): number {
  return line.quantity * line.priceCents;
}

function copyLine(line: OrderLine): OrderLine {
  return { sku: line.sku, quantity: line.quantity, priceCents: line.priceCents };
}
