/**
 * TypeScript to runnable JavaScript for one lab file, the same way in every runtime: sucrase
 * strips the types and turns imports into `require` calls whose results are read at each use,
 * which keeps ES module live bindings and lets the module system load lab code lazily.
 * Sucrase keeps line numbers, so error positions point at the learner's own lines.
 */
import { transform } from 'sucrase';

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

export function compileModule(path: string, source: string): string {
  try {
    return transform(source, { transforms: ['typescript', 'imports'], filePath: path, production: true, keepUnusedImports: false }).code;
  } catch (error) {
    // Sucrase reports 1-based lines and columns, as editors show them.
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const detail = String((error as Error).message ?? error)
      .replace(/^Error transforming [^:]+: /, '')
      .replace(/ \(\d+:\d+\)$/, '');
    throw new CompileError(path, detail, loc?.line, loc?.column);
  }
}
