/**
 * How a SQLite helper finds out, while a crash is armed (crashOnWrite), whether a statement
 * writes, from the engine rather than from the SQL text: SQLite compiles every statement to a
 * program (EXPLAIN shows it), and one that writes rows opens a table or index for writing
 * (OpenWrite), whether it is an INSERT, an upsert, `WITH … INSERT`, an UPDATE that matches no
 * row, or a statement behind a comment. Schema changes write only to the schema table (root
 * page 1) or to a table being created (root page in a register) and are not writes here.
 * See faults/write-faults.ts.
 */
import type { Database } from 'sql.js';

/** OpenWrite's P5 flag: P2 names a register holding the root page of an object being created. */
const P2_IS_REGISTER = 0x10;
const SCHEMA_TABLE_ROOT = 1;

/** True when a statement of `sql` writes rows (`sql` may hold several statements, as exec takes). */
export function writesRows(database: Database, sql: string): boolean {
  let statements;
  try {
    statements = database.iterateStatements(sql);
    for (const statement of statements) {
      const text = statement.getSQL();
      statement.free();
      if (programWrites(database, text)) return true;
    }
  } catch {
    // A statement that does not compile yet (it needs a table an earlier one creates) or at
    // all: it is not counted, and running it reports the learner's real error.
  }
  return false;
}

function programWrites(database: Database, statementSql: string): boolean {
  const program = database.prepare(`EXPLAIN ${statementSql}`);
  try {
    while (program.step()) {
      const [, opcode, , p2, , , p5] = program.get();
      if (opcode === 'OpenWrite' && p2 !== SCHEMA_TABLE_ROOT && (Number(p5) & P2_IS_REGISTER) === 0) return true;
    }
    return false;
  } finally {
    program.free();
  }
}
