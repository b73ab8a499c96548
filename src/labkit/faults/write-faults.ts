/**
 * Write faults under the database helpers: "crash on the Nth write" lets a test stop lab code
 * at every point between two writes without knowing how the code is structured.
 */

/** Thrown by a database helper when a test-injected crash fires. Lab code must not catch it to carry on. */
export class SimulatedCrash extends Error {
  constructor(message = 'simulated crash: the service stopped here') {
    super(message);
    this.name = 'SimulatedCrash';
  }
}

const WRITE = /^\s*(insert|update|delete|replace|upsert)\b/i;

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

  /** Called before every statement; throws when this is the write chosen to crash. */
  beforeStatement(sql: string): void {
    if (this.remaining === 0 || !WRITE.test(sql)) return;
    this.remaining -= 1;
    if (this.remaining === 0) throw new SimulatedCrash();
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
