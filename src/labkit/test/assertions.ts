/**
 * Expectations that say what they check and, when they fail, exactly what differs: the test's
 * words first, then one line per difference, the way a learner reads them:
 *
 *   the order after OrderPaid
 *     status: expected "PAID", got "PLACED"
 *     paidCents: expected 2500, but it is missing
 *
 * The verdict is always `expect`'s own (toEqual, toMatchObject, toBeInstanceOf); these only add
 * the words. A message that lists differences is shown as it is by the runner, which would
 * otherwise compare the two values in its own words (see failure-message.ts).
 */
import { differences } from './differences.ts';
import { expect } from './expect.ts';
import { describeOutcome } from './value-text.ts';

/** At most this many differences are listed; a longer list is noise, and the first ones say where to look. */
const MAX_LISTED = 6;

/**
 * `expect(actual).toEqual(expected)`, with `what` it checks and the parts that differ spelled out when it fails.
 *
 * @example
 * expectEqual(order.state, { status: 'PAID', totalCents: 2500 }, 'the order after OrderPaid');
 */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  failAtCaller(expectEqual, () => expect(actual, withDifferences(what, differences(actual, expected))).toEqual(expected));
}

/**
 * `expect(actual).toMatchObject(expected)`: the fields `expected` names must match, at every
 * depth; others may be there too. When it fails, the fields that differ are spelled out.
 *
 * @example
 * expectMatch(await orders.order('A-1'), { status: 'CONFIRMED' }, 'the order of a completed saga');
 */
export function expectMatch(actual: unknown, expected: object, what: string): void {
  failAtCaller(expectMatch, () => expect(actual, withDifferences(what, differences(actual, expected, true))).toMatchObject(expected));
}

/**
 * `expect(value).toBeInstanceOf(type)`, saying what the value was when it is not: with a
 * rejection caught as a value, "...; instead it threw TypeError: ..." or "...; instead it returned 3".
 *
 * @example
 * const error = await store.append('order-1', 0, events).catch((e: unknown) => e);
 * expectInstanceOf(error, ConcurrencyError, 'an append at a stale version');
 */
export function expectInstanceOf(value: unknown, type: abstract new (...args: never[]) => unknown, what: string): void {
  failAtCaller(expectInstanceOf, () => expect(value, `${what}; instead ${describeOutcome(value)}`).toBeInstanceOf(type));
}

/**
 * The message: `what`, then the differences indented beneath it. The closing "\n  " puts the
 * matcher's own text, which Chai appends, on a line of its own where a message is printed raw.
 */
function withDifferences(what: string, found: string[]): string {
  if (found.length === 0) return what;
  const listed = found.slice(0, MAX_LISTED).map((line) => `\n    ${line}`).join('');
  const more = found.length > MAX_LISTED ? `\n    ... and ${found.length - MAX_LISTED} more differences` : '';
  return `${what}${listed}${more}\n  `;
}

/**
 * Runs an expectation; when it fails, the error's stack starts at the test's line that called
 * `helper` (where a stack is printed, the first line is the one to look at), not in the labkit.
 */
function failAtCaller(helper: (...args: never[]) => void, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Error && typeof Error.captureStackTrace === 'function') Error.captureStackTrace(error, helper);
    throw error;
  }
}
