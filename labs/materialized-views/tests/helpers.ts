/**
 * Helpers shared by the test files: Analytics opened on its schema, Orders' events, and the
 * test's own full recomputation (an in-memory model of the facts) that the learner's
 * incremental tables and materialized view are compared with.
 */
import { pgSchema, type Pg } from 'labkit/db';
import { expectEqual } from 'labkit/test';
import { Analytics } from '../src/analytics.ts';
import type { CustomerMonth, Line, LineState, OrderEvent, ProductDay } from '../src/events.ts';
import { RevenueView } from '../src/revenue-view.ts';

export interface Shop {
  db: Pg;
  analytics: Analytics;
  view: RevenueView;
  /** Every event sent so far, delivered or not twice: the test's record of the facts. */
  model: Model;
  /** Sends an event to Analytics and records it in the model; returns what ingest answered. */
  send(event: OrderEvent): Promise<boolean>;
}

/** Analytics and its report view on the schema "analytics", both init()ed, as a service start does. */
export async function openShop(model = new Model()): Promise<Shop> {
  const db = await pgSchema('analytics');
  const analytics = new Analytics(db);
  await analytics.init();
  const view = new RevenueView(db);
  await view.init();
  return {
    db,
    analytics,
    view,
    model,
    send: async (event) => {
      model.add(event);
      return analytics.ingest(event);
    },
  };
}

/** The same schema opened again with new objects and init(), as after a restart. */
export async function restart(shop: Shop): Promise<Shop> {
  return openShop(shop.model);
}

// ---------------------------------------------------------------- events

let nextEvent = 0;

/** A line's state with the shop's defaults: a non-ASCII product and customer, placed in the evening in Paris. */
export function state(changes: Partial<LineState> = {}): LineState {
  return {
    orderId: 'o-1001',
    customerId: 'c-zoë',
    productId: 'CAFÉ-ÉTHIOPIE-250G',
    quantity: 2,
    unitPriceCents: 1_250,
    couponPercent: null,
    placedAt: '2026-03-10T18:00:00+01:00',
    ...changes,
  };
}

export function placed(lineId: string, position: number, changes: Partial<LineState> = {}, eventId = `ev-${++nextEvent}`): OrderEvent {
  return { eventId, position, type: 'LinePlaced', lineId, line: state(changes) };
}

export function changed(lineId: string, position: number, changes: Partial<LineState> = {}, eventId = `ev-${++nextEvent}`): OrderEvent {
  return { eventId, position, type: 'LineChanged', lineId, line: state(changes) };
}

export function removed(lineId: string, position: number, eventId = `ev-${++nextEvent}`): OrderEvent {
  return { eventId, position, type: 'LineRemoved', lineId };
}

// ---------------------------------------------------------------- the full recomputation

const PARIS = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day of an instant in Paris, "YYYY-MM-DD", computed apart from any SQL. */
export function parisDay(placedAt: string): string {
  const parts = Object.fromEntries(PARIS.formatToParts(new Date(placedAt)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function byKey<T>(key: (row: T) => string) {
  return (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** The facts as a set of distinct events, and every aggregate recomputed from them in full. */
export class Model {
  readonly events = new Map<string, OrderEvent>();

  add(event: OrderEvent): void {
    if (!this.events.has(event.eventId)) this.events.set(event.eventId, event);
  }

  /** For each line, the event with the highest position, unless it removed the line. */
  lines(): Map<string, Line> {
    const latest = new Map<string, OrderEvent>();
    for (const e of this.events.values()) {
      const seen = latest.get(e.lineId);
      if (!seen || e.position > seen.position) latest.set(e.lineId, e);
    }
    const lines = new Map<string, Line>();
    for (const e of latest.values()) {
      if (e.type === 'LineRemoved') continue;
      const { customerId, productId, quantity, unitPriceCents, couponPercent, placedAt } = e.line;
      lines.set(e.lineId, { lineId: e.lineId, customerId, productId, quantity, unitPriceCents, couponPercent, day: parisDay(placedAt), position: e.position });
    }
    return lines;
  }

  line(lineId: string): Line | undefined {
    return this.lines().get(lineId);
  }

  productDays(only?: (productId: string) => boolean): ProductDay[] {
    const groups = new Map<string, Line[]>();
    for (const l of this.lines().values()) {
      if (only && !only(l.productId)) continue;
      const key = JSON.stringify([l.productId, l.day]);
      groups.set(key, [...(groups.get(key) ?? []), l]);
    }
    const rows = [...groups.values()].map((ls): ProductDay => {
      const coupons = ls.map((l) => l.couponPercent).filter((c): c is number => c !== null);
      const prices = ls.map((l) => l.unitPriceCents);
      return {
        productId: ls[0]!.productId,
        day: ls[0]!.day,
        revenueCents: ls.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0),
        units: ls.reduce((s, l) => s + l.quantity, 0),
        lines: ls.length,
        minUnitPriceCents: Math.min(...prices),
        maxUnitPriceCents: Math.max(...prices),
        avgCouponPercent: coupons.length === 0 ? null : coupons.reduce((s, c) => s + c, 0) / coupons.length,
      };
    });
    return rows.sort(byKey((r) => `${r.productId}\u0000${r.day}`));
  }

  /** Revenue per customer per month (Paris), the materialized view's content. */
  customerMonths(): CustomerMonth[] {
    const groups = new Map<string, CustomerMonth>();
    for (const l of this.lines().values()) {
      const month = l.day.slice(0, 7);
      const key = JSON.stringify([l.customerId, month]);
      const row = groups.get(key) ?? { customerId: l.customerId, month, revenueCents: 0, lines: 0 };
      row.revenueCents += l.quantity * l.unitPriceCents;
      row.lines += 1;
      groups.set(key, row);
    }
    return [...groups.values()];
  }

  /** The report for one month: by revenue, highest first, ties by customer id, at most `limit`. */
  topCustomers(month: string, limit = 10): CustomerMonth[] {
    return this.customerMonths()
      .filter((r) => r.month === month)
      .sort((a, b) => b.revenueCents - a.revenueCents || (a.customerId < b.customerId ? -1 : 1))
      .slice(0, limit);
  }
}

// ---------------------------------------------------------------- comparing

/** Averages compared to six decimal places: PostgreSQL's numeric and JavaScript's division round differently in the last digits. */
function rounded(rows: ProductDay[]): ProductDay[] {
  return rows.map((r) => ({ ...r, avgCouponPercent: r.avgCouponPercent === null ? null : Math.round(r.avgCouponPercent * 1e6) / 1e6 }));
}

function keyed(rows: ProductDay[]): Record<string, ProductDay> {
  return Object.fromEntries(rounded(rows).map((r) => [`${r.productId} ${r.day}`, r]));
}

/** productDays() against the recomputation, keyed by "product day" so a failure names the group. */
export async function expectProductDays(shop: Shop, what: string, only?: (productId: string) => boolean): Promise<void> {
  const all = await shop.analytics.productDays();
  const actual = only ? all.filter((r) => only(r.productId)) : all;
  expectEqual(keyed(actual), keyed(shop.model.productDays(only)), `${what}: productDays() (product_day_revenue, by "product day") against a full recomputation from the events`);
}

/** The rows of product_day_revenue as the learner's productDays() reads them, by "product day". */
export async function productDaysByKey(shop: Shop): Promise<Record<string, ProductDay>> {
  return keyed(await shop.analytics.productDays());
}

export const PARIS_EVENING = '2026-03-10T18:00:00+01:00';
