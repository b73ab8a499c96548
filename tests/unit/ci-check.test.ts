/** ciCheck(): a grader-only check attaches to the graded test it names, or says why it cannot. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Collector } from '../../src/labkit/test/collector.ts';

test('a check attaches to the test with that full name, describe blocks included', () => {
  const collector = new Collector(1000);
  collector.describe('upcasting', () => collector.test('converts amounts', { task: 1, points: 2 }, () => {}));
  const check = () => {};
  collector.ciCheck('upcasting › converts amounts', check);
  collector.attachChecks();
  assert.deepEqual(collector.tests[0]!.ciChecks, [check]);
});

test('a check that names no test is an error for the lab author, with the fix', () => {
  const collector = new Collector(1000);
  collector.test('converts amounts', { task: 1, points: 2 }, () => {});
  collector.ciCheck('converts amount', () => {});
  assert.throws(() => collector.attachChecks(), /^Error: ciCheck\("converts amount"\) names no test of this lab; give the full name of a graded test, as shown in the results$/);
});
