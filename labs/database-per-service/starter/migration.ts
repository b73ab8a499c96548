/**
 * Task 1: the migration that splits the monolith's `public` schema into the two services'
 * schemas. It runs as the owner (runMigration in shop.ts), once for the cutover and again
 * whenever the operator is unsure it finished: every run must leave the same result.
 */

// TODO (task 1): create customers.customers and orders.orders with the columns of the README,
// copy the monolith's rows into them (every run gives the same tables and loses no row), give
// each service's role its own tables, and link no table to another service's.
export const SPLIT_MIGRATION_SQL = `
  SELECT 1;
`;
