/**
 * Whether this build is a class build, and its settings. One setting, read at build time:
 *
 *   COURSE_CLASS_BUILD=1                  a class build: no solutions, no "Show solution"
 *   COURSE_CLASS_BUILD=path/class.json    the same, with the file's settings (due dates per lab)
 *   unset, empty or 0                     the self-study site, with "Show solution"
 *
 * Node only (the build); the pages receive what they need as data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { classConfig } from '../schemas/class-config.ts';
import { listLabIds } from '../labs/list-labs.ts';

export interface ClassBuild {
  enabled: boolean;
  /** Due dates by lab id, as written in the class file. */
  dueDates: Record<string, string>;
}

export function classBuild(setting = process.env.COURSE_CLASS_BUILD): ClassBuild {
  if (!setting || setting === '0') return { enabled: false, dueDates: {} };
  if (setting === '1') return { enabled: true, dueDates: {} };
  const path = resolve(setting);
  if (!existsSync(path)) throw new Error(`COURSE_CLASS_BUILD names the class file ${path}, which does not exist. Set it to 1 for a class build without one.`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`The class file ${path} is not valid JSON (${(error as Error).message}).`);
  }
  const parsed = classConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`The class file ${path}: ${issue.path.join('.') || '(top)'}: ${issue.message}. Expected { "dueDates": { "<lab-id>": "YYYY-MM-DD" } }.`);
  }
  const labs = listLabIds();
  const unknown = Object.keys(parsed.data.dueDates).filter((id) => !labs.includes(id));
  if (unknown.length > 0) throw new Error(`The class file ${path} gives a due date for "${unknown[0]}", which is not a lab; the labs are ${labs.join(', ')}.`);
  return { enabled: true, dueDates: parsed.data.dueDates };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `2026-12-01T23:59` -> `1 December 2026, 23:59`: written out, with no time zone arithmetic. */
export function formatDueDate(value: string): string {
  const [date, time] = value.split('T');
  const [year, month, day] = date!.split('-').map(Number);
  return `${day} ${MONTHS[month! - 1]} ${year}${time ? `, ${time}` : ''}`;
}
