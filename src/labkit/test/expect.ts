/**
 * `expect` with Jest's matchers (toBe, toEqual, rejects.toThrow, ...), from Vitest's standalone
 * expect package on top of Chai: familiar to learners, and it runs unchanged in Node and in a worker.
 *
 * A message given as `expect(value, 'what this checks')` reaches Chai with MESSAGE_END after it,
 * so the runner can tell the test's words from the matcher's own ("expected 3 to be 4") and
 * show them as "what this checks / expected: 4 / received: 3" (see describe-error.ts).
 */
import * as chai from 'chai';
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);
// Show whole values in failure messages: a learner needs the full object, not "[ …(2) ]".
chai.config.truncateThreshold = 0;
// Chai's static methods (expect.any, expect.stringMatching, ...) record a stack flag on
// `expect` itself at each call, which fails once the grader has hardened it (frozen objects take
// no new property). The flag only trims stack traces, so it is switched off for `expect`.
chai.util.flag(chai.expect, 'lockSsfi', true);

/**
 * Ends a test's message inside a failed expectation's message, where Chai then adds ": " and its
 * own text. U+2063 (invisible separator): where a message is printed as it is, it reads as before.
 */
export const MESSAGE_END = '\u2063';

type ExpectStatic = import('@vitest/expect').ExpectStatic;

const chaiExpect = chai.expect as unknown as ExpectStatic;

/** chai.expect itself (its statics: expect.any, expect.extend, ...), with each message marked. */
export const expect: ExpectStatic = new Proxy(chaiExpect, {
  apply(target, thisArg, args: unknown[]) {
    if (args.length >= 2 && typeof args[1] === 'string') args = [args[0], `${args[1]}${MESSAGE_END}`, ...args.slice(2)];
    return Reflect.apply(target, thisArg, args);
  },
});

/** True for a failed expectation, as opposed to an error thrown by the code under test. */
export function isAssertionError(error: unknown): boolean {
  return error instanceof chai.AssertionError;
}
