/**
 * An in-memory broker with the guarantees the course's labs are about: at-least-once delivery,
 * consumer groups, redelivery with exponential backoff, a dead-letter queue, and per-key order.
 *
 * Each group has one queue of entries in arrival order. An entry stays in the queue from
 * arrival until it is acked or dead-lettered, including while in flight or waiting for a retry,
 * so per-key order needs no extra bookkeeping: only the first entry of a key may be delivered.
 */
import { yieldToEventLoop } from '../clock/event-loop.ts';
import { systemClock } from '../clock/system-clock.ts';
import type { TimerId } from '../clock/types.ts';
import type {
  Bus,
  BusOptions,
  DeadLetter,
  DeliveryContext,
  Forward,
  Handler,
  Message,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
} from './types.ts';

/** Deliveries one `drain()` may make; reached only when handlers keep publishing without end. */
export const MAX_DELIVERIES_PER_DRAIN = 10_000;

interface Entry {
  message: Message;
  /** Deliveries made so far. */
  attempt: number;
  /** Not delivered before this time: set when a delivery fails. */
  readyAt: number;
  inFlight: boolean;
}

interface Consumer {
  handler: Handler;
  policy: Required<SubscribeOptions>;
  inFlight: number;
}

interface Group {
  name: string;
  queue: Entry[];
  consumers: Consumer[];
  /** Where the round-robin over consumers continues. */
  turn: number;
  deadLetters: DeadLetter[];
}

const DEFAULTS: Required<SubscribeOptions> = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 30_000, concurrency: 1 };

/**
 * A new, empty bus. Pass the same clock to the code under test and to the bus.
 *
 * @example
 * const bus = createBus({ clock: createClock() });
 * bus.subscribe('orders', 'billing', async (order: OrderPlaced, { attempt }) => charge(order));
 * bus.publish('orders', { key: order.id, payload: order });
 * await bus.drain();
 */
