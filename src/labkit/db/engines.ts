/**
 * The database engines, supplied by the runtime that hosts a run (a Node child process or a
 * browser worker). Lab code never loads an engine itself: the host decides where PGlite's
 * data directory and sql.js's wasm come from, and keeps them warm between runs.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { SqlJsStatic } from 'sql.js';
import { rememberSnapshotState } from './pg.ts';

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

/**
 * Engines that start lazily, once each, and stay up for the life of the host; `startPglite`
 * (a new instance from the runtime's snapshot) runs again when a test left PGlite unclean.
 */
export function lazyEngines(startPglite: () => Promise<PGlite>, startSqlJs: () => Promise<SqlJsStatic>): Engines {
  let pglite: Promise<PGlite> | undefined;
  let sqljs: Promise<SqlJsStatic> | undefined;
  const start = async () => {
    const db = await startPglite();
    await rememberSnapshotState(db);
    return db;
  };
  return {
    pglite: () => (pglite ??= start()),
    reloadPglite: () => {
      const old = pglite;
      pglite = start();
      old?.then((db) => db.close()).catch(() => {});
      return pglite;
    },
    sqljs: () => (sqljs ??= startSqlJs()),
  };
}

let installed: Engines | undefined;

export function installEngines(engines: Engines): void {
  installed = engines;
}

export function engines(): Engines {
  if (!installed) throw new Error('No database engines are installed: the lab runner must call installEngines() first.');
  return installed;
}
