import { CURRENT_SCHEMA_VERSION, type OrderEventType, type OrderPlaced, type OrderPlacedV1Data, type RawEvent, type Upcaster } from './events.ts';

/** The Orders service's upcasters, one per schema change. */
export const orderUpcasters: Upcaster[] = [
  // TODO (task 5): an upcaster that turns the data of an OrderPlaced at schema version 1
  // (OrderPlacedV1Data in events.ts) into its data at version 2 (OrderPlaced['data']).
];

/**
 * Brings a stored event up to its type's current schema version (CURRENT_SCHEMA_VERSION), so
 * the code that folds and projects events knows only today's shapes.
 */
export function upcast(event: RawEvent, upcasters: readonly Upcaster[] = orderUpcasters): RawEvent {
  if (event.schemaVersion === CURRENT_SCHEMA_VERSION[event.type as OrderEventType]) return event; // already current
  // TODO (task 5): apply the upcasters for this event's type, one schema version at a time,
  // until the event is at the current version, and return it. Throw an Error if one is
  // missing, naming the type and the schema version. Never change the event you were given:
  // it is history.
  throw new Error(`upcast is not implemented yet (task 5): cannot read ${event.type} at schema version ${event.schemaVersion}`);
}
