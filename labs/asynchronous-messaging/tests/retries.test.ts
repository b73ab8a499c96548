import { seededRandom } from 'labkit/faults';
import { afterEach, expect, expectEqual, expectMatch, test } from 'labkit/test';
import { retryDelayMs } from '../src/consumer.ts';
import { MAX_ATTEMPTS, RETRY_BASE_MS, RETRY_CAP_MS, TOPIC, type Handlers } from '../src/messages.ts';
import { connectConsumer } from '../src/shop.ts';
import { closeBuses, consumer, emails, newShop, settle, uuid, type Shop } from './helpers.ts';

afterEach(closeBuses);

/** The ceiling of the wait after failed attempt n: min(cap, base × 2^(n−1)). */
export function ceilingAfter(attempt: number): number {
  return Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
}

/** Every call of a test handler: which message, which type, at what clock time. */
interface Call {
  id: string;
  key: string;
  type: string;
  at: number;
}

/**
 * Handlers that record their calls and send an email; `fails(call, n)` says whether the nth
 * call for that message id throws, and with what message.
 */
function recordingHandlers(shop: Shop, calls: Call[], fails: (call: Call, n: number) => string | undefined): Handlers {
  const handler = async (tx: Parameters<Handlers[string]>[0], event: Parameters<Handlers[string]>[1]) => {
    const call = { id: event.messageId, key: event.key, type: event.type, at: shop.clock.now() };
    calls.push(call);
    await tx.query("INSERT INTO emails (order_id, recipient, subject, message_id) VALUES ($1, 'test', $2, $3)", [Number(event.key.slice(6)), event.type, event.messageId]);
    const failure = fails(call, calls.filter((c) => c.id === call.id).length);
    if (failure) throw new Error(failure);
  };
  return { OrderPlaced: handler, OrderCancelled: handler };
}

function publish(shop: Shop, n: number, orderId: number, type = 'OrderPlaced'): string {
  const id = uuid(n);
  shop.bus.publish(TOPIC, { id, key: `order-${orderId}`, headers: { type }, payload: { orderId, customerId: 'Zoë Łódź-東京', totalCents: 1200 + n, placedAt: '2026-03-28T22:30:00.007Z' } });
  return id;
}

/** The waits between a message's consecutive calls. */
function gaps(calls: Call[], id: string): number[] {
  const times = calls.filter((c) => c.id === id).map((c) => c.at);
  return times.slice(1).map((t, i) => t - times[i]!);
}

function expectBackoff(waits: number[], what: string): void {
  waits.forEach((wait, i) => {
    const ceiling = ceilingAfter(i + 1);
    expect(wait >= 0 && wait <= ceiling, `${what}: the wait after attempt ${i + 1} was ${wait} ms; full jitter draws it from 0 to min(${RETRY_CAP_MS}, ${RETRY_BASE_MS} × 2^${i}) = ${ceiling} ms (consumer.ts, retryDelayMs and clock.sleep)`).toBe(true);
  });
}

test('retryDelayMs draws full jitter from the given random source, under a doubling ceiling with a cap', { task: 4, points: 5 }, () => {
  for (let attempt = 1; attempt <= 12; attempt++) {
    const random = seededRandom(4_000 + attempt);
    const ceiling = ceilingAfter(attempt);
    const draws = Array.from({ length: 300 }, () => retryDelayMs(attempt, random));
    const outside = draws.filter((d) => !(d >= 0 && d <= ceiling));
    expectEqual(outside.slice(0, 3), [], `retryDelayMs(${attempt}, random) must lie within 0..${ceiling} ms (min(${RETRY_CAP_MS}, ${RETRY_BASE_MS} × 2^${attempt - 1})); these did not`);
    expect(Math.max(...draws), `the largest of 300 draws of retryDelayMs(${attempt}): full jitter reaches up to the ceiling ${ceiling}`).toBeGreaterThan(0.9 * ceiling);
    expect(Math.min(...draws), `the smallest of 300 draws of retryDelayMs(${attempt}): full jitter starts at 0, not at half the ceiling`).toBeLessThan(0.1 * ceiling);
  }
  const sequence = (seed: number) => {
    const random = seededRandom(seed);
    return [1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, random));
  };
  expectEqual(sequence(77), sequence(77), 'two draws with generators of the same seed must agree: take the randomness from `random`, never Math.random, so a seed replays a schedule');
  expect(sequence(77), 'draws with different seeds').not.toEqual(sequence(78));
});

