/**
 * What a learner reads when an expectation fails: the test's message, then once what was
 * expected and what was received (a short path-by-path diff for large values), the fault seed
 * on a line of its own, and no second "expected ..." in Chai's words.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withSeed } from '../../src/labkit/faults/seeded-random.ts';
import { setRunSeed } from '../../src/labkit/faults/schedule-seeds.ts';
import { expect, isAssertionError, MESSAGE_END } from '../../src/labkit/test/expect.ts';
import { failureMessage, splitMessage } from '../../src/labkit/test/failure-message.ts';
import { describeError } from '../../src/runner/executor/describe-error.ts';

/** What the learner reads for what `check` throws; fails when it throws nothing. */
function shown(check: () => unknown): string {
  try {
    check();
  } catch (error) {
    return describeError(error);
  }
  assert.fail('the expectation passed, so there is no message to check');
}

async function shownAsync(check: () => Promise<unknown>): Promise<string> {
  try {
    await check();
  } catch (error) {
    return describeError(error);
  }
  assert.fail('the expectation passed, so there is no message to check');
}

/** Twelve orders, of which the ones at `rejected` are REJECTED instead of CONFIRMED. */
function orders(rejected: number[] = []) {
  return Array.from({ length: 12 }, (_, i) => ({ orderId: `order-${i}`, customerId: 'alice', status: rejected.includes(i) ? 'REJECTED' : 'CONFIRMED', amountCents: 1250 * (i + 1) }));
}

test('passing expectations throw nothing, with or without a message', async () => {
  expect(4, 'mugs taken').toBe(4);
  expect(orders(), 'the orders').toEqual(orders());
  expect({ a: 1, b: 'x' }).toEqual({ a: 1, b: expect.any(String) });
  expect(['a', 'b'], 'the topics').toContain('b');
  await expect(Promise.reject(new Error('boom')), 'the append').rejects.toThrow('boom');
});

test('a failed toBe with a message: the message, then expected and received on their own lines, once', () => {
  const text = shown(() => expect(3, 'mugs taken off the shelf = mugs of confirmed orders').toBe(4));
  assert.equal(text, 'mugs taken off the shelf = mugs of confirmed orders\nexpected: 4\nreceived: 3');
  assert.equal(text.match(/expected/g)!.length, 1, "Chai's own \"expected 3 to be 4\" is not repeated");
});

test('without a message, only expected and received', () => {
  assert.equal(shown(() => expect('PENDING').toBe('CONFIRMED')), 'expected: "CONFIRMED"\nreceived: "PENDING"');
  assert.equal(shown(() => expect({ status: 'PENDING' }).toEqual({ status: 'CONFIRMED' })), 'expected: {"status":"CONFIRMED"}\nreceived: {"status":"PENDING"}');
  assert.equal(shown(() => expect(0, 'the saga').toBeNull()), 'the saga\nexpected: null\nreceived: 0');
});

