/**
 * The Inventory service, on SQLite (sql.js). In the saga it reserves stock for an order, or
 * releases the reservation as the compensation.
 *
 * A reservation row per saga remembers what was done, so every command is safe to repeat and
 * to receive out of order: a second ReserveStock answers like the first, a second
 * ReleaseStock changes nothing, and a ReleaseStock that arrives before its ReserveStock leaves
 * a 'released' row behind that makes the late ReserveStock refuse.
 */
import type { Sqlite } from 'labkit/db';
import { replyTo, type Command, type Reply } from './messages.ts';

export type ReservationStatus = 'reserved' | 'released' | 'refused';

export interface Reservation {
  sagaId: string;
  sku: string;
  quantity: number;
  status: ReservationStatus;
}

export class Inventory {
  readonly db: Sqlite;

  constructor(db: Sqlite) {
    this.db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS stock (
        sku       TEXT PRIMARY KEY,
        available INTEGER NOT NULL CHECK (available >= 0)
      );
      CREATE TABLE IF NOT EXISTS reservations (
        saga_id  TEXT PRIMARY KEY,
        sku      TEXT NOT NULL,
        quantity INTEGER NOT NULL,
        status   TEXT NOT NULL CHECK (status IN ('reserved', 'released', 'refused'))
      );
    `);
  }

  /** Puts `quantity` more of `sku` on the shelf. */
  addStock(sku: string, quantity: number): void {
    this.db.run('INSERT INTO stock (sku, available) VALUES (?, ?) ON CONFLICT (sku) DO UPDATE SET available = available + excluded.available', [sku, quantity]);
  }

  /** How many of `sku` can still be reserved. */
  available(sku: string): number {
    return this.db.get<{ available: number }>('SELECT available FROM stock WHERE sku = ?', [sku])?.available ?? 0;
  }

  reservation(sagaId: string): Reservation | undefined {
    return this.db.get<Reservation>('SELECT saga_id AS sagaId, sku, quantity, status FROM reservations WHERE saga_id = ?', [sagaId]);
  }

  async handle(command: Command): Promise<Reply> {
    const { sagaId, order } = command;
    // SQLite is synchronous: the whole decision and its writes are one transaction.
    return this.db.transaction(() => {
      const existing = this.reservation(sagaId);
      switch (command.type) {
        case 'ReserveStock': {
          if (existing) return replyTo(command, existing.status === 'reserved', existing.status === 'reserved' ? undefined : `the reservation is ${existing.status}`);
          // A commutative update: it subtracts from whatever is there now, rather than writing
          // back a number read earlier, so reservations of concurrent sagas cannot overwrite
          // each other; the WHERE clause refuses to go below zero.
          const { changes } = this.db.run('UPDATE stock SET available = available - ? WHERE sku = ? AND available >= ?', [order.quantity, order.sku, order.quantity]);
          const status: ReservationStatus = changes === 1 ? 'reserved' : 'refused';
          // A refusal is remembered too: a repeat of this command must not reserve stock that
          // other sagas released in the meantime, after this saga was told "out of stock".
          this.db.run('INSERT INTO reservations (saga_id, sku, quantity, status) VALUES (?, ?, ?, ?)', [sagaId, order.sku, order.quantity, status]);
          return status === 'reserved' ? replyTo(command, true) : replyTo(command, false, 'out of stock');
        }
        case 'ReleaseStock': {
          if (!existing) {
            this.db.run("INSERT INTO reservations (saga_id, sku, quantity, status) VALUES (?, ?, ?, 'released')", [sagaId, order.sku, order.quantity]);
          } else if (existing.status === 'reserved') {
            this.db.run('UPDATE stock SET available = available + ? WHERE sku = ?', [existing.quantity, existing.sku]);
            this.db.run("UPDATE reservations SET status = 'released' WHERE saga_id = ?", [sagaId]);
          }
          return replyTo(command, true);
        }
        default:
          return replyTo(command, false, `the Inventory service does not handle ${command.type}`);
      }
    });
  }
}
