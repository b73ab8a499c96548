/**
 * The grader's event channel (src/runner/node/channel.ts) against a submission that writes to
 * it, closes it or replaces it: the reader on its own, then the real child process, driven the
 * way node-runner.ts drives it, with the sabotage done by a preloaded module rather than by
 * learner code (which the grader's compartment keeps away from file descriptors).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { CHANNEL_BROKEN_EXIT, channelReader, EVENT_FD, newChannelKey, watchChannelEnd } from '../../src/runner/node/channel.ts';
import type { ChildMessage } from '../../src/runner/node/child.ts';
import { ensurePgSnapshot } from '../../src/runner/node/engines.ts';
import { exitReason } from '../../src/runner/node/node-runner.ts';
import type { ExecutorEvent, RunRequest } from '../../src/runner/protocol.ts';

const key = newChannelKey();
const frame = (event: unknown) => Buffer.from(`\n${key} ${JSON.stringify(event)}\n`);
const testEnd = (id: string) => ({ type: 'test-end', id, outcome: { status: 'pass', message: '', durationMs: 1 } });

function reader() {
  const events: ExecutorEvent[] = [];
  const exits: number[] = [];
  const r = channelReader(key, (e) => events.push(e), (code) => exits.push(code));
  return { r, events, exits };
}

test('the reader: a lone byte, then a real event', () => {
  const { r, events } = reader();
  r.push(Buffer.from('x'));
  r.push(frame({ type: 'lab-loaded' }));
  assert.deepEqual(events, [{ type: 'lab-loaded' }]);
  assert.equal(r.dropped, 1);
});

test('the reader: 2 MB without a newline, then a real event', () => {
  const { r, events } = reader();
  const junk = Buffer.alloc(2 * 1024 * 1024, 'a');
  for (let i = 0; i < junk.length; i += 65_536) r.push(junk.subarray(i, i + 65_536));
  r.push(frame({ type: 'test-start', id: 'a' }));
  assert.deepEqual(events, [{ type: 'test-start', id: 'a' }]);
  assert.equal(r.dropped, 1);
});

test('the reader: garbage and forged lines between, before and after events; forgeries counted, framing not', () => {
  const { r, events, exits } = reader();
  const forged = `${'0'.repeat(64)} ${JSON.stringify(testEnd('b'))}\n`;
  const unsigned = `${JSON.stringify(testEnd('b'))}\n`;
  r.push(Buffer.concat([Buffer.from('half a line'), frame({ type: 'test-start', id: 'a' }), Buffer.from(forged), Buffer.from(unsigned), Buffer.from('\n\n\n'), frame(testEnd('a')), Buffer.from(`${key} not json\n`), frame({ type: 'exiting', code: 3 }), Buffer.from('tail without newline')]));
  assert.deepEqual(events, [{ type: 'test-start', id: 'a' }, testEnd('a')]);
  assert.deepEqual(exits, [3]);
  // "half a line", the forged and the unsigned test-end, the keyed line that is not JSON; the tail is still pending.
  assert.equal(r.dropped, 4);
});

test('the reader: a real event split across chunks, down to single bytes, arrives once', () => {
  const { r, events } = reader();
  const bytes = Buffer.concat([Buffer.from('noise'), frame(testEnd('a')), frame({ type: 'done' })]);
  for (let i = 0; i < bytes.length; i += 1) r.push(bytes.subarray(i, i + 1));
  assert.deepEqual(events, [testEnd('a'), { type: 'done' }]);
  assert.equal(r.dropped, 1);
});

test('the parent: a pipe whose child end closes while the child runs is reported within the grace period', async () => {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', `require('node:fs').closeSync(${EVENT_FD}); setInterval(() => {}, 1000)`], { stdio: ['ignore', 'ignore', 'ignore', 'ignore', 'pipe'] });
  try {
    const events = child.stdio[EVENT_FD] as Readable;
    events.resume();
    await new Promise<void>((resolve) => watchChannelEnd(events, () => child.exitCode === null && child.signalCode === null, resolve, 200));
    assert.ok(performance.now() - started < 3_000);
  } finally {
    child.kill('SIGKILL');
  }
});

test('the parent: a child that ends normally is not reported', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 50)'], { stdio: ['ignore', 'ignore', 'ignore', 'ignore', 'pipe'] });
  let broken = false;
  const events = child.stdio[EVENT_FD] as Readable;
  events.resume();
  watchChannelEnd(events, () => child.exitCode === null && child.signalCode === null, () => (broken = true), 200);
  await new Promise((resolve) => child.on('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(broken, false);
});

const CHILD = fileURLToPath(new URL('../../src/runner/node/child.ts', import.meta.url));
const request: RunRequest = {
  type: 'run',
  labId: 'channel',
  sources: {
    'src/a.ts': 'export const one = 1;\n',
    'tests/a.test.ts': "import { expect, test } from 'labkit/test';\nimport { one } from '../src/a.ts';\ntest('one', { task: 1, points: 1 }, async () => { await new Promise((resolve) => setTimeout(resolve, 300)); expect(one).toBe(1); });\n",
  },
  testFiles: ['tests/a.test.ts'],
  defaultTimeoutMs: 2_000,
  databases: [],
  seed: 1,
};

/**
 * Starts the real child as node-runner.ts does (IPC on fd 3, events on fd 4), with `sabotage`
 * preloaded: code run 100 ms after the child has its run, while its one test (300 ms) runs, as a
 * submission's would.
 */