test('a message that fails and then succeeds before the last attempt is retried with backoff, takes effect once and never reaches the DLQ', { task: 4, points: 5 }, async () => {
  const shop = await newShop();
  const calls: Call[] = [];
  // Three messages fail 1, 3 and 4 times (MAX_ATTEMPTS - 1), then succeed.
  const failuresOf: Record<string, number> = { [uuid(1)]: 1, [uuid(2)]: 3, [uuid(3)]: MAX_ATTEMPTS - 1 };
  const c = consumer(shop, 'retrying', recordingHandlers(shop, calls, (call, n) => (n <= failuresOf[call.id]! ? `mail provider answered 503 (call ${n})` : undefined)), { seed: 99 });
  connectConsumer(shop.bus, c);
  publish(shop, 1, 4101);
  publish(shop, 2, 4103);
  publish(shop, 3, 4105);
  await shop.bus.drain();
  for (const [id, failures] of Object.entries(failuresOf)) {
    expect(calls.filter((call) => call.id === id).length, `handler calls for a message that fails ${failures} time(s): each failure is retried until it succeeds`).toBe(failures + 1);
    expectBackoff(gaps(calls, id), `message failing ${failures} time(s)`);
  }
  const waits = Object.keys(failuresOf).map((id) => gaps(calls, id)[0]);
  expect(new Set(waits).size, `the first wait of three messages that failed at the same moment: ${waits.join(', ')} ms; jitter must spread them`).toBeGreaterThan(1);
  expect(waits.some((w) => w! > 0), 'the first waits must not all be 0: a retry waits on the clock (clock.sleep)').toBe(true);
  expectEqual((await emails(shop.notificationsDb)).map((e) => e.order_id), [4101, 4103, 4105], 'the emails: the failed attempts were rolled back, the successful one kept, one each');
  expectEqual(await c.deadLetters(), [], 'dead letters: a message that succeeds before the last attempt never reaches the DLQ');
});

test('a poison message goes to the DLQ after MAX_ATTEMPTS attempts with its payload, last error, attempt count and failure times', { task: 4, points: 6 }, async () => {
  const shop = await newShop();
  const calls: Call[] = [];
  const c = consumer(shop, 'poisoned', recordingHandlers(shop, calls, (call, n) => (call.key === 'order-4203' || call.key === 'order-4207' ? `Zahlungsdaten ungültig für Bestellung ${call.key} (Versuch ${n})` : undefined)), { seed: 5 });
  connectConsumer(shop.bus, c);
  await shop.clock.advance(17);
  const poison = publish(shop, 11, 4203);
  const other = publish(shop, 12, 4207);
  publish(shop, 13, 4209);
  await shop.bus.drain();
  const attemptsAt = calls.filter((call) => call.id === poison).map((call) => call.at);
  expect(attemptsAt.length, `handler calls for a message that always fails: exactly MAX_ATTEMPTS (${MAX_ATTEMPTS})`).toBe(MAX_ATTEMPTS);
  expectBackoff(gaps(calls, poison), 'the poison message');
  expect(gaps(calls, poison), 'the waits of two poison messages failing at the same moment must differ (jitter)').not.toEqual(gaps(calls, other));
  const dead = await c.deadLetters();
  expectMatch(
    dead.find((d) => d.messageId === poison),
    {
      messageId: poison,
      key: 'order-4203',
      type: 'OrderPlaced',
      payload: { orderId: 4203, customerId: 'Zoë Łódź-東京', totalCents: 1211, placedAt: '2026-03-28T22:30:00.007Z' },
      attempts: MAX_ATTEMPTS,
    },
    'the dead letter of the poison message (consumer.ts, deadLetters: the message as it came, attempts, clock times of the first and last failure)',
  );
  const letter = dead.find((d) => d.messageId === poison);
  const times = { firstFailedAt: letter?.firstFailedAt, lastFailedAt: letter?.lastFailedAt };
  const near = (t: number | undefined, expected: number) => typeof t === 'number' && Math.abs(t - expected) < 1;
  expect(
    near(times.firstFailedAt, attemptsAt[0]!) && near(times.lastFailedAt, attemptsAt.at(-1)!),
    `the dead letter's failure times ${JSON.stringify(times)} must be the clock times of its first and last failed attempts, ${attemptsAt[0]} and ${attemptsAt.at(-1)} (to the millisecond)`,
  ).toBe(true);
  expect(dead.find((d) => d.messageId === poison)?.error, 'the dead letter keeps the last error message').toContain(`Zahlungsdaten ungültig für Bestellung order-4203 (Versuch ${MAX_ATTEMPTS})`);
  expectEqual(dead.map((d) => d.messageId).sort(), [poison, other].sort(), 'the dead letters: the two poison messages, not the one that succeeded');
  expectEqual(shop.bus.deadLetters(TOPIC, 'poisoned'), [], "the bus's own DLQ: empty, the consumer keeps its dead letters itself and acknowledges them");
  expectEqual((await emails(shop.notificationsDb)).map((e) => e.order_id), [4209], 'the emails: the failed attempts are rolled back');
});

