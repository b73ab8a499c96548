/**
 * Task 1: the data catalog. Every column of every service carries a classification, kept as
 * rows of governance.data_catalog, and a check compares the catalog with the real schema.
 */
import type { Pg } from 'labkit/db';
import type { ColumnRef } from './shop.ts';

/** Writes the shop's classification into governance.data_catalog (replacing what was there). */
export async function classifyShop(db: Pg): Promise<void> {
  // TODO (task 1): write one governance.data_catalog row per column of every table in the
  // schemas of SERVICES (src/shop.ts), with its level: 'public', 'internal', 'personal' or 'sensitive'.
  void db;
}

/** What the catalog and the schema disagree on. */
export interface CatalogProblems {
  /** Columns of a service's table with no catalog row. */
  unclassified: ColumnRef[];
  /** Catalog rows that name no existing column of a service. */
  stale: ColumnRef[];
}

/** Compares the catalog with the real schema of every service in SERVICES. */
export async function catalogProblems(db: Pg): Promise<CatalogProblems> {
  // TODO (task 1): compare governance.data_catalog with the columns the services' tables really have.
  void db;
  return { unclassified: [], stale: [] };
}
