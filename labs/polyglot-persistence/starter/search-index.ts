import type { Pg } from 'labkit/db';
import type { Catalog } from './catalog.ts';
import { DEFAULT_LIMIT, type SearchHit } from './catalog-types.ts';
// foldAccents (src/text.ts) is there for you: PGlite has no unaccent extension.

/**
 * The storefront's search index: a store derived from Catalog, in its own schema, that
 * follows Catalog through its change feed and can be rebuilt from it.
 */
export class SearchIndex {
  private readonly db: Pg;
  private readonly catalog: Catalog;

  constructor(db: Pg, catalog: Catalog) {
    this.db = db;
    this.catalog = catalog;
  }

  async init(): Promise<void> {
    // TODO (task 4): the documents table of the README, its full-text index, and where the
    // index keeps the position it has reached; keep what is already there.
    throw new Error(`SearchIndex.init is not implemented yet (task 4); ${typeof this.db}, ${typeof this.catalog}`);
  }

  /** Applies every change after the stored position; returns how many it applied. */
  async sync(): Promise<number> {
    // TODO (task 4)
    throw new Error('SearchIndex.sync is not implemented yet (task 4)');
  }

  /** Replaces the whole index with what Catalog holds now. */
  async rebuild(): Promise<void> {
    // TODO (task 4)
    throw new Error('SearchIndex.rebuild is not implemented yet (task 4)');
  }

  async search(_query: string, _limit = DEFAULT_LIMIT): Promise<SearchHit[]> {
    // TODO (task 4): ranked as the README says, on whatever a shopper types.
    throw new Error('SearchIndex.search is not implemented yet (task 4)');
  }
}