test('a dead letter parks only its own key: later messages of that key wait, other keys go on', { task: 4, points: 6 }, async () => {
  const shop = await newShop();
  const calls: Call[] = [];
  const c = consumer(shop, 'parking', recordingHandlers(shop, calls, (call) => (call.key === 'order-4303' && call.type === 'OrderPlaced' ? 'template missing for locale "ga-IE"' : undefined)));
  connectConsumer(shop.bus, c);
  const t0 = shop.clock.now();
  publish(shop, 21, 4303);
  publish(shop, 22, 4305);
  publish(shop, 23, 4303, 'OrderCancelled');
  publish(shop, 24, 4305, 'OrderCancelled');
  await shop.bus.drain();
  const other = calls.filter((call) => call.key === 'order-4305');
  expectEqual(other.map((call) => `${call.type} at +${call.at - t0}`), ['OrderPlaced at +0', 'OrderCancelled at +0'], "order-4305's messages: handled at once, without waiting for order-4303's retries");
  publish(shop, 25, 4303, 'OrderCancelled');
  await shop.bus.drain();
  expectEqual(
    calls.filter((call) => call.key === 'order-4303').map((call) => call.type),
    Array(MAX_ATTEMPTS).fill('OrderPlaced'),
    "order-4303's handler calls: only its OrderPlaced attempts; its later messages, even one arriving after the dead letter, wait parked",
  );
  expectEqual((await emails(shop.notificationsDb)).map((e) => `${e.order_id} ${e.subject}`), ['4305 OrderPlaced', '4305 OrderCancelled'], 'the emails: order-4305 only');
  expectEqual((await c.deadLetters()).map((d) => d.messageId), [uuid(21)], 'the dead letters: only the failing message; the ones behind it are parked, not dead');
  expectEqual(shop.bus.deadLetters(TOPIC, 'parking'), [], "the bus's own DLQ: nothing; parked messages are acknowledged and kept by the consumer");
});

test('redrive sends the dead letter through again with its id, then the parked messages in order, and frees the key', { task: 4, points: 6 }, async () => {
  const shop = await newShop();
  const calls: Call[] = [];
  let fixed = false;
  const poisoned = new Set<string>();
  const c = consumer(
    shop,
    'redriving',
    recordingHandlers(shop, calls, (call) => (poisoned.has(call.id) ? 'Ungültige Stornierung' : !fixed && call.type === 'OrderPlaced' ? 'bug 1234' : undefined)),
  );
  connectConsumer(shop.bus, c);
  const dead = publish(shop, 31, 4403);
  publish(shop, 32, 4403, 'OrderCancelled');
  await shop.bus.drain();
  publish(shop, 33, 4403, 'OrderCancelled');
  await shop.bus.drain();

  expect(await c.redrive(uuid(99)), 'redrive() of an id that is not a dead letter resolves to false').toBe(false);
  expect(calls.length, 'calls before the redrive').toBe(MAX_ATTEMPTS);
  // Redrive before the fix: it fails again, goes back to the DLQ, and its key stays parked.
  expect(await settle(shop.clock, c.redrive(dead)), 'redrive() of a dead letter resolves to true, also when it fails again').toBe(true);
  expectMatch((await c.deadLetters()).map((d) => ({ messageId: d.messageId, attempts: d.attempts })), [{ messageId: dead }], 'a redriven message that fails again is a dead letter again');
  expect(calls.filter((call) => call.type === 'OrderCancelled').length, 'the parked messages stay parked while the redriven one fails again').toBe(0);

  fixed = true;
  expect(await settle(shop.clock, c.redrive(dead)), 'redrive() of a dead letter resolves to true').toBe(true);
  expectEqual(
    calls.slice(2 * MAX_ATTEMPTS).map((call) => `${call.id} ${call.type}`),
    [`${dead} OrderPlaced`, `${uuid(32)} OrderCancelled`, `${uuid(33)} OrderCancelled`],
    'after the fix, redrive handles the dead letter with its original id, then the parked messages, in the order they arrived',
  );
  expectEqual(await c.deadLetters(), [], 'dead letters after a successful redrive');
  publish(shop, 34, 4403, 'OrderCancelled');
  await shop.bus.drain();
  expect(calls.at(-1)?.id, 'a new message of the key after the redrive is handled at once: the key is no longer parked').toBe(uuid(34));
  expect(await c.redrive(dead), 'redrive() of the same id again: it is no dead letter any more').toBe(false);
  expect(calls.length, 'handler calls in all: nothing is handled twice').toBe(2 * MAX_ATTEMPTS + 4);

  // order-4407: its OrderPlaced is fixed by the redrive, but the first message parked behind it fails for good.
  const before = calls.length;
  publish(shop, 41, 4407);
  publish(shop, 42, 4407, 'OrderCancelled');
  publish(shop, 43, 4407, 'OrderCancelled');
  fixed = false;
  poisoned.add(uuid(42));
  await shop.bus.drain();
  fixed = true;
  expect(await settle(shop.clock, c.redrive(uuid(41))), 'redrive() of order-4407\'s dead letter').toBe(true);
  expectEqual(
    calls.slice(before + MAX_ATTEMPTS).map((call) => call.id),
    [uuid(41), ...Array(MAX_ATTEMPTS).fill(uuid(42))],
    "order-4407 after its redrive: the dead letter is handled, then the parked message that fails every attempt; the message behind that one is not handled",
  );
  expectEqual((await c.deadLetters()).map((d) => d.messageId), [uuid(42)], 'the dead letters: the parked message that failed its attempts is now the key\'s dead letter');
});
