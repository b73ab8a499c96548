/**
 * The database engines, supplied by the runtime that hosts a run (a Node child process or a
 * browser worker). Lab code never loads an engine itself: the host decides where PGlite's
 * data directory and sql.js's wasm come from, and keeps them warm between runs.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { SqlJsStatic } from 'sql.js';

export interface Engines {
  /**
   * The run's one PGlite instance, started from a dumped data directory, never by initdb. Each
   * instance's start is recorded with rememberSnapshotState() (pg.ts) before anyone uses it.
   */
  pglite(): Promise<PGlite>;
  /**
   * Replaces that instance with a new one from the snapshot, when a test left the old one in a
   * state the reset cannot undo; pglite() returns the new one from then on. The old one is closed.
   */
  reloadPglite(): Promise<PGlite>;
  sqljs(): Promise<SqlJsStatic>;
}

let installed: Engines | undefined;

export function installEngines(engines: Engines): void {
  installed = engines;
}

export function engines(): Engines {
  if (!installed) throw new Error('No database engines are installed: the lab runner must call installEngines() first.');
  return installed;
}
