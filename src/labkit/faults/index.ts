/**
 * Faults tests can inject, imported as `labkit/faults`: crashes between database writes,
 * lost, duplicated, delayed and reordered messages, lost acks, and failing calls, with seeded
 * randomness so a failing schedule can be replayed.
 *
 * @example
 * crashOnWrite(readModel, 2);                  // the 2nd write from now throws SimulatedCrash
 * await expect(projector.catchUp()).rejects.toThrow(SimulatedCrash);
 *
 * @example
 * const faults = messageFaults({ seed: 7 });
 * const bus = createBus({ clock: createClock(), faults });
 * faults.loseAck({ topic: 'payments', times: 1 }); // the handler runs twice for the next payment
 */
import type { Pg, Sqlite } from '../db/types.ts';
import { writeFaultsOf } from './write-faults.ts';

export { SimulatedCrash } from './write-faults.ts';
export { failOnCall, SimulatedFailure, type FailOnCallOptions } from './fail-on-call.ts';
export { messageFaults, type FaultEvent, type FaultKind, type FaultRule, type FaultTiming, type MessageFaults, type MessageMatch } from './message-faults.ts';
export { seededRandom, withSeed } from './seeded-random.ts';
export { scheduleSeeds } from './schedule-seeds.ts';

/**
 * Makes the `n`th write through `db` from now throw SimulatedCrash instead of happening. A write is
 * any statement the engine runs as one (INSERT, UPDATE, DELETE, upserts, `WITH … INSERT`, a
 * function that writes), whatever its text looks like; schema changes are not writes.
 */
export function crashOnWrite(db: Pg | Sqlite, n: number): void {
  writeFaultsOf(db).crashOnWrite(n);
}

/** Removes any fault set on `db`. */
export function clearFaults(db: Pg | Sqlite): void {
  writeFaultsOf(db).clear();
}
