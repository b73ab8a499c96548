/** Merging shard gradebooks: what is combined, and what is refused (naming which shards). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeGradebooks, MergeRefused, parseGradebook } from '../../src/gradebook/merge.ts';
import { bookOf } from './gradebook-fixtures.ts';

const one = bookOf({ alice: { es: 100 }, carol: { es: 20 } }, { index: 1, count: 2 });
const two = bookOf({ bob: { es: 'missing' } }, { index: 2, count: 2 });

test('merge: shards combine into one gradebook, learners sorted, the shards recorded', () => {
  const merged = mergeGradebooks([{ from: 'out-1', book: one }, { from: 'out-2', book: two }], new Date('2026-11-26T00:00:00Z'));
  assert.deepEqual(merged.learners.map((l) => l.id), ['alice', 'bob', 'carol']);
  assert.equal(merged.shard, null);
  assert.deepEqual(merged.mergedFrom, [one.shard, two.shard]);
  assert.equal(merged.missingShards, undefined);
  assert.equal(parseGradebook('merged', JSON.parse(JSON.stringify(merged))).learners.length, 3, 'a merged gradebook is a valid gradebook');
});

test('merge: a missing shard is recorded, so the summary can warn', () => {
  const merged = mergeGradebooks([{ from: 'out-1', book: one }]);
  assert.deepEqual(merged.missingShards, [2]);
});

test('merge: shards sharing a learner are refused, naming the learner and both folders', () => {
  assert.throws(() => mergeGradebooks([{ from: 'out-1', book: one }, { from: 'out-1-again', book: one }]), (error: Error) => {
    assert.ok(error instanceof MergeRefused);
    assert.match(error.message, /The learner "alice" is in both out-1 and out-1-again/);
    return true;
  });
});

test('merge: other course versions, lab versions or tests are refused, naming the folders', () => {
  const newerCourse = { ...two, course: { ...two.course, version: '2.0.0' } };
  assert.throws(() => mergeGradebooks([{ from: 'out-1', book: one }, { from: 'out-2', book: newerCourse }]), /out-1 was graded by course 1.0.0 but out-2 by course 2.0.0/);
  const newerLab = bookOf({ bob: { es: 10 } }, { index: 2, count: 2 }, 2);
  assert.throws(() => mergeGradebooks([{ from: 'out-1', book: one }, { from: 'out-2', book: newerLab }]), /out-1 and out-2 graded different labs or lab versions: es v1 .* vs es v2/);
  const otherTests = { ...two, labs: two.labs.map((l) => ({ ...l, testsHash: 'def456' })) };
  assert.throws(() => mergeGradebooks([{ from: 'out-1', book: one }, { from: 'out-2', book: otherTests }]), /es v1 \(tests abc123\) vs es v1 \(tests def456\)/);
});

test('merge: a file that is not a gradebook is refused with its name', () => {
  assert.throws(() => parseGradebook('out-x', { version: 7 }), /out-x is a gradebook of format version 7/);
  assert.throws(() => parseGradebook('out-y', { ...one, learners: 'nobody' }), /out-y is not a valid gradebook: learners/);
});
