/** Message faults, failing calls and seeded randomness of labkit/faults, on the bus of labkit/bus. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBus, type DeliveryContext } from '../../src/labkit/bus/index.ts';
import { createClock } from '../../src/labkit/clock/index.ts';
import {
  crashOnWrite,
  failOnCall,
  messageFaults,
  seededRandom,
  SimulatedCrash,
  SimulatedFailure,
  scheduleSeeds,
  withSeed,
  type MessageFaults,
} from '../../src/labkit/faults/index.ts';
import { setRunSeed } from '../../src/labkit/faults/schedule-seeds.ts';
import { takeSeedNotes } from '../../src/labkit/faults/seeded-random.ts';

function faultyBus(faults: MessageFaults = messageFaults()) {
  const clock = createClock();
  return { clock, faults, bus: createBus({ clock, faults }) };
}

/** Subscribes a handler that records `payload@time#attempt` and returns the record. */
function record(bus: ReturnType<typeof faultyBus>['bus'], group = 'g', topic = 'orders') {
  const seen: string[] = [];
  bus.subscribe<string>(topic, group, (p, { attempt }: DeliveryContext) => void seen.push(`${p}@${bus.clock.now()}#${attempt}`));
  return seen;
}

test('drop is a lost publish: the publisher gets an id, but no group ever receives the message', async () => {
  const { bus, faults } = faultyBus();
  const billing = record(bus, 'billing');
  const shipping = record(bus, 'shipping');
  faults.drop({ topic: 'orders', times: 1 });
  const lost = bus.publish('orders', { payload: 'a' });
  bus.publish('orders', { payload: 'b' });
  await bus.drain();
  assert.deepEqual(billing, ['b@0#1']);
  assert.deepEqual(shipping, ['b@0#1']);
  assert.deepEqual(bus.published('orders').map((m) => m.id), [lost, 'msg-2']);
  assert.deepEqual(faults.log, [{ fault: 'drop', messageId: lost, topic: 'orders', key: undefined }]);
});

test('loseAck is a lost acknowledgement: the handler succeeded, yet the group gets the message again after the backoff', async () => {
  const { bus, faults } = faultyBus();
  const billing = record(bus, 'billing');
  const shipping = record(bus, 'shipping');
  faults.loseAck({ topic: 'orders', group: 'billing', times: 1 });
  bus.publish('orders', { key: 'o1', payload: 'a' });
  bus.publish('orders', { key: 'o1', payload: 'b' });
  await bus.drain();
  assert.deepEqual(billing, ['a@0#1', 'a@100#2', 'b@100#1']);
  assert.deepEqual(shipping, ['a@0#1', 'b@0#1']);
  assert.deepEqual(faults.log, [{ fault: 'loseAck', messageId: 'msg-1', topic: 'orders', key: 'o1', group: 'billing' }]);
});

test('an ack lost on every delivery ends in the dead-letter queue like any failure, with the reason', async () => {
  const { bus, faults } = faultyBus();
  const seen = record(bus, 'billing');
  faults.loseAck({ topic: 'orders', times: 5 });
  bus.publish('orders', { payload: 'a' });
  await bus.drain();
  assert.equal(seen.length, 5);
  const [dead] = bus.deadLetters('orders', 'billing');
  assert.equal(dead!.error, 'the ack was lost (injected fault), so the message is redelivered');
  assert.equal(dead!.attempts, 5);
});

test('duplicate delivers the message twice to every group, with the same id, and keeps per-key order', async () => {
  const { bus, faults } = faultyBus();
  const ids: string[] = [];
  bus.subscribe<string>('orders', 'billing', (p, { messageId }) => void ids.push(`${p}:${messageId}`));
  const shipping = record(bus, 'shipping');
  faults.duplicate({ topic: 'orders', key: 'o1' });
  bus.publish('orders', { key: 'o1', payload: 'a' });
  bus.publish('orders', { key: 'o1', payload: 'b' });
  await bus.drain();
  assert.deepEqual(ids, ['a:msg-1', 'a:msg-1', 'b:msg-2']);
  assert.deepEqual(shipping, ['a@0#1', 'a@0#1', 'b@0#1']);
});

test('delay makes a message arrive later on the bus clock, so later messages of the same key overtake it', async () => {
  const { bus, faults } = faultyBus();
  const seen = record(bus);
  faults.delay({ topic: 'orders', times: 1, ms: 500 });
  bus.publish('orders', { key: 'o1', payload: 'placed' });
  bus.publish('orders', { key: 'o1', payload: 'paid' });
  await bus.drain();
  assert.deepEqual(seen, ['paid@0#1', 'placed@500#1']);
  assert.deepEqual(faults.log, [{ fault: 'delay', messageId: 'msg-1', topic: 'orders', key: 'o1', delayMs: 500 }]);
});

