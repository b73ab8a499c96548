/**
 * Helpers shared by the test files: the shop's clock and sample data, an independent way to
 * read and model the Orders tables, and the ways a backup gets damaged in real life (a flipped
 * bit, a cut-off upload, a lost object, a manifest rewritten by a buggy tool).
 */
import type { Clock } from 'labkit/clock';
import { pgSchema, type PgQueries } from 'labkit/db';
import { fromUtf8, MANIFEST, partKey, utf8, type BackupStore } from '../src/backup-store.ts';
import { OrdersNode, type ChangeEntry } from '../src/orders.ts';
import type { BackupManifest } from '../src/types.ts';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Thursday 26 November 2026, 02:00 UTC: where the tests' clocks start. */
export const T0 = Date.UTC(2026, 10, 26, 2, 0, 0);

/** An ISO time for messages: 2026-11-26T02:00:05Z. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** An Orders node on its own schema `name`. */
export async function ordersNode(clock: Clock, name = 'orders'): Promise<OrdersNode> {
  return OrdersNode.open(name, await pgSchema(name), clock);
}

/**
 * A little shop history, one transaction a second: four orders, one paid, one cancelled, one
 * deleted. Returns the LSNs in order. The customers and one SKU are not ASCII, so a size
 * counted in characters instead of UTF-8 bytes shows.
 */
export async function seedOrders(node: OrdersNode, clock: Clock, prefix = 'o'): Promise<number[]> {
  const steps: (() => Promise<number>)[] = [
    () => node.placeOrder(`${prefix}-01`, 'zoë', [{ sku: 'MUG', quantity: 2, priceCents: 1250 }, { sku: 'THÉ', quantity: 1, priceCents: 400 }]),
    () => node.placeOrder(`${prefix}-02`, 'łukasz', [{ sku: 'PEN', quantity: 10, priceCents: 99 }]),
    () => node.payOrder(`${prefix}-01`),
    () => node.placeOrder(`${prefix}-03`, '東京の花子', [{ sku: 'MUG', quantity: 1, priceCents: 1250 }]),
    () => node.cancelOrder(`${prefix}-02`),
    () => node.placeOrder(`${prefix}-04`, 'dave 🦊', [{ sku: 'THÉ', quantity: 3, priceCents: 400 }, { sku: 'PEN', quantity: 1, priceCents: 99 }]),
    () => node.deleteOrder(`${prefix}-03`),
  ];
  const lsns: number[] = [];
  for (const step of steps) {
    await clock.advance(SECOND);
    lsns.push(await step());
  }
  return lsns;
}

export type Tables = { orders: Record<string, unknown>[]; order_lines: Record<string, unknown>[] };

/** The Orders tables as they are in `db`, read by the tests' own query, in key order. */
export async function tablesOf(db: PgQueries): Promise<Tables> {
  const orders = await db.query<Record<string, unknown>>('SELECT * FROM orders ORDER BY id');
  const lines = await db.query<Record<string, unknown>>('SELECT * FROM order_lines ORDER BY order_id, sku');
  return { orders: orders.rows, order_lines: lines.rows };
}

/** What the tables hold after the log entries `keep` selects, worked out in memory from the log. */
export function modelOf(log: readonly ChangeEntry[], keep: (entry: ChangeEntry) => boolean): Tables {
  const tables = new Map<string, Map<string, Record<string, unknown>>>([['orders', new Map()], ['order_lines', new Map()]]);
  for (const entry of [...log].sort((a, b) => a.lsn - b.lsn)) {
    if (!keep(entry)) continue;
    for (const change of entry.changes) {
      const rows = tables.get(change.table)!;
      const key = JSON.stringify(Object.values(change.key));
      if (change.op === 'delete') rows.delete(key);
      else rows.set(key, change.row);
    }
  }
  const sorted = (name: string, by: (r: Record<string, unknown>) => string) => [...tables.get(name)!.values()].sort((a, b) => (by(a) < by(b) ? -1 : by(a) > by(b) ? 1 : 0));
  return { orders: sorted('orders', (r) => String(r.id)), order_lines: sorted('order_lines', (r) => `${String(r.order_id)}\u0000${String(r.sku)}`) };
}

/** The ids in a Tables, for short messages: "o-01 o-02 | o-01/MUG ...". */
export function summary(tables: Tables): string {
  return `${tables.orders.map((o) => `${String(o.id)}:${String(o.status)}`).join(' ')} | ${tables.order_lines.map((l) => `${String(l.order_id)}/${String(l.sku)}`).join(' ')}`;
}

export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function object(store: BackupStore, key: string): Promise<Uint8Array> {
  const bytes = await store.get(key);
  if (!bytes) throw new Error(`test setup: the store has no object ${key}; store keys: ${(await store.list()).join(', ')}`);
  return bytes;
}

/** Flips the bits of one byte of an object, as a failing disk or a bad cable would. */
export async function flipByte(store: BackupStore, key: string, index?: number): Promise<void> {
  const bytes = await object(store, key);
  const at = index ?? Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  await store.put(key, bytes);
}

/** Cuts an object short, as an upload that died halfway would. */
export async function truncate(store: BackupStore, key: string, length: number): Promise<void> {
  await store.put(key, (await object(store, key)).slice(0, length));
}

export async function readManifest(store: BackupStore, id: string): Promise<BackupManifest> {
  return JSON.parse(fromUtf8(await object(store, partKey(id, MANIFEST)))) as BackupManifest;
}

export async function writeManifest(store: BackupStore, manifest: BackupManifest): Promise<void> {
  await store.put(partKey(manifest.id, MANIFEST), utf8(JSON.stringify(manifest)));
}

/**
 * Replaces a part and rewrites the manifest's size and SHA-256 for it, so that byte-level
 * checks pass: what a buggy backup tool that "fixed up" its manifest would leave behind.
 */
export async function replaceAndReseal(store: BackupStore, id: string, part: string, bytes: Uint8Array): Promise<void> {
  await store.put(partKey(id, part), bytes);
  const manifest = await readManifest(store, id);
  const entry = manifest.parts.find((p) => p.name === part);
  if (!entry) throw new Error(`test setup: the manifest of ${id} lists no part ${part}`);
  entry.bytes = bytes.length;
  entry.sha256 = await sha256(bytes);
  await writeManifest(store, manifest);
}