test('large values are compared path by path, at most six lines, saying how many more differ', () => {
  const text = shown(() => expect(orders([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'the orders').toEqual(orders()));
  assert.equal(
    text,
    [
      'the orders',
      '  [2].status: expected "CONFIRMED", received "REJECTED"',
      '  [3].status: expected "CONFIRMED", received "REJECTED"',
      '  [4].status: expected "CONFIRMED", received "REJECTED"',
      '  [5].status: expected "CONFIRMED", received "REJECTED"',
      '  [6].status: expected "CONFIRMED", received "REJECTED"',
      '  … and 5 more differences',
    ].join('\n'),
  );
  // Six differences fit: no "more" line.
  const six = shown(() => expect(orders([0, 1, 2, 3, 4, 5])).toEqual(orders()));
  assert.equal(six.split('\n').length, 6);
  assert.ok(!six.includes('more differences'), six);
});

test('missing and unexpected keys and array items are named; toEqual ignores undefined keys, toStrictEqual does not', () => {
  const expected = { orderId: 'order-1', customer: { id: 'alice', country: 'DE', email: 'alice@example.com' }, lines: [{ sku: 'MUG', quantity: 2 }] };
  const actual = { orderId: 'order-1', customer: { id: 'alice', email: 'alice@example.com', vip: true }, lines: [{ sku: 'MUG', quantity: 2 }, { sku: 'CUP', quantity: 1 }], note: undefined };
  assert.equal(
    shown(() => expect(actual).toEqual(expected)),
    ['  customer.country: expected "DE", but it is missing', '  customer.vip: not expected, received true', '  lines[1]: not expected, received {"sku":"CUP","quantity":1}'].join('\n'),
  );
  assert.match(shown(() => expect(actual).toStrictEqual(expected)), /\n {2}note: not expected, received undefined$/);
});

test('an asymmetric matcher that matches is no difference; one that does not is shown as the matcher', () => {
  const long = 'x'.repeat(70);
  const text = shown(() => expect({ id: 'a-generated-id', count: 1, text: long, end: 'y' }).toEqual({ id: expect.any(String), count: expect.any(String), text: long, end: 'z' }));
  assert.equal(text, '  count: expected Any<String>, received 1\n  end: expected "z", received "y"');
});

test('matchers that do not compare two values keep their own words, after the message', () => {
  assert.equal(shown(() => expect(['completed', 'compensated'], 'saga s-1 must end completed or compensated').toContain('running')), "saga s-1 must end completed or compensated\nexpected [ 'completed', 'compensated' ] to include 'running'");
  assert.equal(shown(() => expect(30, 'sagas that completed').toBeGreaterThan(50)), 'sagas that completed\nexpected 30 to be greater than 50');
  assert.equal(shown(() => expect(3, 'the retries').not.toBe(3)), 'the retries\nexpected 3 not to be 3 // Object.is equality');
});

test("a message that already spells out the differences (a lab's helper) is shown alone: one expected/got per difference", () => {
  // The shape labs/*/tests/helpers.ts give: what, the differing paths indented, then "\n  ".
  const text = shown(() => expect({ status: 'REJECTED' }, 'the orders: CONFIRMED for a completed saga\n    status: expected "CONFIRMED", got "REJECTED"\n  ').toEqual({ status: 'CONFIRMED' }));
  assert.equal(text, 'the orders: CONFIRMED for a completed saga\n    status: expected "CONFIRMED", got "REJECTED"');
  // A helper whose message lists nothing (no differences it could see) still gets ours.
  assert.equal(shown(() => expect(new Map([['a', 1]]), 'the index').toEqual(new Map([['a', 2]]))), 'the index\nexpected: Map {"a" => 2}\nreceived: Map {"a" => 1}');
});

test('long strings are cut, and where they part is named when they share a long start', () => {
  const text = shown(() => expect(`${'a'.repeat(100)}b`, 'the token').toBe(`${'a'.repeat(100)}c`));
  assert.match(text, /^the token\nexpected: "a+c"\nreceived: "a+b"\n\(they differ from character 101 on\)$/);
  // Strings that part at once need no pointer.
  assert.doesNotMatch(shown(() => expect(`b${'a'.repeat(100)}`).toBe(`c${'a'.repeat(100)}`)), /they differ/);
});

test('the seed of a failing schedule is a line of its own, with how to replay it in the grader and on the page', async () => {
  setRunSeed(1, 'sagas');
  try {
    const text = await shownAsync(() => withSeed(42, () => expect(2, 'mugs taken').toBe(3)));
    assert.equal(text, 'mugs taken\nexpected: 3\nreceived: 2\nFault seed 42; to replay it, run with seed 42: `npm run grade -- sagas --seed 42`, or type 42 in the Seed field beside Run');
    // Large values too: the diff, then the seed.
    const big = await shownAsync(() => withSeed(7, () => expect(orders([2]), 'the orders').toEqual(orders())));
    assert.equal(big, 'the orders\n  [2].status: expected "CONFIRMED", received "REJECTED"\nFault seed 7; to replay it, run with seed 7: `npm run grade -- sagas --seed 7`, or type 7 in the Seed field beside Run');
    // Not an expectation: its own words, then the seed.
    const thrown = await shownAsync(() => withSeed(9, () => { throw new TypeError('orchestrator.start is not a function'); }));
    assert.equal(thrown, 'TypeError: orchestrator.start is not a function\nFault seed 9; to replay it, run with seed 9: `npm run grade -- sagas --seed 9`, or type 9 in the Seed field beside Run');
  } finally {
    setRunSeed(1);
  }
});

test("the error still reads as before where it is printed as it is, and stays an assertion error", () => {
  try {
    expect(3, 'mugs').toBe(4);
    assert.fail('should have thrown');
  } catch (error) {
    assert.ok(isAssertionError(error));
    const message = (error as Error).message;
    assert.ok(message.includes(MESSAGE_END), 'the marker is there for the runner');
    assert.equal(message.replace(MESSAGE_END, ''), 'mugs: expected 3 to be 4 // Object.is equality');
    assert.deepEqual(splitMessage(message), { given: 'mugs', matcher: 'expected 3 to be 4 // Object.is equality' });
  }
  assert.equal(isAssertionError(new TypeError('x')), false);
  // A test that wraps a failed expectation's message in an error of its own: the same words, no marker.
  let inner = '';
  try {
    expect(1, 'step 2').toBe(2);
  } catch (error) {
    inner = (error as Error).message;
  }
  assert.equal(describeError(new Error(`while replaying: ${inner}`)), 'while replaying: step 2: expected 1 to be 2 // Object.is equality');
});

test('failureMessage works on any error shaped like an assertion error', () => {
  assert.equal(failureMessage({ message: `what${MESSAGE_END}: expected 1 to deeply equal 2`, expected: 2, actual: 1, showDiff: true }), 'what\nexpected: 2\nreceived: 1');
  // showDiff off (toBeGreaterThan and the like): the matcher's words.
  assert.equal(failureMessage({ message: 'expected 1 to equal 2', expected: 2, actual: 1, showDiff: false }), 'expected 1 to equal 2');
});