test('reorder holds a message back until the next matching one has gone ahead', async () => {
  const { bus, faults } = faultyBus();
  const seen = record(bus);
  faults.reorder({ topic: 'orders', times: 2 });
  for (const p of ['a', 'b', 'c', 'd', 'e']) bus.publish('orders', { key: 'o1', payload: p });
  await bus.drain();
  assert.deepEqual(seen.map((s) => s[0]), ['b', 'a', 'd', 'c', 'e']);
});

test('a reordered message with nothing after it is released by drain, not lost', async () => {
  const { bus, faults } = faultyBus();
  const seen = record(bus);
  faults.reorder({ topic: 'orders', key: 'o2' });
  bus.publish('orders', { key: 'o2', payload: 'x' });
  bus.publish('orders', { key: 'o1', payload: 'y' });
  await bus.drain();
  assert.deepEqual(seen, ['y@0#1', 'x@0#1']);
});

test('a message gets at most one fault: the first rule, in the order added, that matches and fires', async () => {
  const { bus, faults } = faultyBus();
  const seen = record(bus);
  faults.drop({ topic: 'orders', where: (m) => m.payload === 'b' });
  faults.duplicate({ topic: 'orders', times: 2 });
  for (const p of ['a', 'b', 'c']) bus.publish('orders', { payload: p });
  await bus.drain();
  assert.deepEqual(seen.map((s) => s[0]), ['a', 'a', 'c', 'c']);
  assert.deepEqual(faults.log.map((e) => e.fault), ['duplicate', 'drop', 'duplicate']);
  faults.clear();
  bus.publish('orders', { payload: 'd' });
  await bus.drain();
  assert.deepEqual(seen.map((s) => s[0]).at(-1), 'd');
  assert.equal(faults.log.length, 3);
});

test('fault rules are checked, and a probability needs a seed', () => {
  const faults = messageFaults();
  assert.throws(() => faults.drop({ probability: 0.5 }), /a probability needs a seed, so a failing run can be replayed: messageFaults\(\{ seed: 1234 \}\)/);
  const seeded = messageFaults({ seed: 1 });
  assert.throws(() => seeded.drop({ times: 1, probability: 0.5 }), /give times or probability, not both/);
  assert.throws(() => seeded.duplicate({ probability: 1.5 }), /probability must be between 0 and 1/);
  assert.throws(() => seeded.delay({ ms: 0 }), /ms must be a number of milliseconds > 0/);
  assert.throws(() => seeded.reorder({ times: 0 }), /times must be a whole number >= 1/);
});

test('seededRandom is mulberry32: the same seed gives the same sequence in [0, 1), another seed another', () => {
  const a = seededRandom(1234);
  assert.deepEqual([a(), a(), a()], [0.07329497812315822, 0.7034119898453355, 0.9028560190927237]);
  const draws = (seed: number) => {
    const random = seededRandom(seed);
    return Array.from({ length: 1_000 }, () => random());
  };
  assert.deepEqual(draws(7), draws(7));
  assert.notDeepEqual(draws(7), draws(8));
  assert.ok(draws(9).every((x) => x >= 0 && x < 1));
  assert.throws(() => seededRandom(1.5), /seed must be a whole number/);
});

/** The faults a seeded run of 40 messages under random drops, duplicates and lost acks produces. */
async function scheduleFor(seed: number): Promise<string[]> {
  const { bus, faults } = faultyBus(messageFaults({ seed }));
  record(bus);
  faults.drop({ topic: 'orders', probability: 0.1 });
  faults.duplicate({ topic: 'orders', probability: 0.2 });
  faults.loseAck({ topic: 'orders', probability: 0.2 });
  for (let i = 0; i < 40; i++) bus.publish('orders', { key: `o${i % 3}`, payload: String(i) });
  await bus.drain();
  return faults.log.map((e) => `${e.fault}:${e.messageId}`);
}

test('the same seed gives the same fault schedule; a different seed a different one', async () => {
  const first = await scheduleFor(1234);
  assert.ok(first.length > 5, `expected a handful of faults, got ${first.length}`);
  assert.deepEqual(await scheduleFor(1234), first);
  assert.notDeepEqual(await scheduleFor(4321), first);
});

