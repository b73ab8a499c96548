/**
 * The mutants a lab declares equivalent: survivors that no behaviour the README asks for can
 * tell apart from the solution. They live in `labs/<id>/mutation-equivalents.json`, each with
 * a reason, and are left out of the lab's mutation score.
 *
 * A mutant is named by what it changes (file, mutator, the original text and its replacement),
 * with its line to tell apart identical changes in one file. Stryker's numeric ids change with
 * every edit, so they are never used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { z } from 'zod';

export const EQUIVALENTS_FILE = 'mutation-equivalents.json';

/** One mutant as a person reads it: the line is 1-based. */
export interface MutantName {
  file: string;
  line: number;
  mutator: string;
  original: string;
  replacement: string;
}

const equivalentSchema = z.strictObject({
  file: z.string().startsWith('src/'),
  line: z.number().int().positive(),
  mutator: z.string().min(1),
  original: z.string(),
  replacement: z.string(),
  reason: z.string().min(10, 'say in one line why no rule of the README can tell this mutant apart'),
});
export type Equivalent = z.infer<typeof equivalentSchema>;

/** The lab's equivalents file, checked; none when the lab has no file. */
export function readEquivalents(labDir: string): Equivalent[] {
  const path = join(labDir, EQUIVALENTS_FILE);
  if (!existsSync(path)) return [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${EQUIVALENTS_FILE} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = z.array(equivalentSchema).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${EQUIVALENTS_FILE} › ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** A mutant with its location 0-based (as the instrumenter gives it), named by the text it covers in `source`. */
export function nameMutant(
  mutant: { fileName: string; mutatorName: string; replacement: string; location: { start: { line: number; column: number }; end: { line: number; column: number } } },
  file: string,
  source: string,
): MutantName {
  const lines = source.split('\n');
  const { start, end } = mutant.location;
  const original =
    start.line === end.line
      ? lines[start.line]!.slice(start.column, end.column)
      : [lines[start.line]!.slice(start.column), ...lines.slice(start.line + 1, end.line), lines[end.line]!.slice(0, end.column)].join('\n');
  return { file, line: start.line + 1, mutator: mutant.mutatorName, original, replacement: mutant.replacement };
}

const sameChange = (a: Omit<MutantName, 'line'>, b: Omit<MutantName, 'line'>) =>
  a.file === b.file && a.mutator === b.mutator && a.original === b.original && a.replacement === b.replacement;

/**
 * The mutant an equivalent names: the one making the same change, or, where the file has
 * several making it, the one on the same line.
 */
export function findEquivalent<T extends MutantName>(equivalent: Equivalent, mutants: readonly T[]): T | undefined {
  const candidates = mutants.filter((m) => sameChange(m, equivalent));
  if (candidates.length <= 1) return candidates[0];
  return candidates.find((m) => m.line === equivalent.line);
}

const silentLogger = {
  isTraceEnabled: () => false,
  isDebugEnabled: () => false,
  isInfoEnabled: () => false,
  isWarnEnabled: () => false,
  isErrorEnabled: () => false,
  isFatalEnabled: () => false,
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  fatal: () => {},
};

/** Every mutant Stryker makes of these files (path -> source), as `npm run mutate` names them. */
export async function listMutants(files: Record<string, string>): Promise<MutantName[]> {
  const instrumenter = new Instrumenter(silentLogger);
  const { mutants } = await instrumenter.instrument(
    Object.entries(files).map(([name, content]) => ({ name, content, mutate: true })),
    { plugins: null, excludedMutations: [], ignorers: [] },
  );
  return mutants.map((m) => nameMutant(m, m.fileName, files[m.fileName]!));
}

/** What verify reports about a lab's equivalents file: entries that name no mutant of the solution. */
export async function staleEquivalents(labDir: string, solutionFiles: Record<string, string>): Promise<string[]> {
  const equivalents = readEquivalents(labDir);
  if (equivalents.length === 0) return [];
  const mutants = await listMutants(solutionFiles);
  return equivalents
    .filter((e) => !findEquivalent(e, mutants))
    .map((e) => `${EQUIVALENTS_FILE} names a mutant that no longer exists: ${e.file}:${e.line} ${e.mutator} ${JSON.stringify(e.original)} -> ${JSON.stringify(e.replacement)}`);
}
