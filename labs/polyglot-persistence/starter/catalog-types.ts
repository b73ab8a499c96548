/** The Catalog's products, the change feed it publishes, and what a search returns. */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface Product {
  sku: string;
  name: string;
  description: string;
  category: string;
  /** A whole number of cents, more than 0. */
  priceCents: number;
  /** What varies by product type: always a JSON object. */
  attributes: { [key: string]: Json };
}

/** One entry of the change feed: what a product became at `position` (null: it was removed). */
export interface Change {
  /** Increases with every change; there can be gaps between two positions. */
  position: number;
  sku: string;
  product: Product | null;
}

export interface SearchHit {
  sku: string;
  title: string;
}

/** How many changes `changesAfter` returns when no limit is given. */
export const DEFAULT_PAGE = 100;

/** How many hits `search` returns when no limit is given. */
export const DEFAULT_LIMIT = 20;