export function createBus(options: BusOptions = {}): Bus {
  const clock = options.clock ?? systemClock();
  const faults = options.faults;
  const groupsByTopic = new Map<string, Map<string, Group>>();
  const publishedByTopic = new Map<string, Message[]>();
  const inFlight = new Set<Promise<void>>();
  /** The bus's own timers (retries, delayed arrivals) and when they fire, for `drain()`. */
  const timers = new Map<TimerId, number>();
  let nextId = 1;
  let deliveries = 0;
  let pumpQueued = false;
  let closed = false;

  function groupsOf(topic: string): Map<string, Group> {
    let groups = groupsByTopic.get(topic);
    if (!groups) groupsByTopic.set(topic, (groups = new Map()));
    return groups;
  }

  function schedule(delayMs: number, fn: () => void): void {
    if (closed) return;
    const id = clock.setTimeout(() => {
      timers.delete(id);
      fn();
    }, delayMs);
    timers.set(id, clock.now() + delayMs);
  }

  const forward: Forward = (message, delayMs = 0) => {
    if (closed) return;
    if (delayMs > 0) return schedule(delayMs, () => forward(message));
    for (const group of groupsOf(message.topic).values()) {
      group.queue.push({ message, attempt: 0, readyAt: clock.now(), inFlight: false });
    }
    queuePump();
  };

  /**
   * Pumps once on the next turn of the event loop, however many messages were published before.
   * A turn, not a microtask: handlers that publish in a loop must not starve timers and I/O.
   */
  function queuePump(): void {
    if (pumpQueued) return;
    pumpQueued = true;
    void yieldToEventLoop().then(() => {
      pumpQueued = false;
      pump();
    });
  }

  function pump(): void {
    if (closed) return;
    for (const groups of groupsByTopic.values()) {
      for (const group of groups.values()) dispatch(group);
    }
  }

  /** Starts every delivery the group can make now: per-key order first, then free consumers. */
  function dispatch(group: Group): void {
    const keysAhead = new Set<string>();
    for (const entry of [...group.queue]) {
      const key = entry.message.key;
      if (key !== undefined) {
        if (keysAhead.has(key)) continue;
        keysAhead.add(key);
      }
      if (entry.inFlight || entry.readyAt > clock.now()) continue;
      const consumer = nextFreeConsumer(group);
      if (!consumer) return;
      deliver(group, entry, consumer);
    }
  }

  function nextFreeConsumer(group: Group): Consumer | undefined {
    const count = group.consumers.length;
    for (let i = 0; i < count; i++) {
      const index = (group.turn + i) % count;
      const consumer = group.consumers[index]!;
      if (consumer.inFlight < consumer.policy.concurrency) {
        group.turn = index + 1;
        return consumer;
      }
    }
    return undefined;
  }

  function deliver(group: Group, entry: Entry, consumer: Consumer): void {
    entry.inFlight = true;
    entry.attempt += 1;
    consumer.inFlight += 1;
    deliveries += 1;
    const { message } = entry;
    const context: DeliveryContext = {
      messageId: message.id,
      topic: message.topic,
      key: message.key,
      headers: { ...message.headers },
      group: group.name,
      attempt: entry.attempt,
      publishedAt: message.publishedAt,
    };
    // The handler starts in a microtask, never inside publish() or dispatch(), and a synchronous throw counts as a nack.
    const delivery: Promise<void> = Promise.resolve()
      .then(() => consumer.handler(structuredClone(message.payload), context))
      .then(
        () => (faults?.ackLost?.(message, group.name) ? { error: new Error('the ack was lost (injected fault), so the message is redelivered') } : undefined),
        (error: unknown) => ({ error }),
      )
      .then((failure) => {
        consumer.inFlight -= 1;
        entry.inFlight = false;
        if (failure) retryOrDeadLetter(group, entry, consumer.policy, failure.error);
        else group.queue.splice(group.queue.indexOf(entry), 1);
        inFlight.delete(delivery);
        queuePump();
      });
    inFlight.add(delivery);
  }

  function retryOrDeadLetter(group: Group, entry: Entry, policy: Required<SubscribeOptions>, error: unknown): void {
    if (entry.attempt >= policy.maxAttempts) {
      group.queue.splice(group.queue.indexOf(entry), 1);
      group.deadLetters.push({ message: entry.message, group: group.name, error: describe(error), attempts: entry.attempt, deadAt: clock.now() });
      return;
    }
    const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (entry.attempt - 1));
    entry.readyAt = clock.now() + delayMs;
    schedule(delayMs, pump);
  }

  function close(): void {
    closed = true;
    for (const id of timers.keys()) clock.clearTimeout(id);
    timers.clear();
  }

  return Object.freeze<Bus>({
    clock,
    close,

    publish<P>(topic: string, outgoing: OutgoingMessage<P>): string {
      checkName(topic, 'publish(topic, message): topic');
      if (closed) throw new Error(`publish('${topic}', message): the bus is closed`);
      if (typeof outgoing !== 'object' || outgoing === null) throw new TypeError(`publish('${topic}', message): message must be an object such as { key, payload, headers }`);
      const { id = `msg-${nextId++}`, key, headers = {} } = outgoing;
      if (typeof id !== 'string' || id === '') throw new TypeError(`publish('${topic}', message): message.id must be a non-empty string when given`);
      if (key !== undefined && typeof key !== 'string') throw new TypeError(`publish('${topic}', message): message.key must be a string when given, got ${typeof key}`);
      for (const [name, value] of Object.entries(headers)) {
        if (typeof value !== 'string') throw new TypeError(`publish('${topic}', message): header "${name}" must be a string, got ${typeof value}`);
      }
      const message: Message<P> = { id, topic, key, payload: copyPayload(topic, outgoing.payload), headers: { ...headers }, publishedAt: clock.now() };
      let published = publishedByTopic.get(topic);
      if (!published) publishedByTopic.set(topic, (published = []));
      published.push(message);
      if (faults) faults.onPublish(message, forward);
      else forward(message);
      return id;
    },

    subscribe<P>(topic: string, groupName: string, handler: Handler<P>, options: SubscribeOptions = {}): Subscription {
      checkName(topic, 'subscribe(topic, group, handler): topic');
      checkName(groupName, 'subscribe(topic, group, handler): group');
      if (typeof handler !== 'function') throw new TypeError(`subscribe('${topic}', '${groupName}', handler): handler must be a function`);
      const consumer: Consumer = { handler: handler as Handler, policy: policyOf(options, topic, groupName), inFlight: 0 };
      const groups = groupsOf(topic);
      let group = groups.get(groupName);
      if (!group) groups.set(groupName, (group = { name: groupName, queue: [], consumers: [], turn: 0, deadLetters: [] }));
      group.consumers.push(consumer);
      queuePump();
      const joined = group;
      return Object.freeze<Subscription>({
        unsubscribe() {
          const index = joined.consumers.indexOf(consumer);
          if (index >= 0) joined.consumers.splice(index, 1);
        },
      });
    },

    deadLetters: (topic, group) => [...(groupsByTopic.get(topic)?.get(group)?.deadLetters ?? [])],

    published: (topic) => [...(publishedByTopic.get(topic) ?? [])],

    async drain() {
      const deliveryLimit = deliveries + MAX_DELIVERIES_PER_DRAIN;
      let clockSteps = 0;
      for (;;) {
        pump();
        if (closed) return;
        if (deliveries > deliveryLimit) {
          close();
          throw new Error(
            `drain() made ${MAX_DELIVERIES_PER_DRAIN} deliveries and messages keep coming: a handler may publish messages that lead to more without end. ` +
              'The bus is now closed, so the loop stops.',
          );
        }
        if (inFlight.size > 0) {
          if (!clock.manual) {
            await Promise.race(inFlight);
            continue;
          }
          if (await anySettles(inFlight)) continue;
          // Handlers that stay pending for several event-loop turns wait for time to pass (a sleep,
          // a timeout): database and in-memory HTTP calls finish within one turn.
          const next = clock.nextTimerAt();
          if (next === undefined) {
            await Promise.race(inFlight);
            continue;
          }
          if (++clockSteps > MAX_DELIVERIES_PER_DRAIN) {
            close();
            throw new Error(`drain() moved the clock ${MAX_DELIVERIES_PER_DRAIN} times while handlers were still running: a handler may wait for something that never happens.`);
          }
          await clock.advance(Math.max(0, next - clock.now()));
          continue;
        }
        if (faults?.releaseHeld?.(forward)) continue;
        if (timers.size === 0) return;
        const wait = Math.max(0, Math.min(...timers.values()) - clock.now());
        if (clock.manual) await clock.advance(wait);
        else await clock.sleep(wait);
      }
    },
  });
}

