import { pgErrorCode, type Pg, type PgQueries } from 'labkit/db';
import { ConcurrencyError } from './errors.ts';
import { CURRENT_SCHEMA_VERSION, type OrderEvent, type StoredEvent, type Upcaster } from './events.ts';
import { orderUpcasters, upcast } from './upcasters.ts';

export interface EventStoreOptions {
  /** The upcasters applied to every event read; the Orders service's own by default. */
  upcasters?: Upcaster[];
}

/** The latest saved state of a stream, and the version it was taken at. */
export interface Snapshot<S> {
  streamId: string;
  version: number;
  state: S;
}

/** A row of the events table. */
interface EventRow {
  position: number;
  stream_id: string;
  version: number;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  recorded_at: Date;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id      text        NOT NULL,
    version        integer     NOT NULL CHECK (version > 0),
    type           text        NOT NULL,
    schema_version integer     NOT NULL,
    data           jsonb       NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, version)
  );
  CREATE TABLE IF NOT EXISTS snapshots (
    stream_id text        PRIMARY KEY,
    version   integer     NOT NULL,
    state     jsonb       NOT NULL,
    taken_at  timestamptz NOT NULL DEFAULT now()
  );
`;

/** The columns toStoredEvent needs from a row, for your SELECTs. */
const COLUMNS = 'position, stream_id, version, type, schema_version, data, recorded_at';

/**
 * The Orders service's event store: an append-only table of events, one stream per order.
 *
 * `UNIQUE (stream_id, version)` is what keeps a stream a single, gap-free line of history:
 * two writers can never both add "version 4" to the same stream.
 */
export class EventStore {
  private readonly db: Pg;
  private readonly upcasters: Upcaster[];

  constructor(db: Pg, options: EventStoreOptions = {}) {
    this.db = db;
    this.upcasters = options.upcasters ?? orderUpcasters;
  }

  /** Creates the events and snapshots tables if they do not exist. */
  async init(): Promise<void> {
    await this.db.exec(SCHEMA);
  }

  /**
   * Appends `events` to the stream, numbered from `expectedVersion + 1`, and returns the
   * stream's new version. Rejects with ConcurrencyError, writing nothing, if the stream is
   * not at `expectedVersion` (0 for a stream that does not exist yet).
   */
  async append(streamId: string, expectedVersion: number, events: OrderEvent[]): Promise<number> {
    // TODO (task 1): write the events to the stream as versions expectedVersion + 1, + 2, ...
    // and return the stream's new version. All of them are written, or none. If the stream is
    // not at expectedVersion (0 = a stream with no events), throw a ConcurrencyError and write
    // nothing, also when another append to the same stream runs at the same time.
    throw new Error('append is not implemented yet (task 1)');
  }

  /** The events of one stream after `afterVersion` (all of them by default), oldest first. */
  async readStream(streamId: string, afterVersion = 0): Promise<StoredEvent[]> {
    // TODO (task 2): return the events of the stream with a version above afterVersion, in
    // version order. Turn each row into a StoredEvent with this.toStoredEvent(row).
    throw new Error('readStream is not implemented yet (task 2)');
  }

  /**
   * Up to `limit` events of all streams after global position `afterPosition`, in the order
   * they were stored: what projections read.
   */
  async readAll(afterPosition = 0, limit = 100): Promise<StoredEvent[]> {
    // TODO (task 4): return at most `limit` events of all streams with a position above
    // afterPosition, in position order, each made a StoredEvent with this.toStoredEvent(row).
    throw new Error('readAll is not implemented yet (task 4)');
  }

  /** The version of the stream's last event; 0 if the stream has no events. */
  async currentVersion(streamId: string, queries: PgQueries = this.db): Promise<number> {
    const { rows } = await queries.query<{ version: number }>('SELECT coalesce(max(version), 0) AS version FROM events WHERE stream_id = $1', [streamId]);
    return Number(rows[0]!.version);
  }

  /** Keeps `snapshot` as the stream's latest snapshot, unless a later one is already kept. */
  async saveSnapshot<S>(snapshot: Snapshot<S>): Promise<void> {
    await this.db.query(
      `INSERT INTO snapshots (stream_id, version, state) VALUES ($1, $2, $3)
       ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, state = excluded.state, taken_at = now()
       WHERE snapshots.version < excluded.version`,
      [snapshot.streamId, snapshot.version, snapshot.state as object],
    );
  }

  /** The stream's latest snapshot, or undefined if it has none. */
  async loadSnapshot<S>(streamId: string): Promise<Snapshot<S> | undefined> {
    const { rows } = await this.db.query<{ version: number; state: S }>('SELECT version, state FROM snapshots WHERE stream_id = $1', [streamId]);
    const row = rows[0];
    return row ? { streamId, version: row.version, state: row.state } : undefined;
  }

  /** A row as callers see it: upcast to the current schema, with camelCase metadata. */
  private toStoredEvent(row: EventRow): StoredEvent {
    const current = upcast({ type: row.type, schemaVersion: row.schema_version, data: row.data }, this.upcasters);
    return {
      type: current.type,
      data: current.data,
      schemaVersion: current.schemaVersion,
      streamId: row.stream_id,
      version: row.version,
      position: Number(row.position),
      recordedAt: row.recorded_at,
    } as StoredEvent;
  }
}
