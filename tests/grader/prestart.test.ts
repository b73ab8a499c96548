/**
 * The gradebook's runner starts each next child while a run goes on (NodeRunner `prestart`).
 * Each run must still get a child of its own that no other run touched, and find its databases up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { solutionFiles } from '../../src/labs/bundle.ts';
import { loadLab } from '../../src/labs/load-lab.ts';
import { NodeRunner } from '../../src/runner/node/node-runner.ts';
import type { ChildTimings } from '../../src/runner/node/run-timings.ts';

const LABS = 'tests/fixtures/labs';

test('prestart: the next run gets the child started during the previous one, fresh, with its databases already up', async () => {
  const counter = loadLab('counter', { root: LABS });
  const children: ChildTimings[] = [];
  const runner = new NodeRunner({ prestart: true, onChildTimings: (t) => children.push(t) });
  try {
    const first = await runner.run(counter, solutionFiles(counter));
    assert.equal(first.score, first.maxScore, first.message);
    // Time for the spare to start its engines while nobody waits for it.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const secondStart = performance.timeOrigin + performance.now();
    const second = await runner.run(counter, counter.starter);
    assert.ok(second.score < second.maxScore, 'the starter, graded in the spare, is not given the solution\'s points');
    runner.dispose();
    await runner.childrenClosed();
    // In the order they were started: the first run's, the spare the second run used, and the
    // spare started during the second run, stopped unused by dispose().
    const [first_, used, unused] = [...children].sort((a, b) => a.spawnedAt - b.spawnedAt);
    assert.equal(children.length, 3);
    assert.ok(first_!.doneAt !== undefined && used!.doneAt !== undefined && unused!.doneAt === undefined);
    assert.ok(used!.spawnedAt < first_!.doneAt!, 'the spare was started while the first run went on');
    assert.ok(used!.phases['run-received']! >= secondStart - 50, 'it was handed the second run only');
    // Its databases were up before the run reached it: no wait for PostgreSQL once the run came.
    const wait = used!.phases['databases-ready']! - used!.phases['sandbox-ready']!;
    assert.ok(wait < 500, `the databases took ${Math.round(wait)} ms after the run came`);
  } finally {
    runner.dispose();
  }
});

test('prestart: a spare started for another lab\'s engines is not used', async () => {
  const counter = loadLab('counter', { root: LABS });
  const seeded = loadLab('seeded', { root: LABS });
  assert.notDeepEqual(counter.manifest.databases, seeded.manifest.databases, 'the two fixture labs must use different engines');
  const children: ChildTimings[] = [];
  const runner = new NodeRunner({ prestart: true, onChildTimings: (t) => children.push(t) });
  try {
    await runner.run(counter, solutionFiles(counter));
    const result = await runner.run(seeded, solutionFiles(seeded));
    assert.equal(result.score, result.maxScore, result.message);
    runner.dispose();
    await runner.childrenClosed();
    // counter's run, counter's spare (stopped unused), seeded's run, seeded's spare.
    assert.equal(children.length, 4);
    assert.equal(children.filter((c) => c.doneAt !== undefined).length, 2);
  } finally {
    runner.dispose();
  }
});
