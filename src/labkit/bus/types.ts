/**
 * The message bus's types: what a publisher sends, what a consumer receives, and the hook
 * through which `labkit/faults` loses, duplicates, delays and reorders messages.
 */
import type { Clock } from '../clock/types.ts';

export type Headers = Record<string, string>;

/** What a publisher hands to `publish`. */
export interface OutgoingMessage<P = unknown> {
  /**
   * The message id, when the publisher has one: an outbox relay that may publish the same row
   * twice after a crash passes the row's id, so consumers can recognise the duplicate.
   * Otherwise the bus assigns one (`msg-1`, `msg-2`, ...).
   */
  id?: string;
  /** Messages with the same key are handled one at a time, in publish order, within each group. */
  key?: string;
  /** Plain data: it is copied (structured clone) on publish and again for every delivery. */
  payload: P;
  /** Metadata such as a trace id or a schema version. */
  headers?: Headers;
}

/** A message as the bus keeps it. */
export interface Message<P = unknown> {
  readonly id: string;
  readonly topic: string;
  readonly key: string | undefined;
  readonly payload: P;
  readonly headers: Readonly<Headers>;
  /** The bus clock's time at publish. */
  readonly publishedAt: number;
}

/** Everything about a delivery besides the payload. */
export interface DeliveryContext {
  readonly messageId: string;
  readonly topic: string;
  readonly key: string | undefined;
  readonly headers: Readonly<Headers>;
  readonly group: string;
  /** 1 on the first delivery of this message to this group, 2 on the first redelivery, ... */
  readonly attempt: number;
  readonly publishedAt: number;
}

/**
 * Handles one message. Resolving acknowledges it; throwing or rejecting has it redelivered
 * after a backoff, or dead-lettered after the last attempt. The return value is ignored.
 */
export type Handler<P = unknown> = (payload: P, context: DeliveryContext) => unknown;

export interface SubscribeOptions {
  /** Deliveries before a message goes to the dead-letter queue. Default 5. */
  maxAttempts?: number;
  /** Wait before the first redelivery; it doubles with each further one. Default 100 ms. */
  baseDelayMs?: number;
  /** The longest wait between two deliveries. Default 30 000 ms. */
  maxDelayMs?: number;
  /** Messages this handler works on at the same time. Default 1. */
  concurrency?: number;
}

export interface Subscription {
  /** Stops delivering to this handler. The group stays: its messages wait for the next subscriber. */
  unsubscribe(): void;
}

/** A message a group gave up on. */
export interface DeadLetter<P = unknown> {
  readonly message: Message<P>;
  readonly group: string;
  /** The last error as "Name: message", or just the message for a plain Error: "payment service unavailable". */
  readonly error: string;
  /** Deliveries made, all failed. */
  readonly attempts: number;
  /** The bus clock's time when it was dead-lettered. */
  readonly deadAt: number;
}

/** Puts a message into the queue of every group of its topic, now or `delayMs` later on the bus clock. */
export type Forward = (message: Message, delayMs?: number) => void;

/**
 * Where faults step in. The bus calls these; `messageFaults()` in `labkit/faults` implements
 * them. Without an interceptor every message is forwarded once and every ack counts.
 */
export interface BusInterceptor {
  /** Decides what reaches the queues for one publish: forward it zero times, once, twice, later, or hold it. */
  onPublish(message: Message, forward: Forward): void;
  /** Asked after a handler succeeds: true loses the ack, so the bus redelivers as if the handler had failed. */
  ackLost?(message: Message, group: string): boolean;
  /** Asked by `drain()` once nothing else is left: forward whatever is held back. Returns whether anything was. */
  releaseHeld?(forward: Forward): boolean;
}

export interface BusOptions {
  /** The clock for retry backoffs and delays. Default `systemClock()`; tests pass `createClock()`. */
  clock?: Clock;
  /** Faults to inject, from `messageFaults()` in `labkit/faults`. */
  faults?: BusInterceptor;
}

export interface Bus {
  readonly clock: Clock;
  /**
   * Sends a message to every consumer group of `topic` and returns its id. Delivery starts on
   * the next turn of the event loop, so a handler never runs inside `publish`.
   */
  publish<P>(topic: string, message: OutgoingMessage<P>): string;
  /**
   * Adds `handler` to consumer group `group` of `topic`. Every group gets every message published
   * after the group's first subscription; within a group each message goes to one of its handlers.
   */
  subscribe<P = unknown>(topic: string, group: string, handler: Handler<P>, options?: SubscribeOptions): Subscription;
  /** The messages `group` gave up on, oldest first. */
  deadLetters(topic: string, group: string): DeadLetter[];
  /** Every message published to `topic`, in order, including those a fault then lost. */
  published(topic: string): Message[];
  /**
   * Delivers until nothing is in flight, waiting for retry or held back by a fault. On a manual
   * clock it advances the clock through retry backoffs and delays, and, when every handler in
   * flight stays pending for a few event-loop turns (it sleeps or waits for a timeout on the
   * clock), to the clock's next timer; on the system clock it waits in real time. Messages of a
   * group without subscribers stay queued. A handler that never settles keeps `drain()` waiting.
   */
  drain(): Promise<void>;
  /**
   * Stops the bus for good: no more deliveries, retries or delayed arrivals, and `publish`
   * throws. Handlers already running finish, but their outcome no longer matters. For test
   * cleanup, and done by `drain()` itself when it gives up on a runaway loop.
   */
  close(): void;
}
