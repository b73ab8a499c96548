/**
 * Turns anything a test threw into one or two lines a learner can act on: what happened and
 * where in their code (`at src/order.ts:12`).
 */
import { ModuleLoadError } from './module-system.ts';
import { CompileError } from './compile.ts';

export function describeError(error: unknown): string {
  if (error instanceof ModuleLoadError) {
    return `${error.file} could not be loaded, so this test could not use it. ${describeError(error.cause)}`;
  }
  if (error instanceof CompileError) return `Syntax error at ${error.message}`;
  if (!(error instanceof Error)) return `The code threw a value that is not an Error: ${preview(error)}`;
  const where = locate(error);
  const text = error.name && error.name !== 'Error' && error.name !== 'AssertionError' ? `${error.name}: ${error.message}` : error.message;
  return where ? `${text} (at ${where})` : text;
}

/** The first place in lab code (src/ first, then tests/) that the error's stack passes through. */
function locate(error: Error): string | undefined {
  const frames = [...String(error.stack ?? '').matchAll(/lab:\/\/\/([^\s:)]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
  return frames.find((f) => f.startsWith('src/')) ?? frames[0];
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
