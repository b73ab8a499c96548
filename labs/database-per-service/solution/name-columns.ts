/**
 * Task 4: Customers splits `name` into `given_name` and `family_name` in three steps (expand,
 * migrate, contract), and its code reads and writes names through the two functions below in
 * every phase, so that its API and events, and with them Orders, never see the change.
 */
import type { Row } from 'labkit/db';
import type { Phase } from './shop.ts';

/** Step 1, expand: add the two new columns next to `name`. Safe to run twice. */
export const EXPAND_SQL = `
  ALTER TABLE customers ADD COLUMN IF NOT EXISTS given_name text;
  ALTER TABLE customers ADD COLUMN IF NOT EXISTS family_name text;
`;

/**
 * Step 2, migrate: fill both columns from `name` for every row, split at the first space.
 * Recomputed from `name` each time, so a second run gives the same columns.
 */
export const MIGRATE_SQL = `
  UPDATE customers
     SET given_name  = split_part(name, ' ', 1),
         family_name = CASE WHEN position(' ' IN name) = 0 THEN '' ELSE substr(name, position(' ' IN name) + 1) END;
`;

/** Step 3, contract: drop `name`; the two columns now hold the whole name. Safe to run twice. */
export const CONTRACT_SQL = `
  ALTER TABLE customers ALTER COLUMN given_name SET NOT NULL;
  ALTER TABLE customers ALTER COLUMN family_name SET NOT NULL;
  ALTER TABLE customers DROP COLUMN IF EXISTS name;
`;

/** Splits a name at its first space: `Amélie Poulain 🙂` is `Amélie` and `Poulain 🙂`; `Madonna` is `Madonna` and ``. */
export function splitName(name: string): { given_name: string; family_name: string } {
  const space = name.indexOf(' ');
  return space < 0 ? { given_name: name, family_name: '' } : { given_name: name.slice(0, space), family_name: name.slice(space + 1) };
}

/** The customer's whole name from a row of `customers`, in `phase`. */
export function readName(row: Row, phase: Exclude<Phase, 'original'>): string {
  // Until the backfill ran, rows written before the expand have no given_name: `name` is the truth.
  if (phase === 'expanded') return String(row.name);
  const given = String(row.given_name);
  const family = String(row.family_name);
  return family === '' ? given : `${given} ${family}`;
}

/** The columns a write of `name` sets, in `phase`: both shapes while either may be read. */
export function nameColumns(name: string, phase: Exclude<Phase, 'original'>): Record<string, string> {
  const split = splitName(name);
  if (phase === 'contracted') return split;
  // Expanded and migrated: write the old column too, so the code of the phase before (or a rollback) still reads the truth.
  return { name, ...split };
}
