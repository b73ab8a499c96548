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
    if (events.length === 0) throw new Error(`append to "${streamId}" needs at least one event`);
    try {
      // One transaction for all the events: a crash or a conflict halfway leaves none of them.
      return await this.db.transaction(async (tx) => {
        // This check gives a clear error early and rejects an expected version from the
        // future, which the constraint alone would not (it would leave a gap). It is NOT what
        // makes appends safe: under READ COMMITTED two transactions can both read version 3
        // here and both go on to insert version 4.
        const actual = await this.currentVersion(streamId, tx);
        if (actual !== expectedVersion) throw new ConcurrencyError(streamId, expectedVersion, actual);

        let version = expectedVersion;
        for (const event of events) {
          version += 1;
          await tx.query('INSERT INTO events (stream_id, version, type, schema_version, data) VALUES ($1, $2, $3, $4, $5)', [
            streamId,
            version,
            event.type,
            CURRENT_SCHEMA_VERSION[event.type],
            event.data,
          ]);
        }
        return version;
      });
    } catch (error) {
      // What makes appends safe is UNIQUE (stream_id, version): of two racing appends at the
      // same expected version, the database lets exactly one insert that version. The loser
      // gets unique_violation, its transaction is already rolled back, and we report it as
      // what it means to the caller. A SELECT-then-INSERT without the constraint has a window
      // between the two statements in which both writers see the same version.
      if (pgErrorCode(error) === '23505') {
        throw new ConcurrencyError(streamId, expectedVersion, await this.currentVersion(streamId));
      }
      throw error;
    }
  }

  /** The events of one stream after `afterVersion` (all of them by default), oldest first. */
  async readStream(streamId: string, afterVersion = 0): Promise<StoredEvent[]> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version`,
      [streamId, afterVersion],
    );
    return rows.map((row) => this.toStoredEvent(row));
  }

  /**
   * Up to `limit` events of all streams after global position `afterPosition`, in the order
   * they were stored: what projections read.
   *
   * A caveat for production PostgreSQL: identity values are handed out when a row is
   * inserted, not when its transaction commits, so with concurrent writers an event with a
   * smaller position can become visible after one with a larger position, and a reader that
   * already moved past it would skip it. PGlite runs one transaction at a time, so it cannot
   * happen here; real stores serialise appends or only read positions older than the oldest
   * open transaction.
   */
  async readAll(afterPosition = 0, limit = 100): Promise<StoredEvent[]> {
    const { rows } = await this.db.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`, [
      afterPosition,
      limit,
    ]);
    return rows.map((row) => this.toStoredEvent(row));
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
