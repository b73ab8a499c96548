/**
 * The expectations labs' tests import from `labkit/test` beside `expect`: what they let pass,
 * what they fail, and the words a learner reads when they fail (through the runner's
 * describeError, as every runtime shows them).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAssertionError, MESSAGE_END } from '../../src/labkit/test/expect.ts';
import { differences } from '../../src/labkit/test/differences.ts';
import { describeOutcome, expect, expectEqual, expectInstanceOf, expectMatch, isEqual, showValue } from '../../src/labkit/test/index.ts';
import { describeError } from '../../src/runner/executor/describe-error.ts';

/** The error `check` throws; fails when it throws nothing. */
function thrown(check: () => void): Error {
  try {
    check();
  } catch (error) {
    assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`);
    return error;
  }
  assert.fail('the expectation passed, so there is no failure to check');
}

/** What the learner reads for the failure of `check`. */
function shown(check: () => void): string {
  return describeError(thrown(check));
}

const paidOrder = { orderId: 'order-1', status: 'PAID', totalCents: 2500, lines: [{ sku: 'MUG', quantity: 2 }] };

test('expectEqual passes for values toEqual finds equal: keys in any order, an undefined key as absent, equal Dates', () => {
  expectEqual({ totalCents: 2500, lines: [{ quantity: 2, sku: 'MUG' }], status: 'PAID', orderId: 'order-1' }, paidOrder, 'the order');
  expectEqual({ ...paidOrder, note: undefined }, paidOrder, 'the order');
  expectEqual({ at: new Date(Date.UTC(2026, 0, 1)) }, { at: new Date('2026-01-01T00:00:00Z') }, 'the recorded time');
  expectEqual([1, 'zoë'], [1, 'zoë'], 'the pair');
});

test('expectEqual fails as an expectation, with what it checks and one line per difference', () => {
  const placed = { orderId: 'order-1', status: 'PLACED', lines: [{ sku: 'MUG', quantity: 2 }], note: 'gift' };
  const error = thrown(() => expectEqual(placed, paidOrder, 'the order after OrderPaid'));
  // A failed expectation, not an error of the code under test: the grader reports it as "fail".
  assert.ok(isAssertionError(error));
  assert.equal(
    describeError(error),
    ['the order after OrderPaid', '    status: expected "PAID", got "PLACED"', '    totalCents: expected 2500, but it is missing', '    note: not expected, got "gift"'].join('\n'),
  );
  // Where the message is printed as it is (a stack trace), Chai's own words start a line of their own.
  assert.match(error.message, new RegExp(`got "gift"\n  ${MESSAGE_END}: expected \\{`));
});

test('expectEqual names the path into arrays and nested objects, and says when lengths differ', () => {
  assert.equal(
    shown(() => expectEqual({ lines: [{ sku: 'MUG', quantity: 3 }] }, { lines: [{ sku: 'MUG', quantity: 2 }] }, 'the order')),
    'the order\n    lines[0].quantity: expected 2, got 3',
  );
  assert.equal(shown(() => expectEqual(['a'], ['a', 'b'], 'the journal')), 'the journal\n    expected 2 items ["a","b"], got 1 ["a"]');
  // Two values that are not objects: the line has no path.
  assert.equal(shown(() => expectEqual(5, 7, 'the LSN after the pull')), 'the LSN after the pull\n    expected 7, got 5');
  assert.equal(shown(() => expectEqual({ at: new Date(0) }, { at: new Date(1000) }, 'the snapshot')), 'the snapshot\n    at: expected "1970-01-01T00:00:01.000Z", got "1970-01-01T00:00:00.000Z"');
});

test('expectEqual lists at most six differences, then how many more', () => {
  const expected = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
  const actual = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i + 10]));
  const lines = shown(() => expectEqual(actual, expected, 'the counters')).split('\n');
  assert.deepEqual(lines, ['the counters', ...Array.from({ length: 6 }, (_, i) => `    k${i}: expected ${i}, got ${i + 10}`), '    ... and 3 more differences']);
});

test('where the values cannot be compared path by path, the runner compares them in its own words, once', () => {
  const error = thrown(() => expectEqual(new Map([['MUG', 1]]), new Map([['MUG', 2]]), 'the stock'));
  assert.equal(describeError(error), 'the stock\nexpected: Map {"MUG" => 2}\nreceived: Map {"MUG" => 1}');
  // Printed as it is, it reads as a plain expect's message would.
  assert.ok(error.message.startsWith(`the stock${MESSAGE_END}: expected Map`), error.message);
});

test('expectMatch checks only the fields expected names, at every depth, and lists only those that differ', () => {
  expectMatch({ ...paidOrder, paidAt: 'now' }, { status: 'PAID', lines: [{ sku: 'MUG' }] }, 'the order');
  const error = thrown(() => expectMatch({ ...paidOrder, status: 'PLACED', extra: 1 }, { status: 'PAID', lines: [{ sku: 'TEA' }], paymentId: 'pay-1' }, 'the order after OrderPaid'));
  assert.ok(isAssertionError(error));
  assert.equal(
    describeError(error),
    ['the order after OrderPaid', '    status: expected "PAID", got "PLACED"', '    lines[0].sku: expected "TEA", got "MUG"', '    paymentId: expected "pay-1", but it is missing'].join('\n'),
  );
  // Arrays must still have the same length, as toMatchObject has it.
  assert.equal(shown(() => expectMatch({ lines: [{ sku: 'MUG' }, { sku: 'TEA' }] }, { lines: [{ sku: 'MUG' }] }, 'the order')), 'the order\n    lines: expected 1 items [{"sku":"MUG"}], got 2 [{"sku":"MUG"},{"sku":"TEA"}]');
});

test('expectInstanceOf passes for an instance and, failing, says what the call settled with', () => {
  class ConcurrencyError extends Error {}
  expectInstanceOf(new ConcurrencyError('stale'), ConcurrencyError, 'an append at a stale version');
  const threw = thrown(() => expectInstanceOf(new TypeError('store.append is not a function'), ConcurrencyError, 'an append at a stale version'));
  assert.ok(isAssertionError(threw));
  assert.equal(describeError(threw).split('\n')[0], 'an append at a stale version; instead it threw TypeError: store.append is not a function');
  assert.equal(shown(() => expectInstanceOf(3, ConcurrencyError, 'an append at a stale version')).split('\n')[0], 'an append at a stale version; instead it returned 3');
});

test("a failure's stack starts at the line that called the helper, and the runner points the learner there", () => {
  const error = thrown(() => expectEqual(1, 2, 'the count'));
  const firstFrame = String(error.stack).split('\n').find((line) => line.trimStart().startsWith('at '));
  assert.match(String(firstFrame), /labkit-assertions\.test\.ts/);
  // As the runner evaluates a lab's test file: its frames read lab:///tests/....
  const labTest = (0, eval)('(expectEqual) => () => {\n  expectEqual({ mugs: 1 }, { mugs: 2 }, "the stock");\n}\n//# sourceURL=lab:///tests/stock.test.ts') as (helper: typeof expectEqual) => () => void;
  assert.equal(shown(labTest(expectEqual)), 'the stock\n    mugs: expected 2, got 1\n(at tests/stock.test.ts:2)');
});

test('isEqual answers as toEqual would, also where no path-by-path difference shows', () => {
  assert.equal(isEqual({ b: [1, 2], a: 'x', c: undefined }, { a: 'x', b: [1, 2] }), true);
  assert.equal(isEqual({ a: 'x' }, { a: 'y' }), false);
  assert.equal(isEqual([1, 2], [1, 2, 3]), false);
  assert.equal(isEqual(new Map([['a', 1]]), new Map([['a', 2]])), false);
  assert.equal(isEqual(new Map([['a', 1]]), new Map([['a', 1]])), true);
  for (const [a, b] of [[{ x: [1, { y: 2 }] }, { x: [1, { y: 2 }] }], [{ x: 1 }, { x: '1' }], [null, undefined]] as const) {
    const toEqual = (() => {
      try {
        expect(a).toEqual(b);
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(isEqual(a, b), toEqual, `isEqual(${showValue(a)}, ${showValue(b)})`);
  }
});

test('differences with subset compares only the keys expected has; without, it compares both sides', () => {
  assert.deepEqual(differences({ a: 1, b: 2 }, { a: 1 }, true), []);
  assert.deepEqual(differences({ a: 1, b: 2 }, { a: 1 }), ['b: not expected, got 2']);
  assert.deepEqual(differences({ a: 1 }, { a: 1 }), []);
  // As toEqual: a key whose value is undefined is no difference, on either side.
  assert.deepEqual(differences({ a: 1, b: undefined }, { a: 1, c: undefined }), []);
});

test('showValue writes a value on one line, cut with "..." after 400 characters or the length asked for', () => {
  assert.equal(showValue({ sku: 'THÉ', quantity: 1 }), '{"sku":"THÉ","quantity":1}');
  assert.equal(showValue(['a', null]), '["a",null]');
  assert.equal(showValue(undefined), 'undefined');
  assert.equal(showValue(10n), '10');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(showValue(cyclic), '[object Object]');
  const long = showValue('x'.repeat(1000));
  assert.equal(long.length, 400);
  assert.ok(long.endsWith('xxx...'));
  assert.equal(showValue('x'.repeat(401)).length, 400);
  assert.equal(showValue('x'.repeat(398)), `"${'x'.repeat(398)}"`);
  assert.equal(showValue('abcdefghij', 8), '"abcd...');
  // An error whole, whatever its length: its message is the clue.
  const message = 'y'.repeat(500);
  assert.equal(showValue(new RangeError(message)), `RangeError: ${message}`);
});

test('describeOutcome says what a call settled with', () => {
  assert.equal(describeOutcome(new TypeError('x is not a function')), 'it threw TypeError: x is not a function');
  assert.equal(describeOutcome({ lsn: 7 }), 'it returned {"lsn":7}');
  assert.equal(describeOutcome(undefined), 'it returned undefined');
  // A returned value is cut sooner than showValue's 400 characters: it is part of a sentence.
  assert.equal(describeOutcome('z'.repeat(300)), `it returned "${'z'.repeat(156)}...`);
});
