/**
 * Helpers shared by the test files: an in-memory KMS that keeps the KEK outside the database,
 * the Payments database with rows in it, running SQL as one of the three ordinary roles (never
 * as postgres, a superuser that bypasses every GRANT), and a search for secrets in outputs.
 */
import { pg, pgErrorCode, type Pg, type PgQueries, type SqlValue } from 'labkit/db';
import { describeOutcome, showValue } from 'labkit/test';
import { createPaymentsDatabase, KEK, type Bytes, type Kms, type Logger, type Role, type VaultDeps } from '../src/shop.ts';

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The test's KMS. Each version's key is a non-extractable AES-GCM CryptoKey; a wrapped data
 * key is 12 bytes of IV then the 48 bytes of AES-GCM output, with the version id as additional
 * data. It remembers every data key it handed out, so the tests can look for them in outputs.
 */
export class TestKms implements Kms {
  readonly #versions = new Map<string, { key: CryptoKey; enabled: boolean }>();
  #primary = '';
  /** Every plaintext data key handed out (copies), in order. */
  readonly issued: Bytes[] = [];
  /** Calls by method, for the tests' checks. */
  readonly calls = { generateDataKey: 0, decryptDataKey: 0, reWrap: 0, disable: 0 };

  static async create(): Promise<TestKms> {
    const kms = new TestKms();
    await kms.rotate(KEK);
    return kms;
  }

  primaryKeyId(kek: string): string {
    if (kek !== KEK) throw new Error(`TestKms: no key ${JSON.stringify(kek)} (the Payments service's KEK is ${KEK})`);
    return this.#primary;
  }

  async rotate(kek: string): Promise<string> {
    if (kek !== KEK) throw new Error(`TestKms: no key ${JSON.stringify(kek)}`);
    const keyId = `${KEK}/v${this.#versions.size + 1}`;
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    this.#versions.set(keyId, { key, enabled: true });
    this.#primary = keyId;
    return keyId;
  }

  disable(keyId: string): void {
    this.calls.disable += 1;
    const version = this.#versions.get(keyId);
    if (!version) throw new Error(`TestKms: no key version ${JSON.stringify(keyId)}`);
    if (keyId === this.#primary) throw new Error(`TestKms: ${keyId} is the primary version and cannot be disabled`);
    version.enabled = false;
  }

  isEnabled(keyId: string): boolean {
    return this.#versions.get(keyId)?.enabled === true;
  }

  async #wrap(keyId: string, plaintext: Bytes): Promise<Bytes> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(keyId) }, this.#versions.get(keyId)!.key, plaintext));
    const out = new Uint8Array(12 + sealed.length);
    out.set(iv);
    out.set(sealed, 12);
    return out;
  }

  async #unwrap(keyId: string, wrapped: Uint8Array): Promise<Bytes> {
    const version = this.#versions.get(keyId);
    if (!version) throw new Error(`KMS: unknown key version ${JSON.stringify(keyId)}`);
    if (!version.enabled) throw new Error(`KMS: key version ${keyId} is disabled`);
    const bytes = new Uint8Array(wrapped);
    try {
      return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12), additionalData: new TextEncoder().encode(keyId) }, version.key, bytes.slice(12)));
    } catch {
      throw new Error(`KMS: this wrapped data key was not made by ${keyId}`);
    }
  }

  async generateDataKey(kek: string): Promise<{ keyId: string; plaintext: Bytes; wrapped: Bytes }> {
    this.calls.generateDataKey += 1;
    const keyId = this.primaryKeyId(kek);
    const plaintext = crypto.getRandomValues(new Uint8Array(32));
    this.issued.push(plaintext.slice());
    return { keyId, plaintext, wrapped: await this.#wrap(keyId, plaintext) };
  }

  async decryptDataKey(keyId: string, wrapped: Uint8Array): Promise<Bytes> {
    this.calls.decryptDataKey += 1;
    return this.#unwrap(keyId, wrapped);
  }

  async reWrap(keyId: string, wrapped: Uint8Array): Promise<{ keyId: string; wrapped: Bytes }> {
    this.calls.reWrap += 1;
    const plaintext = await this.#unwrap(keyId, wrapped);
    return { keyId: this.#primary, wrapped: await this.#wrap(this.#primary, plaintext) };
  }

  /** Which issued data key this wrapped one holds (its index in `issued`), for the tests' checks. */
  async indexOf(keyId: string, wrapped: Uint8Array): Promise<number> {
    const plaintext = await this.#unwrap(keyId, wrapped);
    return this.issued.findIndex((k) => bytesEqual(k, plaintext));
  }

  /** The plaintext data key inside a wrapped one (the test's view; a real KMS never shows a KEK, and this never does either). */
  async peek(keyId: string, wrapped: Uint8Array): Promise<Bytes> {
    return this.#unwrap(keyId, wrapped);
  }
}

/** Every log line your code wrote, in order. */
export interface CapturedLog {
  log: Logger;
  lines: { event: string; fields: Record<string, unknown> }[];
}

export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  return { lines, log: (event, fields) => void lines.push({ event, fields }) };
}

