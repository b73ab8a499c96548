/** Sharding: a stable partition of the sorted learners, whatever order they come in. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learnersOfShard, parseShard } from '../../src/gradebook/shard.ts';

test('shard: K/N is parsed; K outside 1..N and other shapes are refused with the fix', () => {
  assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
  assert.deepEqual(parseShard('1/1'), { index: 1, count: 1 });
  for (const text of ['0/2', '3/2', '1/0']) assert.match(String(parseShard(text)), /K must be between 1 and N/);
  for (const text of ['2', '1-2', 'a/b', '1/2/3', '']) assert.match(String(parseShard(text)), /--shard must look like K\/N/);
});

test('shard: every learner is in exactly one shard, and the split does not depend on the input order', () => {
  const ids = Array.from({ length: 23 }, (_, i) => `learner-${String(i).padStart(2, '0')}`);
  const shuffled = [...ids].reverse();
  const shards = [1, 2, 3].map((index) => learnersOfShard(shuffled, { index, count: 3 }));
  assert.deepEqual(shards.flat().sort(), ids);
  assert.deepEqual(shards.map((s) => s.length), [8, 8, 7]);
  assert.deepEqual(learnersOfShard(ids, { index: 2, count: 3 }), shards[1]);
  assert.deepEqual(shards[0]!.slice(0, 2), ['learner-00', 'learner-03']);
  assert.deepEqual(learnersOfShard(['b', 'a', 'a'], null), ['a', 'b'], 'no shard: everyone, once, sorted');
});
