/**
 * The database interfaces lab code programs against. They are the course's own, small and
 * typed, so a lab reads the same in the editor, in Node and in the browser, and tests can
 * inject faults underneath them.
 */

export type Row = Record<string, unknown>;
export type SqlValue = string | number | bigint | boolean | null | Uint8Array | Date | object;

export interface PgResult<T> {
  rows: T[];
  /** Rows changed by an INSERT, UPDATE or DELETE; 0 otherwise. */
  affectedRows: number;
}

/** Queries on PostgreSQL (PGlite). Parameters are `$1`, `$2`, ... and are never spliced into the SQL. */
export interface PgQueries {
  query<T = Row>(sql: string, params?: SqlValue[]): Promise<PgResult<T>>;
  /** Runs one or more statements without parameters (DDL, scripts). */
  exec(sql: string): Promise<void>;
}

export interface Pg extends PgQueries {
  /**
   * Runs `fn` in a transaction: committed when it returns, rolled back when it throws.
   * Transactions on one database run one at a time, as on a single connection.
   */
  transaction<T>(fn: (tx: PgQueries) => Promise<T>): Promise<T>;
}

/** A PostgreSQL error carries its SQLSTATE code: '23505' is unique_violation, '40001' serialization_failure. */
export interface PgError extends Error {
  code?: string;
}

/** Queries on SQLite (sql.js). SQLite is synchronous, so these return values, not promises. */
export interface Sqlite {
  /** Runs one statement that returns no rows. Parameters are `?` or `$name`. */
  run(sql: string, params?: SqlValue[]): { changes: number };
  all<T = Row>(sql: string, params?: SqlValue[]): T[];
  /** The first row, or undefined. */
  get<T = Row>(sql: string, params?: SqlValue[]): T | undefined;
  /** Runs one or more statements without parameters. */
  exec(sql: string): void;
  /** Runs `fn` in a transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: () => T): T;
  /** The whole database as the bytes of an SQLite file: what `sqlite(bytes)` opens again. */
  export(): Uint8Array;
}
