/**
 * The message bus lab services talk through, imported as `labkit/bus`: topics, consumer groups,
 * at-least-once delivery with retries and a dead-letter queue, per-key ordering. It runs in
 * memory, on a clock a test controls, and `labkit/faults` can lose, duplicate, delay and
 * reorder its messages.
 *
 * @example
 * const clock = createClock();
 * const bus = createBus({ clock });
 * bus.subscribe('orders', 'billing', async (order: OrderPlaced, { messageId, attempt }) => {
 *   if (await inbox.seen(messageId)) return; // at-least-once: the same message can come twice
 *   await charge(order);
 * });
 * bus.publish('orders', { key: order.id, payload: order });
 * await bus.drain();
 * expect(bus.deadLetters('orders', 'billing')).toEqual([]);
 */
export type {
  Bus,
  BusInterceptor,
  BusOptions,
  DeadLetter,
  DeliveryContext,
  Forward,
  Handler,
  Headers,
  Message,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
} from './types.ts';
export { createBus, MAX_DELIVERIES_PER_DRAIN } from './bus.ts';
