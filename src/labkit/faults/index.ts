/**
 * Faults tests can inject, imported as `labkit/faults`.
 *
 * @example
 * crashOnWrite(readModel, 2);                  // the 2nd write from now throws SimulatedCrash
 * await expect(projector.catchUp()).rejects.toThrow(SimulatedCrash);
 */
import type { Pg, Sqlite } from '../db/types.ts';
import { writeFaultsOf } from './write-faults.ts';

export { SimulatedCrash } from './write-faults.ts';

/** Makes the `n`th write (INSERT, UPDATE, DELETE, REPLACE) through `db` from now throw SimulatedCrash. */
export function crashOnWrite(db: Pg | Sqlite, n: number): void {
  writeFaultsOf(db).crashOnWrite(n);
}

/** Removes any fault set on `db`. */
export function clearFaults(db: Pg | Sqlite): void {
  writeFaultsOf(db).clear();
}
