/**
 * What every report format is: a name, a line of help, and the texts it makes from a LabResult,
 * each with where it goes. Reporters stay pure: they say where, and the grade command does the
 * writing. The destinations are declared up front, before anything runs, so the command can
 * refuse reporters that would mix their output on stdout rather than write a broken report.
 */
import type { LabResult } from '../schemas/lab-result.ts';

/**
 * - `terminal`: for people; stdout, or stderr while a `file` report takes stdout
 * - `file`: for programs; the --output file, else stdout (so at most one per run)
 * - `stdout`: always stdout (GitHub Actions reads workflow commands from a step's output)
 * - `{ appendTo }`: appended to the file named by that environment variable (GitHub Actions'
 *   $GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT), else stdout
 */
export type Destination = 'terminal' | 'file' | 'stdout' | { appendTo: string };

export interface ReportOptions {
  /** The score needed to pass, 0..maxScore. */
  passMark: number;
  /** Whether the `terminal` text goes to a terminal, which can show colours. */
  color: boolean;
}

export interface ReportPart {
  to: Destination;
  text: (result: LabResult, options: ReportOptions) => string;
}

export interface Reporter {
  /** What --reporter calls it. */
  name: string;
  /** For the usage text: what it writes; a second line may follow after a line break. */
  help: string;
  /** Written in this order. */
  parts: readonly ReportPart[];
}
