/**
 * The Shipping service, on SQLite (sql.js). In the saga it books a parcel with a carrier, or
 * cancels the booking as the compensation. It has no carrier for some destinations.
 *
 * Like Inventory, it keeps one row per saga, so repeats and a cancellation that overtakes its
 * booking are harmless.
 */
import type { Sqlite } from 'labkit/db';
import { replyTo, type Command, type Reply } from './messages.ts';

/** Destinations no carrier of the shop serves. */
export const UNSERVED_COUNTRIES: readonly string[] = ['AQ'];

export type ShipmentStatus = 'scheduled' | 'cancelled' | 'refused';

export interface Shipment {
  sagaId: string;
  orderId: string;
  country: string;
  status: ShipmentStatus;
}

export class Shipping {
  readonly db: Sqlite;

  constructor(db: Sqlite) {
    this.db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS shipments (
        saga_id  TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        country  TEXT NOT NULL,
        status   TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'refused'))
      );
    `);
  }

  shipment(sagaId: string): Shipment | undefined {
    return this.db.get<Shipment>('SELECT saga_id AS sagaId, order_id AS orderId, country, status FROM shipments WHERE saga_id = ?', [sagaId]);
  }

  /** The shipments still booked, by saga id. */
  scheduled(): Shipment[] {
    return this.db.all<Shipment>("SELECT saga_id AS sagaId, order_id AS orderId, country, status FROM shipments WHERE status = 'scheduled' ORDER BY saga_id");
  }

  async handle(command: Command): Promise<Reply> {
    const { sagaId, order } = command;
    return this.db.transaction(() => {
      const existing = this.shipment(sagaId);
      switch (command.type) {
        case 'ScheduleShipment': {
          if (existing) return replyTo(command, existing.status === 'scheduled', existing.status === 'scheduled' ? undefined : `the shipment is ${existing.status}`);
          const status: ShipmentStatus = UNSERVED_COUNTRIES.includes(order.country) ? 'refused' : 'scheduled';
          this.db.run('INSERT INTO shipments (saga_id, order_id, country, status) VALUES (?, ?, ?, ?)', [sagaId, order.orderId, order.country, status]);
          return status === 'scheduled' ? replyTo(command, true) : replyTo(command, false, `no carrier delivers to ${order.country}`);
        }
        case 'CancelShipment': {
          if (!existing) {
            this.db.run("INSERT INTO shipments (saga_id, order_id, country, status) VALUES (?, ?, ?, 'cancelled')", [sagaId, order.orderId, order.country]);
          } else if (existing.status === 'scheduled') {
            this.db.run("UPDATE shipments SET status = 'cancelled' WHERE saga_id = ?", [sagaId]);
          }
          return replyTo(command, true);
        }
        default:
          return replyTo(command, false, `the Shipping service does not handle ${command.type}`);
      }
    });
  }
}
