/**
 * A lab's rules table, `labs/<id>/rules.md`: every rule its README states, with the graded
 * tests that fail when that rule alone is broken. It is for instructors and reviewers (which
 * test guards which sentence) and for authors (a rule with no test is a grade that lies);
 * verify checks that every test it names exists.
 *
 *   | # | Rule (README) | Task | Tests |
 *   |---|---|---|---|
 *   | 1 | append() throws ConcurrencyError when ... | 1 | `test-id`, `other-test-id` |
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const RULES_FILE = 'rules.md';

export interface RuleRow {
  number: string;
  rule: string;
  testIds: string[];
}

/** The table's rows; a row is a line of cells whose first cell is a number. */
export function parseRulesTable(markdown: string): RuleRow[] {
  const rows: RuleRow[] = [];
  for (const line of markdown.split('\n')) {
    const cells = splitRow(line);
    if (!cells || !/^\d+$/.test(cells[0]!)) continue;
    const testCell = cells.at(-1)!;
    rows.push({ number: cells[0]!, rule: cells[1] ?? '', testIds: [...testCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!) });
  }
  return rows;
}

function splitRow(line: string): string[] | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|') || !trimmed.endsWith('|')) return undefined;
  // A rule may quote code with a pipe in it ("a || b"): only pipes outside backticks split cells.
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  for (const char of trimmed.slice(1, -1)) {
    if (char === '`') inCode = !inCode;
    if (char === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += char;
    }
  }
  cells.push(cell.trim());
  return cells;
}

/** What verify reports about a lab's rules table, given the ids of the lab's graded tests. */
export function rulesTableProblems(labDir: string, testIds: readonly string[]): string[] {
  const path = join(labDir, RULES_FILE);
  if (!existsSync(path)) return [`${RULES_FILE} is missing. Fix: list every rule of the README with the tests that fail when it alone is broken (see src/labs/rules-table.ts)`];
  const rows = parseRulesTable(readFileSync(path, 'utf8'));
  if (rows.length === 0) return [`${RULES_FILE} has no rows. Fix: one row per rule: | # | Rule (README) | Task | \`test-id\` |`];
  const known = new Set(testIds);
  const problems: string[] = [];
  for (const row of rows) {
    if (row.testIds.length === 0) problems.push(`${RULES_FILE} row ${row.number} ("${row.rule}") names no test. Fix: put the ids of the tests that check it in backticks in the last cell`);
    for (const id of row.testIds) {
      if (!known.has(id)) problems.push(`${RULES_FILE} row ${row.number} names \`${id}\`, which is not a test of this lab. Fix: use an id from the grader's JSON report (tests[].id)`);
    }
  }
  return problems;
}
