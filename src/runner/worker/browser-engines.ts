/**
 * Loading the database engines inside a browser worker, shared by the lab runner's worker and
 * the lessons' SQL console. PGlite starts from the site's dumped data directory, never initdb.
 */
import { PGlite } from '@electric-sql/pglite';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import sqlWasmUrl from 'sql.js/dist/sql-wasm-browser.wasm?url';

export async function loadPgliteFromSnapshot(snapshotUrl: string): Promise<PGlite> {
  const response = await fetch(snapshotUrl);
  if (!response.ok) throw new Error(`could not download the database snapshot (${response.status} ${response.statusText})`);
  return PGlite.create({ loadDataDir: await response.blob() });
}

export function loadSqlJs(): Promise<SqlJsStatic> {
  return initSqlJs({ locateFile: () => sqlWasmUrl });
}
