/**
 * Turns anything a test threw into a few lines a learner can act on: what happened (for a
 * failed expectation: the test's message, then once what was expected and what was received),
 * the fault seed that replays it when there is one, and where in their code (`at src/order.ts:12`).
 */
import { takeSeedNotes } from '../../labkit/faults/seeded-random.ts';
import { isAssertionError } from '../../labkit/test/expect.ts';
import { failureMessage, splitMessage } from '../../labkit/test/failure-message.ts';
import { ModuleLoadError } from './module-system.ts';
import { CompileError } from './compile.ts';
import { isLoopStop } from './loop-guard.ts';

/** The compile error a failed load comes down to, through the files that imported the broken one. */
export function compileErrorBehind(error: unknown): CompileError | undefined {
  let cause = error;
  for (let depth = 0; cause instanceof ModuleLoadError && depth < 100; depth++) cause = cause.cause;
  return cause instanceof CompileError ? cause : undefined;
}

export function describeError(error: unknown): string {
  // The guard's own words name the loop and the limit; they stand alone.
  if (isLoopStop(error)) return (error as Error).message;
  if (error instanceof ModuleLoadError && isLoopStop(error.cause)) return (error.cause as Error).message;
  if (error instanceof ModuleLoadError) {
    return `${error.file} could not be loaded, so this test could not use it. ${describeError(error.cause)}`;
  }
  if (error instanceof CompileError) return `Syntax error at ${error.message}`;
  if (!(error instanceof Error)) return `The code threw a value that is not an Error: ${preview(error)}`;
  const where = locate(error);
  const { message, notes } = takeSeedNotes(String(error.message));
  let text: string;
  if (isAssertionError(error)) {
    text = failureMessage(error, message);
  } else {
    // Not an expectation, but its message may hold one's (a test that wrapped it): the same words, marker gone.
    const { given, matcher } = splitMessage(message);
    const said = given === undefined ? matcher : `${given}: ${matcher}`;
    text = error.name && error.name !== 'Error' && error.name !== 'AssertionError' ? `${error.name}: ${said}` : said;
  }
  const lines = [text, ...notes.map((note) => `${note[0]!.toUpperCase()}${note.slice(1)}`)];
  if (!where) return lines.join('\n');
  // One line stays one line; under several, the place goes on a line of its own.
  return lines.length === 1 && !text.includes('\n') ? `${text} (at ${where})` : `${lines.join('\n')}\n(at ${where})`;
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
