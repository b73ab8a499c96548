/**
 * Values as a lab's tests write them into failure messages: one line, short enough to read.
 */

/** A value a message shows for its own sake (a journal, a state) is cut after this many characters. */
const MAX_LENGTH = 400;

/** A value inside a sentence about something else (a difference, what a call returned) is cut sooner, so the sentence stays readable. */
export const IN_SENTENCE = 160;

/**
 * A value as one line of text: plain data as JSON, anything JSON cannot write (undefined, a
 * BigInt, a cycle) as String(value), cut after `maxLength` characters with "..."; an error as
 * "Name: message", whole, since its message is often the one clue to what went wrong.
 *
 * @example
 * throw new Error(`the saga did not finish; its journal: ${showValue(system.journal)}`);
 */
export function showValue(value: unknown, maxLength = MAX_LENGTH): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return cut(text, maxLength);
}

/**
 * What a call settled with, for a message that goes on "..., but ": "it threw TypeError: x is
 * not a function" for an error (a rejection caught with `.catch((e) => e)`), "it returned 3"
 * for anything else (cut after IN_SENTENCE characters).
 *
 * @example
 * const result = await store.append('order-1', 0, events).catch((error: unknown) => error);
 * expect(result, `the append should succeed, but ${describeOutcome(result)}`).toBe(3);
 */
export function describeOutcome(value: unknown): string {
  if (value instanceof Error) return `it threw ${showValue(value)}`;
  return `it returned ${showValue(value, IN_SENTENCE)}`;
}

function cut(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}
