/**
 * grades.csv for an LMS import: one row per learner, one column per lab's score, the total,
 * and a notes column for what an instructor should look at. RFC 4180: comma-separated, CRLF
 * line ends, a field quoted when it holds a comma, a quote or a line break, quotes doubled.
 */
import { scoreOf, type Gradebook } from './model.ts';

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a
 * formula, so a learner named "=HYPERLINK(...)" could attack whoever opens the file. A leading
 * apostrophe makes the cell text (OWASP's advice for CSV injection).
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One field, quoted only when RFC 4180 needs it. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows to CSV text; strings are guarded against formulas, numbers written as they are. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>): string {
  const cell = (value: string | number | undefined) => (value === undefined ? '' : typeof value === 'number' ? String(value) : csvField(guardFormula(value)));
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function gradesCsv(book: Gradebook): string {
  const header = ['learner', ...book.labs.map((lab) => lab.id), 'total', 'notes'];
  const rows = book.learners.map((learner) => {
    const scores = book.labs.map((lab) => scoreOf(learner.labs[lab.id]));
    const graded = scores.filter((s): s is number => s !== undefined);
    const notes = book.labs.flatMap((lab) => {
      const entry = learner.labs[lab.id];
      if (!entry || entry.state === 'missing') return [`${lab.id}: no submission`];
      if (entry.state === 'error') return [`${lab.id}: could not be graded: ${entry.error}`];
      return [];
    });
    return [learner.id, ...scores, graded.length > 0 ? graded.reduce((a, b) => a + b, 0) : undefined, notes.join('; ')];
  });
  return toCsv([header, ...rows]);
}