test('withSeed puts the seed and how to replay it in the message of a failure, keeping the error class, and passes results through', async () => {
  // Outside a run no lab is known: the command names a placeholder.
  await assert.rejects(
    withSeed(1234, () => assert.equal(1, 2)),
    (error: Error) => {
      assert.ok(error instanceof assert.AssertionError);
      assert.match(error.message, / \(fault seed 1234; to replay it, run with seed 1234: `npm run grade -- <lab> --seed 1234`, or type 1234 in the Seed field beside Run\)$/);
      assert.match(String(error.stack), /fault seed 1234/);
      return true;
    },
  );
  setRunSeed(99, 'sagas');
  try {
    await assert.rejects(
      withSeed(7, async () => Promise.reject('not an error')),
      /^Error: not an error \(fault seed 7; to replay it, run with seed 7: `npm run grade -- sagas --seed 7`, or type 7 in the Seed field beside Run\)$/,
    );
    await assert.rejects(withSeed(5, () => withSeed(5, () => { throw new Error('once'); })), {
      message: 'once (fault seed 5; to replay it, run with seed 5: `npm run grade -- sagas --seed 5`, or type 5 in the Seed field beside Run)',
    });
  } finally {
    setRunSeed(1);
  }
  assert.equal(await withSeed(3, (seed) => seed * 2), 6);
});

test('takeSeedNotes takes the notes withSeed added out of a message, and leaves other text alone', async () => {
  let message = '';
  await withSeed(11, () => withSeed(12, () => { throw new Error('boom'); })).catch((error: Error) => (message = error.message));
  const { message: rest, notes } = takeSeedNotes(message);
  assert.equal(rest, 'boom');
  assert.deepEqual(notes.map((n) => n.split(';')[0]), ['fault seed 12', 'fault seed 11']);
  assert.deepEqual(takeSeedNotes('a (fault seed 3) b'), { message: 'a (fault seed 3) b', notes: [] });
});

test('scheduleSeeds starts at the run\'s seed and counts up, wrapping below 2^32; 1, 2, ... outside a run', () => {
  assert.deepEqual(scheduleSeeds(3), [1, 2, 3]);
  try {
    setRunSeed(4242, 'sagas');
    assert.deepEqual(scheduleSeeds(4), [4242, 4243, 4244, 4245]);
    setRunSeed(2 ** 32 - 2);
    assert.deepEqual(scheduleSeeds(4), [4294967294, 4294967295, 0, 1]);
    setRunSeed(0);
    assert.deepEqual(scheduleSeeds(1), [0]);
  } finally {
    setRunSeed(1);
  }
  for (const bad of [0, -1, 1.5, Number.NaN, 2_000_000]) assert.throws(() => scheduleSeeds(bad), /scheduleSeeds\(count\): count must be a whole number from 1 to 1000000/);
  for (const bad of [-1, 2 ** 32, 0.5]) assert.throws(() => setRunSeed(bad), /the run's seed must be a whole number from 0 to 4294967295/);
  assert.deepEqual(scheduleSeeds(2), [1, 2], 'a refused seed leaves the last one in place');
});

test('failOnCall fails the chosen call (and the following ones with times) and runs every other', () => {
  const calls: number[] = [];
  const step = failOnCall((n: number) => {
    calls.push(n);
    return n * 10;
  }, 2);
  assert.equal(step(1), 10);
  assert.throws(() => step(2), (error: Error) => error instanceof SimulatedFailure && /simulated failure on call 2/.test(error.message));
  assert.equal(step(3), 30);
  assert.deepEqual(calls, [1, 3]);

  const flaky = failOnCall(() => 'ok', 1, { times: 2 });
  assert.throws(() => flaky(), SimulatedFailure);
  assert.throws(() => flaky(), SimulatedFailure);
  assert.equal(flaky(), 'ok');
  assert.throws(() => failOnCall(() => 1, 0), /n must be a whole number >= 1/);
});

test('a handler wrapped with failOnCall fails its first delivery and succeeds on the redelivery', async () => {
  const { bus } = faultyBus();
  const charged: string[] = [];
  bus.subscribe(
    'orders',
    'billing',
    failOnCall(async (p: string, { attempt }: DeliveryContext) => void charged.push(`${p}#${attempt}@${bus.clock.now()}`), 1),
  );
  bus.publish('orders', { payload: 'o1' });
  await bus.drain();
  assert.deepEqual(charged, ['o1#2@100']);
  assert.deepEqual(bus.deadLetters('orders', 'billing'), []);
});

test('the database faults are still exported next to the message faults', () => {
  assert.equal(typeof crashOnWrite, 'function');
  assert.equal(new SimulatedCrash().name, 'SimulatedCrash');
});
