import type { Pg } from 'labkit/db';
import { DEFAULT_PAGE, type Change, type Json, type Product } from './catalog-types.ts';

/**
 * Catalog, the system of record for products, on PostgreSQL: relational columns for what every
 * product has, a JSONB document for what varies, and a change feed that derived stores read.
 */
export class Catalog {
  private readonly db: Pg;

  constructor(db: Pg) {
    this.db = db;
  }

  async init(): Promise<void> {
    // TODO (task 3): the products table of the README with a GIN index on attributes, and a
    // table for the change feed; keep what is already there.
    throw new Error(`Catalog.init is not implemented yet (task 3); database: ${typeof this.db}`);
  }

  async upsert(_product: Product): Promise<void> {
    // TODO (task 3): insert or replace the product and record its change, together.
    throw new Error('Catalog.upsert is not implemented yet (task 3)');
  }

  async remove(_sku: string): Promise<boolean> {
    // TODO (task 3)
    throw new Error('Catalog.remove is not implemented yet (task 3)');
  }

  async get(_sku: string): Promise<Product | undefined> {
    // TODO (task 3)
    throw new Error('Catalog.get is not implemented yet (task 3)');
  }

  /** Every product, by sku. */
  async products(): Promise<Product[]> {
    // TODO (task 3)
    throw new Error('Catalog.products is not implemented yet (task 3)');
  }

  /** The skus of the products whose attributes contain `filter`, by sku. */
  async findByAttributes(_filter: { [key: string]: Json }): Promise<string[]> {
    // TODO (task 3)
    throw new Error('Catalog.findByAttributes is not implemented yet (task 3)');
  }

  /** Up to `limit` changes with a position after `position`, oldest first. */
  async changesAfter(_position: number, _limit = DEFAULT_PAGE): Promise<Change[]> {
    // TODO (task 3)
    throw new Error('Catalog.changesAfter is not implemented yet (task 3)');
  }

  /** The position of the latest change, 0 when there is none. */
  async lastPosition(): Promise<number> {
    // TODO (task 3)
    throw new Error('Catalog.lastPosition is not implemented yet (task 3)');
  }
}
