/**
 * The worker behind a lesson's SQL console. The learner's SQL runs here, off the page, so a
 * query that never ends costs only this worker, which the page replaces.
 */
/// <reference lib="webworker" />
import type { PGlite } from '@electric-sql/pglite';
import type { Database } from 'sql.js';
import { loadPgliteFromSnapshot, loadSqlJs } from '../worker/browser-engines.ts';
import type { ConsoleRequest, ConsoleResponse, QueryResult } from './protocol.ts';
import { cellText } from './cell-text.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const reply = (response: ConsoleResponse) => scope.postMessage(response);

let run: ((sql: string) => Promise<QueryResult>) | undefined;

async function open(engine: 'pglite' | 'sqljs', snapshotUrl: string, seed: string): Promise<void> {
  if (engine === 'pglite') {
    const db: PGlite = await loadPgliteFromSnapshot(snapshotUrl);
    await db.exec(seed);
    run = async (sql) => {
      const results = await db.exec(sql);
      const shown = [...results].reverse().find((r) => r.fields.length > 0);
      return {
        columns: shown?.fields.map((f) => f.name) ?? [],
        rows: shown?.rows.map((row) => shown.fields.map((f) => cellText((row as Record<string, unknown>)[f.name]))) ?? [],
        affectedRows: results.reduce((sum, r) => sum + (r.affectedRows ?? 0), 0),
        statements: results.length,
      };
    };
  } else {
    const SQL = await loadSqlJs();
    const db: Database = new SQL.Database();
    db.exec(seed);
    run = async (sql) => {
      const results = db.exec(sql);
      const shown = results.at(-1);
      return {
        columns: shown?.columns ?? [],
        rows: shown?.values.map((row) => row.map(cellText)) ?? [],
        affectedRows: db.getRowsModified(),
        statements: results.length,
      };
    };
  }
}

scope.onmessage = async (message: MessageEvent<ConsoleRequest>) => {
  const request = message.data;
  if (request.type === 'open') {
    try {
      await open(request.engine, request.snapshotUrl, request.seed);
      reply({ type: 'ready' });
    } catch (error) {
      reply({ type: 'open-failed', message: (error as Error).message });
    }
    return;
  }
  try {
    if (!run) throw new Error('the database is not open yet');
    reply({ type: 'result', id: request.id, result: await run(request.sql) });
  } catch (error) {
    reply({ type: 'query-failed', id: request.id, message: (error as Error).message });
  }
};
