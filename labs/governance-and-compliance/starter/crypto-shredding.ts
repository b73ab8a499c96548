/**
 * Task 4, first part: crypto-shredding in Orders' event store. Each customer has one AES-GCM
 * key, held by the key service (schema keys, outside Orders' backups). Orders encrypts the
 * personal fields of every event with it; deleting the key erases them from every event at
 * once, while the events themselves stay as they were.
 */
import type { Pg } from 'labkit/db';
import type { NewOrderEvent, OrderEvent } from './shop.ts';

/** The key service: one AES-GCM 256 key per customer, in keys.customer_keys. */
export class KeyStore {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  /** The customer's key, created on first use. */
  async keyFor(customerId: string): Promise<{ keyId: string; key: CryptoKey }> {
    // TODO (task 4): find the customer's key in keys.customer_keys, or create and store one (crypto.subtle, AES-GCM).
    void this.db;
    throw new Error(`KeyStore.keyFor(${customerId}) is not written yet (task 4)`);
  }

  /** The key with this id, or undefined once it was shredded. */
  async key(keyId: string): Promise<CryptoKey | undefined> {
    // TODO (task 4): load the key with this id, if it still exists.
    void keyId;
    return undefined;
  }

  /** Destroys the customer's key; true when there was one. */
  async shred(customerId: string): Promise<boolean> {
    // TODO (task 4): delete the customer's key.
    void customerId;
    return false;
  }
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
    // TODO (task 4): encrypt event.personal with the customer's key and a fresh IV, and insert the event.
    void this.keys;
    throw new Error(`OrderEvents.append(${event.streamId}) is not written yet (task 4)`);
  }

  /** Every event (or one stream's) by position; `personal` is null where the key is gone. */
  async read(streamId?: string): Promise<OrderEvent[]> {
    // TODO (task 4): read the events and decrypt each one's personal fields, or give null without a key.
    void this.db;
    void streamId;
    return [];
  }
}