export interface Setup {
  db: Pg;
  kms: TestKms;
  logs: CapturedLog;
  deps: VaultDeps;
}

/** The Payments database, empty, with a fresh KMS and a captured log. `db` is postgres. */
export async function freshPayments(): Promise<Setup> {
  const db = await pg();
  await db.exec('RESET ROLE');
  await createPaymentsDatabase(db);
  const kms = await TestKms.create();
  const logs = captureLog();
  return { db, kms, logs, deps: { db, kms, log: logs.log } };
}

/** Runs `fn` in a transaction as `role` (SET LOCAL ROLE), so grants apply: postgres bypasses them all. */
export function asRole<T>(db: Pg, role: Role, fn: (tx: PgQueries) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.exec(`SET LOCAL ROLE ${role}`);
    return fn(tx);
  });
}

/** A PgQueries whose every statement runs as `role`, each in a transaction of its own. */
export function roleHandle(db: Pg, role: Role): PgQueries {
  return {
    query: (sql, params) => asRole(db, role, (tx) => tx.query(sql, params)),
    exec: (sql) => asRole(db, role, (tx) => tx.exec(sql)),
  };
}

/** Runs one statement as `role` and says how it ended: `ok` or the SQLSTATE and message. */
export async function attempt(db: Pg, role: Role, sql: string, params: SqlValue[] = []): Promise<string> {
  try {
    await asRole(db, role, (tx) => tx.query(sql, params));
    return 'ok';
  } catch (error) {
    return `${pgErrorCode(error) ?? 'error'} (${error instanceof Error ? error.message : showValue(error)})`;
  }
}

export function codeOf(outcome: string): string {
  return outcome.startsWith('ok') ? 'ok' : outcome.split(' ')[0]!;
}

/** Calls `fn` and returns what it threw, or fails saying what it did instead. */
export async function thrown(fn: () => unknown, what: string): Promise<unknown> {
  let outcome: unknown;
  try {
    outcome = await fn();
  } catch (error) {
    return error;
  }
  throw new Error(`${what}\n  expected: it throws\n  received: ${describeOutcome(outcome)}`);
}

// ---------------------------------------------------------------- looking for secrets

const HEX = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const BASE64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const utf8 = new TextEncoder();

/** The forms a secret may take in text: itself, hex (either case), base64 and base64url (with and without padding). */
function textForms(secret: string | Uint8Array): string[] {
  const bytes = typeof secret === 'string' ? utf8.encode(secret) : secret;
  const b64 = BASE64(bytes);
  const forms = [HEX(bytes), HEX(bytes).toUpperCase(), b64, b64.replace(/=+$/, ''), b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), [...bytes].join(',')];
  if (typeof secret === 'string') forms.unshift(secret, encodeURIComponent(secret));
  return forms.filter((f) => f.length >= 8);
}

