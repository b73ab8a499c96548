import type { Pg } from 'labkit/db';
import { DEFAULT_PAGE, type Change, type Json, type Product } from './catalog-types.ts';

interface ProductRow {
  sku: string;
  name: string;
  description: string;
  category: string;
  price_cents: number;
  attributes: { [key: string]: Json };
}

/**
 * Catalog, the system of record for products, on PostgreSQL: relational columns for what every
 * product has, a JSONB document for what varies, and a change feed (an outbox in the same
 * schema) that derived stores such as the search index read.
 */
export class Catalog {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  async init(): Promise<void> {
    await this.db.exec(`
      CREATE TABLE IF NOT EXISTS products (
        sku         text PRIMARY KEY,
        name        text NOT NULL,
        description text NOT NULL,
        category    text NOT NULL,
        price_cents integer NOT NULL CHECK (price_cents > 0),
        attributes  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object')
      );
      CREATE INDEX IF NOT EXISTS products_attributes_gin ON products USING gin (attributes);
      CREATE TABLE IF NOT EXISTS changes (
        position bigserial PRIMARY KEY,
        sku      text NOT NULL,
        product  jsonb
      );`);
  }

  async upsert(product: Product): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<ProductRow>(
        `INSERT INTO products (sku, name, description, category, price_cents, attributes)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (sku) DO UPDATE SET name = excluded.name, description = excluded.description,
           category = excluded.category, price_cents = excluded.price_cents, attributes = excluded.attributes
         RETURNING *`,
        [product.sku, product.name, product.description, product.category, product.priceCents, jsonParam(product.attributes)],
      );
      // The change carries the product as stored, in the same transaction as the write: a crash
      // leaves both or neither.
      await tx.query('INSERT INTO changes (sku, product) VALUES ($1, $2)', [product.sku, jsonParam(toProduct(rows[0]!))]);
    });
  }

  async remove(sku: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { affectedRows } = await tx.query('DELETE FROM products WHERE sku = $1', [sku]);
      if (affectedRows === 0) return false;
      await tx.query('INSERT INTO changes (sku, product) VALUES ($1, NULL)', [sku]);
      return true;
    });
  }

  async get(sku: string): Promise<Product | undefined> {
    const { rows } = await this.db.query<ProductRow>('SELECT * FROM products WHERE sku = $1', [sku]);
    return rows[0] ? toProduct(rows[0]) : undefined;
  }

  /** Every product, by sku. */
  async products(): Promise<Product[]> {
    const { rows } = await this.db.query<ProductRow>('SELECT * FROM products ORDER BY sku COLLATE "C"');
    return rows.map(toProduct);
  }

  /** The skus of the products whose attributes contain `filter` (JSONB @>), by sku. */
  async findByAttributes(filter: { [key: string]: Json }): Promise<string[]> {
    const { rows } = await this.db.query<{ sku: string }>('SELECT sku FROM products WHERE attributes @> $1::jsonb ORDER BY sku COLLATE "C"', [jsonParam(filter)]);
    return rows.map((row) => row.sku);
  }

  /** Up to `limit` changes with a position after `position`, oldest first. */
  async changesAfter(position: number, limit = DEFAULT_PAGE): Promise<Change[]> {
    const { rows } = await this.db.query<{ position: string | number; sku: string; product: ProductRow | Product | null }>(
      'SELECT position, sku, product FROM changes WHERE position > $1 ORDER BY position LIMIT $2',
      [position, limit],
    );
    return rows.map((row) => ({ position: Number(row.position), sku: row.sku, product: row.product as Product | null }));
  }

  /** The position of the latest change, 0 when there is none. */
  async lastPosition(): Promise<number> {
    const { rows } = await this.db.query<{ last: string | number | null }>('SELECT max(position) AS last FROM changes');
    return Number(rows[0]?.last ?? 0);
  }
}

/** A JSON value as a parameter: stringified, so an array stays a JSON array. */
function jsonParam(value: Json | Product): string {
  return JSON.stringify(value);
}

function toProduct(row: ProductRow): Product {
  return { sku: row.sku, name: row.name, description: row.description, category: row.category, priceCents: row.price_cents, attributes: row.attributes };
}