async function runChild(sabotage: string): Promise<{ code: number | null; events: ExecutorEvent[]; phases: ExecutorEvent[]; ms: number }> {
  const preload = `data:text/javascript,${encodeURIComponent(`import * as fs from 'node:fs';\nprocess.once('message', () => setTimeout(() => { ${sabotage} }, 100));\n`)}`;
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', preload, CHILD], {
    env: { LAB_PG_SNAPSHOT: await ensurePgSnapshot(), PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc', 'pipe'],
  });
  const events: ExecutorEvent[] = [];
  const channel = channelReader(key, (e) => {
    events.push(e);
    // The child waits to be killed once its run is done, as the driver does.
    if (e.type === 'done') child.kill('SIGKILL');
  }, () => {});
  (child.stdio[EVENT_FD] as Readable).on('data', (chunk: Buffer) => channel.push(chunk));
  const started = performance.now();
  const message: ChildMessage = { request, key };
  child.send(message);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  // The start's timing marks apart: no verdict depends on them.
  return { code, events: events.filter((e) => e.type !== 'phase'), phases: events.filter((e) => e.type === 'phase'), ms: performance.now() - started };
}

test('the child: an honest run reports every event, and the test passes', async () => {
  const { events, phases } = await runChild('');
  assert.deepEqual(events.map((e) => e.type), ['plan', 'evaluating', 'lab-loaded', 'test-start', 'test-end', 'done']);
  assert.equal(events.find((e) => e.type === 'test-end')?.outcome.status, 'pass');
  // The steps of its start, each once, in order and in time.
  const steps = phases.map((e) => (e.type === 'phase' ? e : undefined)!);
  assert.deepEqual(steps.map((e) => e.phase), ['process-start', 'modules-loaded', 'run-received', 'sandbox-ready', 'databases-ready', 'tests-loaded', 'lab-compiled']);
  assert.ok(steps.every((e, i) => i === 0 || e.at >= steps[i - 1]!.at), `out of order: ${steps.map((e) => e.at).join(', ')}`);
  assert.deepEqual(steps.find((e) => e.phase === 'tests-loaded')?.testFiles, { 'tests/a.test.ts': ['one'] });
});

test('the child: a lone byte and 2 MB without a newline written to fd 4 do not hide the events after them', async () => {
  const { events } = await runChild("fs.writeSync(4, 'x'); setTimeout(() => fs.writeSync(4, Buffer.alloc(2 * 1024 * 1024, 'a')), 50);");
  assert.deepEqual(events.map((e) => e.type), ['plan', 'evaluating', 'lab-loaded', 'test-start', 'test-end', 'done']);
  assert.equal(events.find((e) => e.type === 'test-end')?.outcome.status, 'pass');
});

for (const [what, sabotage] of [
  ['closes fd 4', 'fs.closeSync(4);'],
  ['closes fd 4 and opens a file, which takes number 4', "fs.closeSync(4); fs.openSync('/dev/null', 'w');"],
] as const) {
  test(`the child: a submission that ${what} ends the child with the channel's exit code, in under 3 s`, async () => {
    const { code, events, ms } = await runChild(sabotage);
    assert.equal(code, CHANNEL_BROKEN_EXIT);
    // What came before the sabotage arrived; the test's end could not be written, so the child ended.
    assert.deepEqual(events.map((e) => e.type), ['plan', 'evaluating', 'lab-loaded', 'test-start']);
    assert.ok(ms < 3_000, `took ${Math.round(ms)} ms`);
    assert.equal(exitReason(code, null), "the submission closed or broke the grader's event channel");
  });
}
