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

/** Loads and saves orders as event streams (`orderStream(orderId)`), with snapshots. */
export class OrderRepository {
  private readonly store: EventStore;
  private readonly snapshotEvery: number;

  constructor(store: EventStore, options: RepositoryOptions = {}) {
    this.store = store;
    this.snapshotEvery = options.snapshotEvery ?? 0;
  }

  /** The order's current state: its latest snapshot, if any, with the events after it folded on. */
  async load(orderId: string): Promise<LoadedOrder> {
    // TODO (task 3): the order's state and version. Start from the stream's latest snapshot
    // when there is one (this.store.loadSnapshot), and read only the events after it.
    throw new Error('load is not implemented yet (task 3)');
  }

  /** Appends `events` at the version the order was loaded at; returns the order after them. */
  async save(order: LoadedOrder, events: OrderEvent[]): Promise<LoadedOrder> {
    // TODO (task 3): append the events with order.version as the expected version, and return
    // the new version and state. If this.snapshotEvery > 0 and the save reached or crossed a
    // multiple of it, save a snapshot of the new state at the new version (this.store.saveSnapshot).
    throw new Error('save is not implemented yet (task 3)');
  }

  /** Loads the order, runs a command on its state, and saves the events it returns. */
  async execute(orderId: string, command: (state: OrderState) => OrderEvent[]): Promise<LoadedOrder> {
    const order = await this.load(orderId);
    return this.save(order, command(order.state));
  }
}
