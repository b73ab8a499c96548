import type { Pg, PgQueries } from 'labkit/db';
import type { Catalog } from './catalog.ts';
import { DEFAULT_LIMIT, type Product, type SearchHit } from './catalog-types.ts';
import { foldAccents } from './text.ts';

/**
 * The storefront's search index: a store derived from Catalog, in its own schema. It never
 * changes a product; everything in it can be rebuilt from Catalog, and it follows Catalog by
 * reading the change feed from the position it stored.
 */
export class SearchIndex {
  private readonly db: Pg;
  private readonly catalog: Catalog;

  constructor(db: Pg, catalog: Catalog) {
    this.db = db;
    this.catalog = catalog;
  }

  async init(): Promise<void> {
    // PGlite has no unaccent, so the vector is built from folded text (foldAccents) that the
    // application writes, and title and body are kept as they are in Catalog.
    await this.db.exec(`
      CREATE TABLE IF NOT EXISTS documents (
        sku    text PRIMARY KEY,
        title  text NOT NULL,
        body   text NOT NULL,
        vector tsvector NOT NULL
      );
      CREATE INDEX IF NOT EXISTS documents_vector_gin ON documents USING gin (vector);
      CREATE TABLE IF NOT EXISTS sync_position (
        id       boolean PRIMARY KEY DEFAULT true CHECK (id),
        position bigint NOT NULL
      );
      INSERT INTO sync_position (id, position) VALUES (true, 0) ON CONFLICT (id) DO NOTHING;`);
  }

  /** Applies every change after the stored position; returns how many it applied. */
  async sync(): Promise<number> {
    let applied = 0;
    for (;;) {
      const position = await this.position();
      const changes = await this.catalog.changesAfter(position);
      if (changes.length === 0) return applied;
      // One page, and the position after it, in one transaction: a crash leaves the index at
      // the last committed position, and the next sync applies the page again.
      await this.db.transaction(async (tx) => {
        for (const change of changes) {
          if (change.product) await writeDocument(tx, change.product);
          else await tx.query('DELETE FROM documents WHERE sku = $1', [change.sku]);
        }
        await tx.query('UPDATE sync_position SET position = $1', [changes.at(-1)!.position]);
      });
      applied += changes.length;
    }
  }

  /** Replaces the whole index with what Catalog holds now. */
  async rebuild(): Promise<void> {
    // The position first: a change made while the products are read is applied again by the
    // next sync, which is harmless, instead of being skipped.
    const position = await this.catalog.lastPosition();
    const products = await this.catalog.products();
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM documents');
      for (const product of products) await writeDocument(tx, product);
      await tx.query('UPDATE sync_position SET position = $1', [position]);
    });
  }

  async search(query: string, limit = DEFAULT_LIMIT): Promise<SearchHit[]> {
    // websearch_to_tsquery takes what a shopper types and never raises a syntax error.
    const { rows } = await this.db.query<SearchHit>(
      `SELECT sku, title FROM documents, websearch_to_tsquery('english', $1) AS q
        WHERE vector @@ q
        ORDER BY ts_rank(vector, q) DESC, sku COLLATE "C"
        LIMIT $2`,
      [foldAccents(query), limit],
    );
    return rows.map((row) => ({ sku: row.sku, title: row.title }));
  }

  private async position(): Promise<number> {
    const { rows } = await this.db.query<{ position: string | number }>('SELECT position FROM sync_position');
    return Number(rows[0]?.position ?? 0);
  }
}

async function writeDocument(tx: PgQueries, product: Product): Promise<void> {
  await tx.query(
    `INSERT INTO documents (sku, title, body, vector)
     VALUES ($1, $2, $3, setweight(to_tsvector('english', $4), 'A') || setweight(to_tsvector('english', $5), 'B'))
     ON CONFLICT (sku) DO UPDATE SET title = excluded.title, body = excluded.body, vector = excluded.vector`,
    [product.sku, product.name, product.description, foldAccents(product.name), foldAccents(product.description)],
  );
}
