/**
 * Helpers shared by the test files: the shop's Orders and Payments on a network with a manual
 * clock, a payment provider whose latency each test sets, and checks of trace and span ids that
 * accept any valid random id.
 */
import { createBus, type Bus } from 'labkit/bus';
import { createClock, type Clock } from 'labkit/clock';
import { sqlite, type Sqlite } from 'labkit/db';
import { createNetwork, type Network } from 'labkit/service';
import { expect } from 'labkit/test';
import { RedMetrics } from '../src/metrics.ts';
import { orders, payments, type PlaceOrder, type Provider, type Telemetry } from '../src/shop.ts';
import { SpanRecorder, type FinishedSpan } from '../src/telemetry.ts';

/** 2026-03-29T01:30:00Z: the night clocks in Europe move to summer time. */
export const START = Date.parse('2026-03-29T01:30:00Z');

/** A customer whose data must never reach a log: a non-ASCII name, an email with a plus sign. */
export const CUSTOMER = { name: 'Zoë Łódź-Müller 東京', email: 'zoë.müller+orders@exämple.de' };

export const TRACE_ID = /^[0-9a-f]{32}$/;
export const SPAN_ID = /^[0-9a-f]{16}$/;

export function expectTraceId(value: unknown, what: string): void {
  expect(typeof value === 'string' && TRACE_ID.test(value) && !/^0+$/.test(value), `${what} should be 32 lowercase hex digits, not all zeros; got ${JSON.stringify(value)}`).toBe(true);
}

export function expectSpanId(value: unknown, what: string): void {
  expect(typeof value === 'string' && SPAN_ID.test(value) && !/^0+$/.test(value), `${what} should be 16 lowercase hex digits, not all zeros; got ${JSON.stringify(value)}`).toBe(true);
}

/** A caller's valid traceparent: the shop's requests continue it. */
export const CALLER = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', header: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

export interface Shop {
  clock: Clock;
  network: Network;
  db: Sqlite;
  bus: Bus;
  ordersTelemetry: Telemetry;
  paymentsTelemetry: Telemetry;
  /** Every log line either service wrote, in order. */
  lines: string[];
  /** Every span either service recorded. */
  spans: FinishedSpan[];
  /** The provider's latency for the next payments, in order; then 0. A negative one fails the payment. */
  delays: number[];
  /** POST /orders, run to its end while the clock moves through the provider's waits. */
  placeOrder(order: PlaceOrder, headers?: Record<string, string>): Promise<Response>;
  /** POST /payments straight to Payments, in the same way. */
  pay(body: { orderId: string; amountCents: number; email: string }, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Lets the event loop turn, so a request reaches its handler before the clock moves. */
export async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** Awaits `promise`, moving `clock` to its next timer whenever nothing else happens. */
export async function settle<T>(clock: Clock, promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  for (let round = 0; round < 10_000 && !done; round++) {
    await turns(2);
    if (done) break;
    const next = clock.nextTimerAt();
    if (next !== undefined) await clock.advance(Math.max(0, next - clock.now()));
  }
  return watched;
}

export async function openShop(): Promise<Shop> {
  const clock = createClock();
  await clock.advance(START);
  const network = createNetwork();
  const db = await sqlite();
  const lines: string[] = [];
  // Both services record into one recorder, as a tracing back end would collect their spans.
  const recorder = new SpanRecorder();
  const spans = recorder.spans;
  const telemetry = (): Telemetry => ({ clock, recorder, metrics: new RedMetrics(), logs: (line) => lines.push(line) });
  const ordersTelemetry = telemetry();
  const paymentsTelemetry = telemetry();
  const delays: number[] = [];
  const provider: Provider = async (payment) => {
    const delay = delays.shift() ?? 0;
    await clock.sleep(Math.abs(delay));
    if (delay < 0) throw new Error(`card of ${payment.email} declined by the provider`, { cause: new Error(`provider timeout for ${payment.email}`) });
  };
  await network.start(payments, { provider, telemetry: paymentsTelemetry });
  await network.start(orders, { db, fetch: network.fetch, telemetry: ordersTelemetry });
  const bus = createBus({ clock });
  const post = (path: string, service: string, body: unknown, headers: Record<string, string> = {}) =>
    settle(clock, network.call(service, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }));
  return {
    clock,
    network,
    db,
    bus,
    ordersTelemetry,
    paymentsTelemetry,
    lines,
    spans,
    delays,
    placeOrder: (order, headers) => post('/orders', 'orders', order, headers),
    pay: (body, headers) => post('/payments', 'payments', body, headers),
    close: async () => {
      bus.close();
      await network.close();
    },
  };
}

export function order(orderId: string, totalCents = 2_590): PlaceOrder {
  return { orderId, totalCents, customer: CUSTOMER };
}

/** The spans named `name`, for a message that lists what was recorded. */
export function spansNamed(spans: readonly FinishedSpan[], name: string): FinishedSpan[] {
  return spans.filter((span) => span.name === name);
}

export function listSpans(spans: readonly FinishedSpan[]): string {
  return spans.length === 0 ? 'no spans' : spans.map((span) => `${span.service} "${span.name}" ${span.status}`).join(', ');
}
