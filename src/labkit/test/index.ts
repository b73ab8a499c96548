/**
 * The test API lab tests import as `labkit/test`: describe / test / expect, where every test
 * says which task it checks and what it is worth.
 *
 * @example
 * test('rejects an append with a stale version', { task: 1, points: 10 }, async () => {
 *   await expect(store.append('order-1', 0, [placed])).rejects.toBeInstanceOf(ConcurrencyError);
 * });
 */
import { activeCollector, type Hook, type TestBody, type TestOptions } from './collector.ts';

export { expect } from './expect.ts';
export type { TestOptions } from './collector.ts';

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
