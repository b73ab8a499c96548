/**
 * Write faults under the database helpers: "crash on the Nth write" lets a test stop lab code
 * at every point between two writes without knowing how the code is structured.
 *
 * What counts as a write is decided by the engine, never by the SQL text, so a write inside
 * `WITH … INSERT`, after a comment, in a trigger or through a function is a write like any other:
 *   - SQLite: the statement's program (EXPLAIN) opens a table or index for writing, before it runs;
 *   - PostgreSQL: the statement runs inside a savepoint, and it wrote when it changed rows or
 *     took a row-exclusive lock (which every INSERT, UPDATE, DELETE and MERGE takes, even one that
 *     matches no row). A write chosen to crash is rolled back to the savepoint, so it never happened.
 * Schema changes (CREATE TABLE, …) are not writes. While no crash is armed nothing is probed,
 * so statements cost what they always cost.
 */

/** Thrown by a database helper when a test-injected crash fires. Lab code must not catch it to carry on. */
export class SimulatedCrash extends Error {
  constructor(message = 'simulated crash: the service stopped here') {
    super(message);
    this.name = 'SimulatedCrash';
  }
}

/** Counts writes through one database helper and crashes on the chosen one. */
export class WriteFaults {
  private remaining = 0;

  /** The `n`th write from now (1 = the next one) throws SimulatedCrash instead of running. */
  crashOnWrite(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new Error('crashOnWrite(n) needs a whole number n >= 1');
    this.remaining = n;
  }

  clear(): void {
    this.remaining = 0;
  }

  /** True while a crash is waiting: only then do the helpers find out whether a statement writes. */
  get armed(): boolean {
    return this.remaining > 0;
  }

  /** Counts one write; true when it is the one chosen to crash (the helper then throws SimulatedCrash). */
  countWrite(): boolean {
    if (this.remaining === 0) return false;
    this.remaining -= 1;
    return this.remaining === 0;
  }
}

const faultsByDatabase = new WeakMap<object, WriteFaults>();

/** The write faults of a database helper, created on first use. */
export function writeFaultsOf(db: object): WriteFaults {
  let faults = faultsByDatabase.get(db);
  if (!faults) {
    faults = new WriteFaults();
    faultsByDatabase.set(db, faults);
  }
  return faults;
}
