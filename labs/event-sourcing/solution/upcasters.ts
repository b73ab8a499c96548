import { CURRENT_SCHEMA_VERSION, type OrderEventType, type OrderPlaced, type OrderPlacedV1Data, type RawEvent, type Upcaster } from './events.ts';

/**
 * OrderPlaced v1 -> v2. Version 1 kept one decimal `amount` in euros (the first version of
 * the service sold in euros only and had no order lines). Floating-point euros turn 19.99
 * into 1998.9999999999998 cents, so round; and v1 orders had no lines we could recover.
 */
export const orderPlacedV1ToV2: Upcaster = {
  type: 'OrderPlaced',
  fromVersion: 1,
  upcast: (data) => {
    const v1 = data as unknown as OrderPlacedV1Data;
    const v2: OrderPlaced['data'] = {
      orderId: v1.orderId,
      customerId: v1.customerId,
      lines: [],
      totalCents: Math.round(v1.amount * 100),
      currency: 'EUR',
    };
    return v2;
  },
};

/** The Orders service's upcasters, one per schema change. */
export const orderUpcasters: Upcaster[] = [orderPlacedV1ToV2];

/**
 * Brings a stored event up to its type's current schema version, one version at a time, so
 * the code that folds and projects events knows only today's shapes. It never changes the
 * event it is given, nor the row it came from: events are history, and rewriting them in
 * place would lose the record of what was actually written. Upcasting on read costs a
 * little on every read instead, and old events stay as they were.
 */
export function upcast(event: RawEvent, upcasters: readonly Upcaster[] = orderUpcasters): RawEvent {
  const target = CURRENT_SCHEMA_VERSION[event.type as OrderEventType];
  if (target === undefined) throw new Error(`unknown event type "${event.type}"`);
  if (event.schemaVersion > target) {
    // Written by a newer version of the service: reading it as an older shape would lose data.
    throw new Error(`${event.type} has schema version ${event.schemaVersion}, newer than the ${target} this code knows`);
  }
  let current = event;
  while (current.schemaVersion < target) {
    const from = current;
    const step = upcasters.find((u) => u.type === from.type && u.fromVersion === from.schemaVersion);
    if (!step) throw new Error(`no upcaster takes ${from.type} from schema version ${from.schemaVersion} towards ${target}`);
    current = { type: from.type, schemaVersion: from.schemaVersion + 1, data: step.upcast(from.data) };
  }
  return current;
}
