/**
 * TypeScript to runnable JavaScript for one lab file, the same way in every runtime: sucrase
 * strips the types and turns imports into `require` calls whose results are read at each use,
 * which keeps ES module live bindings and lets the module system load lab code lazily.
 * Sucrase keeps line numbers, so error positions point at the learner's own lines.
 */
import { transform } from 'sucrase';
import { instrumentLoops, type LoopSite } from './loop-guard.ts';

export class CompileError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;

  constructor(file: string, detail: string, line?: number, column?: number) {
    super(`${file}${line ? `:${line}:${column ?? 1}` : ''}: ${detail}`);
    this.name = 'SyntaxError';
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

export interface CompiledModule {
  code: string;
  /** The loop guard's table for this file (see loop-guard.ts): empty for test files, which are not instrumented. */
  loopSites: readonly LoopSite[];
}

/**
 * Compiled code by path and source. A warm worker compiles only what the learner changed since
 * the last run; the tests and untouched files come from here.
 */
const compiled = new Map<string, CompiledModule>();
const CACHE_LIMIT = 200;

export function compileModule(path: string, source: string): CompiledModule {
  const key = `${path}\0${source}`;
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  let code: string;
  try {
    code = transform(source, { transforms: ['typescript', 'imports'], filePath: path, production: true, keepUnusedImports: false }).code;
  } catch (error) {
    // Sucrase reports 1-based lines and columns, as editors show them.
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const detail = String((error as Error).message ?? error)
      .replace(/^Error transforming [^:]+: /, '')
      .replace(/ \(\d+:\d+\)$/, '');
    throw new CompileError(path, detail, loc?.line, loc?.column);
  }
  // Only lab code: the tests are the course's, and a loop in them is the driver's to stop.
  const { code: guarded, sites } = path.startsWith('src/') ? instrumentLoops(code, path) : { code, sites: [] };
  const result: CompiledModule = { code: guarded, loopSites: Object.freeze(sites) };
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(key, result);
  return result;
}
