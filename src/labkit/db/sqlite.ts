import type { Database, SqlValue as SqlJsValue } from 'sql.js';
import { SimulatedCrash, writeFaultsOf } from '../faults/write-faults.ts';
import { writesRows } from './sqlite-write-probe.ts';
import type { Row, SqlValue, Sqlite } from './types.ts';

/** sql.js binds numbers, strings, Uint8Arrays and null; the rest is converted the way SQLite would store it. */
function toSqlJs(value: SqlValue): SqlJsValue {
  if (value === null || typeof value === 'number' || typeof value === 'string' || value instanceof Uint8Array) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** Wraps a sql.js Database in the course's `Sqlite` interface. */
export function wrapSqlJs(database: Database): Sqlite {
  let inTransaction = false;
  // Before a statement runs: a write chosen by crashOnWrite throws instead of running.
  const crashIfChosen = (sql: string) => {
    const faults = writeFaultsOf(db);
    if (faults.armed && writesRows(database, sql) && faults.countWrite()) throw new SimulatedCrash();
  };
  const db: Sqlite = {
    export() {
      if (inTransaction) throw new Error('export() cannot run inside a transaction: SQLite would copy a state that is not committed');
      return database.export();
    },
    run(sql, params = []) {
      crashIfChosen(sql);
      database.run(sql, params.map(toSqlJs));
      return { changes: database.getRowsModified() };
    },
    all<T = Row>(sql: string, params: SqlValue[] = []): T[] {
      crashIfChosen(sql);
      const statement = database.prepare(sql);
      try {
        statement.bind(params.map(toSqlJs));
        const rows: T[] = [];
        while (statement.step()) rows.push(statement.getAsObject() as T);
        return rows;
      } finally {
        statement.free();
      }
    },
    get<T = Row>(sql: string, params: SqlValue[] = []): T | undefined {
      return db.all<T>(sql, params)[0];
    },
    exec(sql) {
      crashIfChosen(sql);
      database.exec(sql);
    },
    transaction<T>(fn: () => T): T {
      if (inTransaction) throw new Error('transaction() cannot be nested: a transaction is already open on this database');
      database.exec('BEGIN');
      inTransaction = true;
      try {
        const result = fn();
        if (result instanceof Promise) throw new Error('the function given to Sqlite.transaction() must be synchronous; SQLite transactions here cannot span an await');
        database.exec('COMMIT');
        return result;
      } catch (error) {
        try {
          database.exec('ROLLBACK');
        } catch {
          // SQLite already rolled back (some errors end the transaction themselves).
        }
        throw error;
      } finally {
        inTransaction = false;
      }
    },
  };
  return db;
}
