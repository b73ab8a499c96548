/**
 * Task 4: Customers splits `name` into `given_name` and `family_name` in three steps (expand,
 * migrate, contract), and its code reads and writes names through the two functions below in
 * every phase, so that its API and events, and with them Orders, never see the change.
 */
import type { Row } from 'labkit/db';
import type { Phase } from './shop.ts';

// TODO (task 4): the three steps, each safe to run twice, run as Customers' role.
export const EXPAND_SQL = `SELECT 1;`;
export const MIGRATE_SQL = `SELECT 1;`;
export const CONTRACT_SQL = `SELECT 1;`;

/** The customer's whole name from a row of `customers`, in `phase`. */
export function readName(row: Row, phase: Exclude<Phase, 'original'>): string {
  // TODO (task 4): read the name from the columns that hold the truth in this phase.
  void phase;
  return String(row.name);
}

/** The columns a write of `name` sets, in `phase`. */
export function nameColumns(name: string, phase: Exclude<Phase, 'original'>): Record<string, string> {
  // TODO (task 4): write every shape that code of this phase, or of the one before, may read.
  void phase;
  return { name };
}
