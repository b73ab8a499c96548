/**
 * Schema per service: several services share the run's one PGlite instance (a PGlite costs
 * about 220 MB in a browser), yet each sees only its own schema. Every statement runs inside a
 * transaction that first switches to the service's role and search path, so a query that names
 * another service's table fails with permission denied (SQLSTATE 42501), as it would with
 * separate login roles on a shared server.
 *
 * PGlite has one connection and connects as the superuser `postgres`. SET LOCAL ROLE gives
 * up those rights until the transaction ends, but the service's own SQL could take them back
 * with RESET ROLE: this models the isolation of separate roles, it is not a security boundary.
 */
import type { PGlite } from '@electric-sql/pglite';
import { queriesOn } from './pg.ts';
import type { Pg, PgQueries, Row, SqlValue } from './types.ts';

/** Names a schema and its role may take: lowercase, so SQL never needs to quote them. */
const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

function enterSchema(name: string): string {
  return `SET LOCAL ROLE ${name}; SET LOCAL search_path TO ${name};`;
}

/**
 * Creates (once) the role `name` and the schema `name` it owns, with no rights for anyone
 * else, and returns a `Pg` that acts as that role. Calling it again for the same name returns
 * another handle on the same schema and data, which is how a restarted service finds its
 * database again.
 */
export async function createServiceSchema(pglite: PGlite, name: string): Promise<Pg> {
  if (typeof name !== 'string' || !SCHEMA_NAME.test(name)) {
    throw new Error(
      `pgSchema: ${JSON.stringify(name)} cannot name a schema and its role. Use lowercase letters, digits and underscores, starting with a letter, e.g. "orders" or "saga_orchestrator".`,
    );
  }
  await pglite.exec(`
    DO $create$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${name}') THEN
        CREATE ROLE ${name} NOLOGIN;
      END IF;
    END
    $create$;
    CREATE SCHEMA IF NOT EXISTS ${name} AUTHORIZATION ${name};
    REVOKE ALL ON SCHEMA ${name} FROM PUBLIC;
    REVOKE ALL ON SCHEMA public FROM ${name};`);

  const db = {} as Pg;
  const inServiceTransaction = <T>(fn: (tx: PgQueries) => Promise<T>): Promise<T> =>
    pglite.transaction(async (tx) => {
      await tx.exec(enterSchema(name));
      return fn(queriesOn(tx, db));
    });

  Object.assign(db, {
    query: <T = Row>(sql: string, params?: SqlValue[]) => inServiceTransaction((tx) => tx.query<T>(sql, params)),
    exec: (sql: string) => inServiceTransaction((tx) => tx.exec(sql)),
    transaction: inServiceTransaction,
  });
  return db;
}
