/** The controllable clock of labkit/clock: timers fire in time order as the test advances time, and never on their own. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClock, MAX_TIMERS_PER_ADVANCE, systemClock } from '../../src/labkit/clock/index.ts';

test('timers fire in due order, ties in the order they were set, and only when time reaches them', async () => {
  const clock = createClock(1_000);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`c@${clock.now()}`), 30);
  clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
  clock.setTimeout(() => fired.push(`b1@${clock.now()}`), 20);
  clock.setTimeout(() => fired.push(`b2@${clock.now()}`), 20);
  await clock.advance(25);
  assert.deepEqual(fired, ['a@1010', 'b1@1020', 'b2@1020']);
  assert.equal(clock.now(), 1_025);
  assert.equal(clock.pending(), 1);
  await clock.advance(5);
  assert.deepEqual(fired.at(-1), 'c@1030');
  assert.equal(clock.pending(), 0);
});

test('a timer set by a firing timer fires in the same advance when it falls due within the window', async () => {
  const clock = createClock();
  const fired: number[] = [];
  clock.setTimeout(() => {
    fired.push(clock.now());
    clock.setTimeout(() => fired.push(clock.now()), 10);
    clock.setTimeout(() => fired.push(clock.now()), 100);
  }, 10);
  await clock.advance(50);
  assert.deepEqual(fired, [10, 20]);
  await clock.advance(60);
  assert.deepEqual(fired, [10, 20, 110]);
});

test('sleep resolves when time reaches it, and async chains of sleeps run within one advance', async () => {
  const clock = createClock();
  const steps: string[] = [];
  const chain = (async () => {
    await clock.sleep(10);
    steps.push(`first@${clock.now()}`);
    await Promise.resolve();
    await clock.sleep(10);
    steps.push(`second@${clock.now()}`);
    await clock.sleep(50);
    steps.push(`third@${clock.now()}`);
  })();
  await clock.advance(0);
  assert.deepEqual(steps, []);
  await clock.advance(20);
  assert.deepEqual(steps, ['first@10', 'second@20']);
  await clock.advance(50);
  await chain;
  assert.deepEqual(steps, ['first@10', 'second@20', 'third@70']);
});

test('clearTimeout cancels a pending timer and pending() counts only live ones', async () => {
  const clock = createClock();
  let fired = 0;
  const id = clock.setTimeout(() => fired++, 10);
  clock.setTimeout(() => fired++, 20);
  assert.equal(clock.pending(), 2);
  clock.clearTimeout(id);
  clock.clearTimeout(999);
  assert.equal(clock.pending(), 1);
  await clock.advance(100);
  assert.equal(fired, 1);
  assert.equal(clock.pending(), 0);
});

test('runAll fires every timer, nested ones included, and leaves the clock at the last', async () => {
  const clock = createClock();
  const fired: number[] = [];
  const retry = (attempt: number) => {
    fired.push(clock.now());
    if (attempt < 4) clock.setTimeout(() => retry(attempt + 1), 100 * 2 ** attempt);
  };
  clock.setTimeout(() => retry(0), 0);
  await clock.runAll();
  assert.deepEqual(fired, [0, 100, 300, 700, 1500]);
  assert.equal(clock.now(), 1500);
  assert.equal(clock.pending(), 0);
});

test('runAll stops with an explanation when a timer reschedules itself forever', async () => {
  const clock = createClock();
  const poll = () => clock.setTimeout(poll, 1_000);
  poll();
  await assert.rejects(clock.runAll(), (error: Error) => {
    assert.match(error.message, new RegExp(`runAll\\(\\) fired ${MAX_TIMERS_PER_ADVANCE} timers and more are still due`));
    assert.match(error.message, /reschedules itself forever/);
    assert.match(error.message, /clock\.advance\(ms\)/);
    return true;
  });
  assert.equal(clock.pending(), 1);
});

test('advance stops with an explanation when zero-delay timers keep rescheduling at the same instant', async () => {
  const clock = createClock();
  const spin = () => clock.setTimeout(spin, 0);
  spin();
  await assert.rejects(clock.advance(10), /fired 10000 timers and more are still due \(the next at 0 ms\)/);
});

test('a throwing timer callback rejects advance with its error and leaves later timers pending', async () => {
  const clock = createClock();
  let later = false;
  clock.setTimeout(() => {
    throw new Error('timer boom');
  }, 5);
  clock.setTimeout(() => (later = true), 10);
  await assert.rejects(clock.advance(20), /timer boom/);
  assert.equal(clock.now(), 5);
  assert.equal(later, false);
  await clock.advance(5);
  assert.equal(later, true);
});

test('advancing while an advance is running, or by a negative time, is refused with a reason', async () => {
  const clock = createClock();
  clock.setTimeout(() => {}, 10);
  const first = clock.advance(10);
  await assert.rejects(clock.advance(5), /already advancing/);
  await first;
  await assert.rejects(clock.advance(-1), /finite number >= 0/);
  assert.throws(() => createClock(Number.NaN), /start must be a finite number/);
});

test('the system clock runs real timers and refuses to be advanced', async () => {
  const clock = systemClock();
  assert.equal(clock.manual, false);
  assert.ok(Math.abs(clock.now() - Date.now()) < 50);
  const cancelled = clock.setTimeout(() => assert.fail('a cleared timer fired'), 0);
  clock.clearTimeout(cancelled);
  let fired = false;
  clock.setTimeout(() => (fired = true), 0);
  assert.equal(clock.pending(), 1);
  await clock.sleep(0);
  assert.equal(fired, true);
  assert.equal(clock.pending(), 0);
  await assert.rejects(clock.advance(10), /cannot move the system clock: it follows real time.*createClock\(\)/);
  await assert.rejects(clock.runAll(), /clock\.runAll\(\) cannot move the system clock/);
});
