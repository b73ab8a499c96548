/**
 * `expect` with Jest's matchers (toBe, toEqual, rejects.toThrow, ...), from Vitest's standalone
 * expect package on top of Chai: familiar to learners, and it runs unchanged in Node and in a worker.
 */
import * as chai from 'chai';
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);
// Show whole values in failure messages: a learner needs the full object, not "[ …(2) ]".
chai.config.truncateThreshold = 0;

export const expect = chai.expect as unknown as import('@vitest/expect').ExpectStatic;

/** True for a failed expectation, as opposed to an error thrown by the code under test. */
export function isAssertionError(error: unknown): boolean {
  return error instanceof chai.AssertionError;
}
