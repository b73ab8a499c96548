/** The in-memory bus of labkit/bus: consumer groups, at-least-once delivery with backoff and a DLQ, per-key order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBus, MAX_DELIVERIES_PER_DRAIN, type DeliveryContext } from '../../src/labkit/bus/index.ts';
import { createClock } from '../../src/labkit/clock/index.ts';

function testBus() {
  const clock = createClock();
  return { clock, bus: createBus({ clock }) };
}

test('every consumer group gets every message published after it subscribed', async () => {
  const { bus } = testBus();
  const billing: number[] = [];
  const shipping: number[] = [];
  bus.subscribe<number>('orders', 'billing', (n) => void billing.push(n));
  bus.subscribe<number>('orders', 'shipping', (n) => void shipping.push(n));
  for (const n of [1, 2, 3]) bus.publish('orders', { payload: n });
  await bus.drain();
  assert.deepEqual(billing, [1, 2, 3]);
  assert.deepEqual(shipping, [1, 2, 3]);

  const late: number[] = [];
  bus.subscribe<number>('orders', 'analytics', (n) => void late.push(n));
  bus.publish('orders', { payload: 4 });
  await bus.drain();
  assert.deepEqual(late, [4]);
});

test('within one group each message goes to exactly one of the competing consumers', async () => {
  const { bus, clock } = testBus();
  const handledBy = new Map<number, string[]>();
  for (const name of ['a', 'b']) {
    bus.subscribe<number>('orders', 'billing', async (n) => {
      await clock.sleep(0);
      handledBy.set(n, [...(handledBy.get(n) ?? []), name]);
    });
  }
  for (let n = 1; n <= 6; n++) bus.publish('orders', { payload: n });
  await bus.drain();
  assert.equal(handledBy.size, 6);
  for (const names of handledBy.values()) assert.equal(names.length, 1);
  const all = [...handledBy.values()].flat();
  assert.ok(all.includes('a') && all.includes('b'), `both consumers should get work, got ${all.join(',')}`);
});

test('a failing handler gets the message again after exponential backoff, capped at maxDelayMs, on the bus clock', async () => {
  const { bus, clock } = testBus();
  const attempts: [number, number][] = [];
  bus.subscribe(
    'orders',
    'billing',
    (_payload, { attempt }) => {
      attempts.push([attempt, clock.now()]);
      if (attempt < 4) throw new Error('payment service unavailable');
    },
    { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
  );
  bus.publish('orders', { payload: {} });
  await bus.drain();
  assert.deepEqual(attempts, [[1, 0], [2, 100], [3, 300], [4, 550]]);
  assert.deepEqual(bus.deadLetters('orders', 'billing'), []);
});

test('after maxAttempts failures the message goes to the dead-letter queue with the last error and the attempt count', async () => {
  const { bus, clock } = testBus();
  let calls = 0;
  bus.subscribe('orders', 'billing', async (_payload, { attempt }) => {
    calls++;
    throw new Error(`card declined (attempt ${attempt})`);
  });
  const ok: string[] = [];
  bus.subscribe<string>('orders', 'shipping', (p) => void ok.push(p));
  const id = bus.publish('orders', { key: 'order-1', payload: 'order-1' });
  await bus.drain();
  assert.equal(calls, 5);
  assert.equal(clock.now(), 100 + 200 + 400 + 800);
  const [dead, ...rest] = bus.deadLetters('orders', 'billing');
  assert.deepEqual(rest, []);
  assert.equal(dead!.message.id, id);
  assert.equal(dead!.message.payload, 'order-1');
  assert.equal(dead!.error, 'card declined (attempt 5)');
  assert.equal(dead!.attempts, 5);
  assert.equal(dead!.deadAt, 1_500);
  assert.deepEqual(ok, ['order-1']);
  assert.deepEqual(bus.deadLetters('orders', 'shipping'), []);
});

test('messages with the same key wait while an earlier one is waiting for its retry; other keys go on', async () => {
  const { bus, clock } = testBus();
  const handled: string[] = [];
  bus.subscribe<string>(
    'orders',
    'billing',
    (step, { attempt }) => {
      if (step === 'o1-placed' && attempt === 1) throw new Error('not yet');
      handled.push(`${step}@${clock.now()}`);
    },
    { concurrency: 4 },
  );
  bus.publish('orders', { key: 'o1', payload: 'o1-placed' });
  bus.publish('orders', { key: 'o1', payload: 'o1-paid' });
  bus.publish('orders', { key: 'o2', payload: 'o2-placed' });
  await bus.drain();
  assert.deepEqual(handled, ['o2-placed@0', 'o1-placed@100', 'o1-paid@100']);
});

test('messages with the same key are handled one at a time even with spare concurrency', async () => {
  const { bus, clock } = testBus();
  let running = 0;
  let most = 0;
  const order: number[] = [];
  bus.subscribe<number>(
    'orders',
    'billing',
    async (n) => {
      running++;
      most = Math.max(most, running);
      await clock.sleep(10);
      order.push(n);
      running--;
    },
    { concurrency: 5 },
  );
  for (let n = 1; n <= 4; n++) bus.publish('orders', { key: 'o1', payload: n });
  await bus.drain();
  assert.deepEqual(order, [1, 2, 3, 4]);
  assert.equal(most, 1);
  assert.equal(clock.now(), 40);
});

test('messages without a key have no order: a later one is handled while an earlier one waits for its retry', async () => {
  const { bus } = testBus();
  const handled: string[] = [];
  bus.subscribe<string>('orders', 'billing', (p, { attempt }) => {
    if (p === 'first' && attempt === 1) throw new Error('not yet');
    handled.push(p);
  });
  bus.publish('orders', { payload: 'first' });
  bus.publish('orders', { payload: 'second' });
  await bus.drain();
  assert.deepEqual(handled, ['second', 'first']);
});

test('drain moves the clock for handlers that sleep on it, and not for handlers doing quick async work', async () => {
  const { bus, clock } = testBus();
  const done: string[] = [];
  bus.subscribe<string>('orders', 'slow', async (p) => {
    await clock.sleep(250);
    done.push(`${p}@${clock.now()}`);
  });
  bus.subscribe<string>('orders', 'quick', async (p) => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => queueMicrotask(() => resolve(null)));
    done.push(`quick ${p}@${clock.now()}`);
  });
  bus.publish('orders', { payload: 'a' });
  await bus.drain();
  assert.deepEqual(done, ['quick a@0', 'a@250']);
});

test('a handler can publish, and drain delivers the whole chain', async () => {
  const { bus } = testBus();
  const notified: string[] = [];
  bus.subscribe<{ id: string }>('orders', 'payments', (order, { messageId }) => {
    bus.publish('payments', { key: order.id, payload: { orderId: order.id }, headers: { causationId: messageId } });
  });
  bus.subscribe<{ orderId: string }>('payments', 'notifications', (payment, { headers }) => {
    notified.push(`${payment.orderId} caused by ${headers.causationId}`);
  });
  const id = bus.publish('orders', { key: 'o1', payload: { id: 'o1' } });
  await bus.drain();
  assert.deepEqual(notified, [`o1 caused by ${id}`]);
  assert.equal(bus.published('payments').length, 1);
});

test('the handler sees the message id, topic, key, headers, group and attempt; a publisher may choose the id', async () => {
  const { bus, clock } = testBus();
  await clock.advance(42);
  const seen: DeliveryContext[] = [];
  bus.subscribe('orders', 'billing', (_p, context) => void seen.push(context));
  const generated = bus.publish('orders', { payload: 1 });
  const chosen = bus.publish('orders', { id: 'outbox-17', key: 'o1', payload: 2, headers: { traceparent: 't1' } });
  await bus.drain();
  assert.match(generated, /^msg-\d+$/);
  assert.equal(chosen, 'outbox-17');
  assert.deepEqual(seen, [
    { messageId: generated, topic: 'orders', key: undefined, headers: {}, group: 'billing', attempt: 1, publishedAt: 42 },
    { messageId: 'outbox-17', topic: 'orders', key: 'o1', headers: { traceparent: 't1' }, group: 'billing', attempt: 1, publishedAt: 42 },
  ]);
});

test('delivery starts by itself on a later turn of the event loop, without drain, and never inside publish', async () => {
  const { bus } = testBus();
  const handled: number[] = [];
  bus.subscribe<number>('orders', 'billing', (n) => void handled.push(n));
  bus.publish('orders', { payload: 1 });
  assert.deepEqual(handled, []);
  for (let turn = 0; turn < 10 && handled.length === 0; turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(handled, [1]);
});

test('payloads are copied, so a handler changing one affects neither other groups nor redeliveries', async () => {
  const { bus } = testBus();
  const seen: number[] = [];
  const order = { total: 10 };
  const mutate = (p: { total: number }, { attempt }: DeliveryContext) => {
    seen.push(p.total);
    p.total = 0;
    if (attempt === 1) throw new Error('retry me');
  };
  bus.subscribe('orders', 'a', mutate);
  bus.subscribe('orders', 'b', (p: { total: number }) => void seen.push(p.total));
  bus.publish('orders', { payload: order });
  order.total = 99;
  await bus.drain();
  assert.deepEqual(seen.sort(), [10, 10, 10]);
  assert.throws(() => bus.publish('orders', { payload: { f: () => 1 } }), /payload cannot be sent as a message.*not functions/);
  assert.throws(() => bus.publish('orders', { payload: 1, headers: { n: 1 as unknown as string } }), /header "n" must be a string/);
});

test('a group keeps its messages while it has no subscriber and delivers them when one joins', async () => {
  const { bus } = testBus();
  const handled: number[] = [];
  const first = bus.subscribe<number>('orders', 'billing', (n) => void handled.push(n));
  first.unsubscribe();
  bus.publish('orders', { payload: 1 });
  await bus.drain();
  assert.equal(handled.length, 0);
  bus.subscribe<number>('orders', 'billing', (n) => void handled.push(n * 10));
  await bus.drain();
  assert.deepEqual(handled, [10]);
});

test('drain stops a runaway publish loop with an explanation and closes the bus', async () => {
  const { bus } = testBus();
  bus.subscribe('ping', 'echo', () => void bus.publish('ping', { payload: 'again' }));
  bus.publish('ping', { payload: 'start' });
  await assert.rejects(bus.drain(), new RegExp(`drain\\(\\) made ${MAX_DELIVERIES_PER_DRAIN} deliveries and messages keep coming.*The bus is now closed`));
  assert.throws(() => bus.publish('ping', { payload: 'more' }), /the bus is closed/);
});

test('a closed bus delivers nothing more and cancels its retries', async () => {
  const { bus, clock } = testBus();
  let calls = 0;
  bus.subscribe('orders', 'billing', () => {
    calls++;
    throw new Error('down');
  });
  bus.publish('orders', { payload: 1 });
  while (calls === 0) await clock.advance(0);
  await clock.advance(0);
  assert.equal(clock.pending(), 1);
  bus.close();
  assert.equal(clock.pending(), 0);
  await bus.drain();
  await clock.runAll();
  assert.equal(calls, 1);
});

test('subscribe options are checked with the reason', () => {
  const { bus } = testBus();
  assert.throws(() => bus.subscribe('orders', 'billing', () => {}, { maxAttempts: 0 }), /maxAttempts must be a whole number >= 1/);
  assert.throws(() => bus.subscribe('orders', 'billing', () => {}, { baseDelayMs: 500, maxDelayMs: 100 }), /maxDelayMs must be a number >= baseDelayMs \(500\)/);
  assert.throws(() => bus.subscribe('orders', '', () => {}), /group must be a non-empty string/);
  assert.throws(() => bus.subscribe('orders', 'billing', () => {}, { maxRetries: 3 } as never), /unknown option "maxRetries"; the options are maxAttempts, baseDelayMs, maxDelayMs, concurrency/);
  bus.subscribe('orders', 'billing', () => {}, { maxAttempts: undefined });
});
