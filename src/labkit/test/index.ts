/**
 * The test API lab tests import as `labkit/test`: describe / test / expect, where every test
 * says which task it checks and what it is worth; expectations whose failure messages spell out
 * what differs (expectEqual, expectMatch, expectInstanceOf, isEqual); and values as words for a
 * test's own messages (showValue, describeOutcome).
 *
 * @example
 * test('rejects an append with a stale version', { task: 1, points: 10 }, async () => {
 *   await expect(store.append('order-1', 0, [placed])).rejects.toBeInstanceOf(ConcurrencyError);
 * });
 */
import { activeCollector, type CheckBody, type Hook, type TestBody, type TestOptions } from './collector.ts';

export { expect } from './expect.ts';
export { expectEqual, expectInstanceOf, expectMatch } from './assertions.ts';
export { isEqual } from './differences.ts';
export { describeOutcome, showValue } from './value-text.ts';
export type { CheckBody, CheckContext, TestOptions } from './collector.ts';

export function describe(name: string, fn: () => void): void {
  activeCollector('describe').describe(name, fn);
}

export function test(name: string, options: TestOptions, body: TestBody): void {
  activeCollector('test').test(name, options, body);
}

export function beforeEach(hook: Hook): void {
  activeCollector('beforeEach').beforeEach(hook);
}

export function afterEach(hook: Hook): void {
  activeCollector('afterEach').afterEach(hook);
}

/**
 * A check only the grader runs (in a test file the lab lists under `ciTests`, which the site
 * never ships): after the graded test named `testName` passes, the check tries the same
 * behaviour on more inputs, drawn from the run's seed. It adds no points; when it fails, the
 * test it names fails, so an answer written to fit the visible examples loses that test in CI.
 *
 * @example
 * ciCheck('converts euro amounts to whole cents', ({ random }) => {
 *   for (let i = 0; i < 200; i++) { const cents = Math.floor(random() * 1e6); ... }
 * });
 */
export function ciCheck(testName: string, body: CheckBody): void {
  activeCollector('ciCheck').ciCheck(testName, body);
}