/** Whether one of `deliveries` settles within a few turns of the event loop. */
async function anySettles(deliveries: Set<Promise<void>>): Promise<boolean> {
  let settled = false;
  void Promise.race(deliveries).then(() => (settled = true));
  for (let turn = 0; turn < 3 && !settled; turn++) await yieldToEventLoop();
  return settled;
}

function checkName(value: unknown, what: string): void {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${what} must be a non-empty string`);
}

function policyOf(options: SubscribeOptions, topic: string, group: string): Required<SubscribeOptions> {
  const where = `subscribe('${topic}', '${group}', handler, options)`;
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  // Lab code runs without a type check, so a misspelt option would otherwise fall back to the default unnoticed.
  const unknown = given.find(([name]) => !Object.hasOwn(DEFAULTS, name));
  if (unknown) throw new TypeError(`${where}: unknown option "${unknown[0]}"; the options are ${Object.keys(DEFAULTS).join(', ')}`);
  const policy: Required<SubscribeOptions> = { ...DEFAULTS, ...Object.fromEntries(given) };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw new RangeError(`${where}: maxAttempts must be a whole number >= 1`);
  if (!Number.isInteger(policy.concurrency) || policy.concurrency < 1) throw new RangeError(`${where}: concurrency must be a whole number >= 1`);
  if (!(policy.baseDelayMs >= 0) || !Number.isFinite(policy.baseDelayMs)) throw new RangeError(`${where}: baseDelayMs must be a finite number >= 0`);
  if (!(policy.maxDelayMs >= policy.baseDelayMs)) throw new RangeError(`${where}: maxDelayMs must be a number >= baseDelayMs (${policy.baseDelayMs})`);
  return policy;
}

/** Copies a payload as a real broker would serialise it, so publisher and consumers never share objects. */
function copyPayload<P>(topic: string, payload: P): P {
  try {
    return structuredClone(payload);
  } catch (error) {
    throw new TypeError(
      `publish('${topic}', message): the payload cannot be sent as a message (${describe(error)}). ` +
        'Messages carry data: objects, arrays, strings, numbers, booleans, dates; not functions.',
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
