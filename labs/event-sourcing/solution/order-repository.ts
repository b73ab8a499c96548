import type { EventStore } from './event-store.ts';
import { orderStream, type OrderEvent } from './events.ts';
import { evolve, initialState, type OrderState } from './order.ts';

/** An order as loaded: its state, and the version of its stream that state reflects. */
export interface LoadedOrder {
  orderId: string;
  /** How many events the state includes; the expected version of the next save. */
  version: number;
  state: OrderState;
}

export interface RepositoryOptions {
  /** Take a snapshot whenever a save reaches or crosses a multiple of this many events. 0 (the default): never. */
  snapshotEvery?: number;
}

/**
 * Loads and saves orders as event streams. A snapshot is only a cache of a fold: it can be
 * deleted at any time and `load` gives the same answer, only slower. That is why it is
 * written after the append and outside its transaction: a crash between the two loses a
 * snapshot, never an event, and keeps the hot append path as short as before.
 */
export class OrderRepository {
  private readonly store: EventStore;
  private readonly snapshotEvery: number;

  constructor(store: EventStore, options: RepositoryOptions = {}) {
    this.store = store;
    this.snapshotEvery = options.snapshotEvery ?? 0;
  }

  /** The order's current state: its latest snapshot, if any, with the events after it folded on. */
  async load(orderId: string): Promise<LoadedOrder> {
    const streamId = orderStream(orderId);
    const snapshot = await this.store.loadSnapshot<OrderState>(streamId);
    let version = snapshot?.version ?? 0;
    let state = snapshot?.state ?? initialState;
    // Only the tail: reading from 0 and folding onto the snapshot would apply its events twice.
    for (const event of await this.store.readStream(streamId, version)) {
      state = evolve(state, event);
      version = event.version;
    }
    return { orderId, version, state };
  }

  /**
   * Appends `events` with the version the order was loaded at as the expected version, so a
   * save based on a stale load fails with ConcurrencyError instead of overwriting history.
   */
  async save(order: LoadedOrder, events: OrderEvent[]): Promise<LoadedOrder> {
    const streamId = orderStream(order.orderId);
    const version = await this.store.append(streamId, order.version, events);
    const state = events.reduce(evolve, order.state);
    // "Crossed", not "version % N === 0": a save of several events can jump over the multiple.
    const every = this.snapshotEvery;
    if (every > 0 && Math.floor(version / every) > Math.floor(order.version / every)) {
      await this.store.saveSnapshot({ streamId, version, state });
    }
    return { orderId: order.orderId, version, state };
  }

  /** Loads the order, runs a command on its state, and saves the events it returns. */
  async execute(orderId: string, command: (state: OrderState) => OrderEvent[]): Promise<LoadedOrder> {
    const order = await this.load(orderId);
    return this.save(order, command(order.state));
  }
}