/** Strings and byte arrays found anywhere in a value: nested objects, arrays, errors (message, stack, cause), maps. */
function collect(value: unknown, texts: string[], blobs: Uint8Array[], seen = new Set<unknown>()): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string') return void texts.push(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return void texts.push(String(value));
  if (typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Uint8Array) return void blobs.push(value);
  if (value instanceof ArrayBuffer) return void blobs.push(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) return void blobs.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (value instanceof Error) {
    texts.push(String(value.message), String(value.stack ?? ''));
    collect((value as { cause?: unknown }).cause, texts, blobs, seen);
  }
  if (value instanceof Map) for (const [k, v] of value) (collect(k, texts, blobs, seen), collect(v, texts, blobs, seen));
  for (const key of Object.getOwnPropertyNames(value)) {
    texts.push(key);
    let inner: unknown;
    try {
      inner = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    collect(inner, texts, blobs, seen);
  }
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

export interface Secret {
  name: string;
  value: string | Uint8Array;
}

/**
 * Where a secret shows up in `outputs` (log lines, errors, returned values), one line per find,
 * or none. Card numbers count also with spaces or dashes between their digits.
 */
export function findSecrets(outputs: { where: string; value: unknown }[], secrets: Secret[]): string[] {
  const finds: string[] = [];
  for (const { where, value } of outputs) {
    const texts: string[] = [];
    const blobs: Uint8Array[] = [];
    collect(value, texts, blobs);
    const squeezed = texts.map((t) => t.replace(/[\s-]/g, ''));
    for (const secret of secrets) {
      const forms = textForms(secret.value);
      const hit = forms.find((form) => texts.some((t) => t.includes(form)) || (/^[0-9]+$/.test(form) && squeezed.some((t) => t.includes(form))));
      const bytes = typeof secret.value === 'string' ? utf8.encode(secret.value) : secret.value;
      if (hit !== undefined) finds.push(`${secret.name} in ${where} (as ${hit === forms[0] ? 'itself' : JSON.stringify(hit.slice(0, 24))})`);
      else if (blobs.some((b) => containsBytes(b, bytes))) finds.push(`${secret.name} in ${where} (its bytes, in a byte array)`);
    }
  }
  return finds;
}

/** Every data key the KMS handed out, as secrets. */
export function dataKeySecrets(kms: TestKms): Secret[] {
  return kms.issued.map((k, i) => ({ name: `data key #${i + 1}`, value: k }));
}

// ---------------------------------------------------------------- the shop's data

/** Cards on file: ids with gaps, customer ids that are not ASCII, numbers of 15, 16 and 19 digits (all pass Luhn). */
export const CARDS = [
  { id: 3, customerId: 'cust-7', cardNumber: '4000056655665556' },
  { id: 4, customerId: 'cust-12', cardNumber: '5555555555554444' },
  { id: 9, customerId: 'cust-Zoë-Ødegård', cardNumber: '378282246310005' },
  { id: 17, customerId: 'cust-東京-3', cardNumber: '6011111111111117' },
  { id: 40, customerId: 'cust-7', cardNumber: '4000056655665556' },
  { id: 41, customerId: 'cust-21', cardNumber: '6304000000000000000' },
] as const;

export interface VaultRowBytes {
  id: number;
  customer_id: string;
  key_id: string;
  wrapped_dek: Bytes;
  iv: Bytes;
  ciphertext: Bytes;
}

export async function vaultRows(db: Pg): Promise<VaultRowBytes[]> {
  const { rows } = await db.query<VaultRowBytes>('SELECT id::int AS id, customer_id, key_id, wrapped_dek, iv, ciphertext FROM payments.card_vault ORDER BY id');
  return rows;
}

export const hex = HEX;

/** Payments of the support search: ids with gaps, times in three offsets, equal amounts and dates for ties. */
export const PAYMENTS = [
  { id: 2, order_id: 40, customer_id: 'cust-3', amount_cents: 2590, status: 'captured', card_holder: 'Lena Ortiz', card_last4: '1111', card_id: 1, created_at: '2026-03-01T09:12:00+01:00' },
  { id: 5, order_id: 42, customer_id: 'cust-7', amount_cents: 4990, status: 'captured', card_holder: 'Mia Novák', card_last4: '5556', card_id: 3, created_at: '2026-03-02T08:05:00+13:45' },
  { id: 6, order_id: 43, customer_id: 'cust-7', amount_cents: 1250, status: 'failed', card_holder: 'Mia Novák', card_last4: '5556', card_id: 3, created_at: '2026-03-02T11:30:00Z' },
  { id: 9, order_id: 43, customer_id: 'cust-7', amount_cents: 1250, status: 'captured', card_holder: 'Mia Novák', card_last4: '5556', card_id: 3, created_at: '2026-03-02T11:32:00Z' },
  { id: 11, order_id: 44, customer_id: 'cust-7', amount_cents: 8900, status: 'captured', card_holder: 'Mia Novák', card_last4: '5556', card_id: 3, created_at: '2026-03-01T22:00:00-05:00' },
  { id: 12, order_id: 45, customer_id: "cust-O'Brien", amount_cents: 700, status: 'captured', card_holder: 'Seán O\'Brien', card_last4: '0005', card_id: 9, created_at: '2026-03-04T17:45:00Z' },
  { id: 20, order_id: 46, customer_id: 'cust-東京-3', amount_cents: 1250, status: 'refunded', card_holder: '山田 花子', card_last4: '1117', card_id: 17, created_at: '2026-03-02T11:30:00Z' },
] as const;

export async function insertPayments(db: Pg): Promise<void> {
  for (const p of PAYMENTS) {
    await db.query(
      'INSERT INTO payments.payments (id, order_id, customer_id, amount_cents, status, card_holder, card_last4, card_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [p.id, p.order_id, p.customer_id, p.amount_cents, p.status, p.card_holder, p.card_last4, p.card_id, p.created_at],
    );
  }
  await db.exec("SELECT setval(pg_get_serial_sequence('payments.payments', 'id'), 100)");
  await db.exec(`INSERT INTO orders.orders VALUES (40, 'cust-3', 2590, 'Hauptstraße 5, Wien'), (42, 'cust-7', 4990, 'ul. Długa 1, Gdańsk')`);
}

/** A fingerprint of every table the lab has: each row as JSON, per table, sorted. Tables the run created are listed too. */
export async function fingerprint(db: Pg): Promise<string> {
  const { rows: tables } = await db.query<{ t: string }>(
    `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('payments', 'orders', 'public') ORDER BY 1`,
  );
  const parts: string[] = [];
  for (const { t } of tables) {
    const { rows } = await db.query<{ r: string }>(`SELECT row_to_json(x)::text AS r FROM ${t} x ORDER BY 1`);
    parts.push(`${t}: ${rows.map((r) => r.r).join(' | ')}`);
  }
  const { rows: roles } = await db.query<{ r: string }>(`SELECT string_agg(rolname || ':' || rolsuper, ',' ORDER BY rolname) AS r FROM pg_roles WHERE rolname LIKE 'payments%'`);
  parts.push(`roles: ${roles[0]!.r}`);
  return parts.join('\n');
}
