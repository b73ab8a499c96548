/**
 * Task 4, first part: crypto-shredding in Orders' event store. Each customer has one AES-GCM
 * key, held by the key service (schema keys, outside Orders' backups). Orders encrypts the
 * personal fields of every event with it; deleting the key erases them from every event at
 * once, while the events themselves stay as they were.
 */
import type { Pg } from 'labkit/db';
import type { NewOrderEvent, OrderEvent, PersonalFields } from './shop.ts';

const IV_BYTES = 12;

/** The key service: one AES-GCM 256 key per customer, in keys.customer_keys. */
export class KeyStore {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  /** The customer's key, created on first use. */
  async keyFor(customerId: string): Promise<{ keyId: string; key: CryptoKey }> {
    const found = await this.db.query<{ key_id: string; key_bytes: Uint8Array }>(
      'SELECT key_id, key_bytes FROM keys.customer_keys WHERE customer_id = $1',
      [customerId],
    );
    if (found.rows[0]) return { keyId: found.rows[0].key_id, key: await importKey(found.rows[0].key_bytes) };
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    // A random id, so the events do not name the customer in clear.
    const keyId = `k-${crypto.randomUUID()}`;
    await this.db.query('INSERT INTO keys.customer_keys (key_id, customer_id, key_bytes) VALUES ($1, $2, $3)', [keyId, customerId, bytes]);
    return { keyId, key: await importKey(bytes) };
  }

  /** The key with this id, or undefined once it was shredded. */
  async key(keyId: string): Promise<CryptoKey | undefined> {
    const { rows } = await this.db.query<{ key_bytes: Uint8Array }>('SELECT key_bytes FROM keys.customer_keys WHERE key_id = $1', [keyId]);
    return rows[0] ? importKey(rows[0].key_bytes) : undefined;
  }

  /** Destroys the customer's key; true when there was one. */
  async shred(customerId: string): Promise<boolean> {
    const { affectedRows } = await this.db.query('DELETE FROM keys.customer_keys WHERE customer_id = $1', [customerId]);
    return affectedRows > 0;
  }
}

function importKey(bytes: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(bytes), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** Orders' event store, orders.events, with the personal fields encrypted per customer. */
export class OrderEvents {
  private readonly db: Pg;
  private readonly keys: KeyStore;

  constructor(db: Pg, keys: KeyStore) {
    this.db = db;
    this.keys = keys;
  }

  /** Appends an event; its personal fields are stored only as AES-GCM ciphertext, with a fresh IV. Returns its position. */
  async append(event: NewOrderEvent): Promise<number> {
    const { keyId, key } = await this.keys.keyFor(event.personal.customerId);
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const plain = new TextEncoder().encode(JSON.stringify(event.personal));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain));
    const pii = new Uint8Array(IV_BYTES + sealed.length);
    pii.set(iv, 0);
    pii.set(sealed, IV_BYTES);
    const { rows } = await this.db.query<{ position: string | number }>(
      'INSERT INTO orders.events (stream_id, type, total_cents, key_id, pii) VALUES ($1, $2, $3, $4, $5) RETURNING position',
      [event.streamId, event.type, event.totalCents, keyId, pii],
    );
    return Number(rows[0]!.position);
  }

  /** Every event (or one stream's) by position; `personal` is null where the key is gone. */
  async read(streamId?: string): Promise<OrderEvent[]> {
    const { rows } = await this.db.query<{ position: string | number; stream_id: string; type: string; total_cents: number; key_id: string; pii: Uint8Array }>(
      `SELECT position, stream_id, type, total_cents, key_id, pii FROM orders.events
        WHERE $1::text IS NULL OR stream_id = $1 ORDER BY position`,
      [streamId ?? null],
    );
    const keys = new Map<string, CryptoKey | undefined>();
    const events: OrderEvent[] = [];
    for (const row of rows) {
      if (!keys.has(row.key_id)) keys.set(row.key_id, await this.keys.key(row.key_id));
      const key = keys.get(row.key_id);
      events.push({
        position: Number(row.position),
        streamId: row.stream_id,
        type: row.type,
        totalCents: row.total_cents,
        personal: key ? await decrypt(key, row.pii) : null,
      });
    }
    return events;
  }
}

async function decrypt(key: CryptoKey, pii: Uint8Array): Promise<PersonalFields> {
  const bytes = new Uint8Array(pii);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, IV_BYTES) }, key, bytes.slice(IV_BYTES));
  return JSON.parse(new TextDecoder().decode(plain)) as PersonalFields;
}
