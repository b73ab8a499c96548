/** Messages between a lesson's SQL console (on the page) and its worker (which holds the database). */
export type ConsoleRequest =
  | { type: 'open'; engine: 'pglite' | 'sqljs'; snapshotUrl: string; seed: string }
  | { type: 'query'; id: number; sql: string };

/** A result as the console shows it: the last statement that returned columns, as text cells. */
export interface QueryResult {
  columns: string[];
  rows: string[][];
  /** Rows changed, for statements that return no rows. */
  affectedRows: number;
  statements: number;
}

export type ConsoleResponse =
  | { type: 'ready' }
  | { type: 'open-failed'; message: string }
  | { type: 'result'; id: number; result: QueryResult }
  | { type: 'query-failed'; id: number; message: string };
