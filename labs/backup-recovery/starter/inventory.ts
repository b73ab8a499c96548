/**
 * The Inventory service's database: a small SQLite file (sql.js). Read-only.
 */
import { sqlite, type Sqlite } from 'labkit/db';
import type { TableInfo } from './orders.ts';

export const INVENTORY_SCHEMA_SQL = `CREATE TABLE stock (
  sku      TEXT    PRIMARY KEY,
  on_hand  INTEGER NOT NULL CHECK (on_hand >= 0),
  reserved INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE reservations (
  id       TEXT    PRIMARY KEY,
  order_id TEXT    NOT NULL,
  sku      TEXT    NOT NULL REFERENCES stock (sku),
  quantity INTEGER NOT NULL
);
`;

/** Inventory's tables, parents first, with their primary keys. */
export const INVENTORY_TABLES: TableInfo[] = [
  { name: 'stock', key: ['sku'] },
  { name: 'reservations', key: ['id'] },
];

/** A new, empty Inventory database. */
export async function openInventory(): Promise<Sqlite> {
  const db = await sqlite();
  db.exec(INVENTORY_SCHEMA_SQL);
  return db;
}

/** Adds `quantity` items of `sku` to the shelf. */
export function restock(db: Sqlite, sku: string, quantity: number): void {
  db.run('INSERT INTO stock (sku, on_hand) VALUES (?, ?) ON CONFLICT (sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand', [sku, quantity]);
}

/** Sets `quantity` items of `sku` aside for an order. */
export function reserve(db: Sqlite, id: string, orderId: string, sku: string, quantity: number): void {
  db.transaction(() => {
    db.run('INSERT INTO reservations (id, order_id, sku, quantity) VALUES (?, ?, ?, ?)', [id, orderId, sku, quantity]);
    db.run('UPDATE stock SET reserved = reserved + ? WHERE sku = ?', [quantity, sku]);
  });
}
