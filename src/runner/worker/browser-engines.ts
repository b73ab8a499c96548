/**
 * Loading the database engines inside a browser worker, shared by the lab runner's worker and
 * the lessons' SQL console. PGlite starts from the site's dumped data directory, never initdb.
 */
import { PGlite } from '@electric-sql/pglite';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import sqlWasmUrl from 'sql.js/dist/sql-wasm-browser.wasm?url';
import { lazyEngines, type Engines } from '../../labkit/db/engines.ts';

export async function loadPgliteFromSnapshot(snapshotUrl: string): Promise<PGlite> {
  const response = await fetch(snapshotUrl);
  if (!response.ok) throw new Error(`could not download the database snapshot (${response.status} ${response.statusText})`);
  return PGlite.create({ loadDataDir: await response.blob() });
}

export function loadSqlJs(): Promise<SqlJsStatic> {
  return initSqlJs({ locateFile: () => sqlWasmUrl });
}

/**
 * The lab runner's engines in its worker: they start lazily, once each, and stay up for the
 * next runs; PGlite is started again from the snapshot (downloaded once) when a test left it
 * in a state the reset cannot undo (see resetTestDatabase).
 */
export function browserEngines(snapshotUrl: string): Engines {
  let snapshot: Promise<Blob> | undefined;
  return lazyEngines(async () => {
    snapshot ??= fetch(snapshotUrl).then((response) => {
      if (!response.ok) throw new Error(`could not download the database snapshot (${response.status} ${response.statusText})`);
      return response.blob();
    });
    // A failed download is tried again next time.
    snapshot.catch(() => (snapshot = undefined));
    return PGlite.create({ loadDataDir: await snapshot });
  }, loadSqlJs);
}
