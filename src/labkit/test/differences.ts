/**
 * Where two plain values differ, path by path, in the words a failure message uses:
 *
 *   lines[1].quantity: expected 3, got 2
 *   status: expected "PAID", but it is missing
 *   note: not expected, got "gift"
 *
 * The comparison is toEqual's for plain data (JSON-like objects, arrays, Dates): objects by
 * their keys in any order, and a key whose value is undefined counts as absent.
 */
import { equals, iterableEquality } from '@vitest/expect';
import { IN_SENTENCE, showValue } from './value-text.ts';

/**
 * One line per place where `actual` differs from `expected`; none when they are equal. With
 * `subset`, as toMatchObject: only the keys `expected` has are compared, at every depth.
 * Values the comparison cannot look into (a Map, a class with private state) count as equal
 * when they have the same keys, so an empty list is not proof of equality: expectEqual
 * still leaves the verdict to `expect`.
 */
export function differences(actual: unknown, expected: unknown, subset = false): string[] {
  return differencesAt('', actual, expected, subset);
}

/** The differences below `path`, each line named by its path from the top ("" at the top). */
function differencesAt(path: string, actual: unknown, expected: unknown, subset: boolean): string[] {
  if (Object.is(actual, expected)) return [];
  const here = path ? `${path}: ` : '';
  const differ = () => [`${here}expected ${show(expected)}, got ${show(actual)}`];
  if (actual instanceof Date && expected instanceof Date) return actual.getTime() === expected.getTime() ? [] : differ();
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null || Array.isArray(actual) !== Array.isArray(expected)) {
    return differ();
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return [`${here}expected ${expected.length} items ${show(expected)}, got ${actual.length} ${show(actual)}`];
    return expected.flatMap((item, i) => differencesAt(`${path}[${i}]`, actual[i], item, subset));
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = subset ? Object.keys(e) : [...new Set([...Object.keys(e), ...Object.keys(a)])];
  return keys.flatMap((key) => {
    const at = path ? `${path}.${key}` : key;
    if (!(key in a) && e[key] !== undefined) return [`${at}: expected ${show(e[key])}, but it is missing`];
    if (!(key in e) && a[key] !== undefined) return [`${at}: not expected, got ${show(a[key])}`];
    return differencesAt(at, a[key], e[key], subset);
  });
}

/**
 * Whether two values are equal as `expect(actual).toEqual(expected)` would find them (it is
 * the same comparison), for a test that collects what is wrong before it fails.
 *
 * @example
 * if (!isEqual(state.lines, expectedLines)) wrong.push(`after ${what}: lines should be ${showValue(expectedLines)}`);
 */
export function isEqual(actual: unknown, expected: unknown): boolean {
  return equals(actual, expected, [iterableEquality]);
}

function show(value: unknown): string {
  return showValue(value, IN_SENTENCE);
}
