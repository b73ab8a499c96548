import type { Clock, TimerId } from 'labkit/clock';
import type { Pg } from 'labkit/db';
import { ensureOrdersSchema, NodeDownError, OrdersNode, type ChangeEntry, type ChangeSource } from './orders.ts';
import { applyChange } from './pitr.ts';
import { ChangeLogGapError, type FailoverReport, type RecoveryTargets } from './types.ts';

/**
 * An asynchronous replica of Orders: its own schema, fed from the primary's change log. It
 * keeps the entries it applied in its own change_log, so it knows where it is after a restart
 * and, once promoted, carries on numbering from there.
 */
export class Replica {
  readonly name: string;
  readonly db: Pg;

  constructor(name: string, db: Pg) {
    this.name = name;
    this.db = db;
  }

  async init(): Promise<void> {
    await ensureOrdersSchema(this.db);
  }

  /** The LSN and time of the last entry applied; `{ lsn: 0, at: 0 }` before the first. */
  async position(): Promise<{ lsn: number; at: number }> {
    const { rows } = await this.db.query<{ lsn: number; at: number }>('SELECT lsn, at FROM change_log ORDER BY lsn DESC LIMIT 1');
    return rows[0] ? { lsn: Number(rows[0].lsn), at: Number(rows[0].at) } : { lsn: 0, at: 0 };
  }

  /**
   * Applies `entries` in LSN order, each in one transaction with its change_log row. Entries
   * already applied are skipped; an entry that would leave a gap throws ChangeLogGapError
   * (the ones before it stay applied). Returns how many entries were applied.
   */
  async apply(entries: readonly ChangeEntry[]): Promise<number> {
    // TODO (task 6): in LSN order, for each entry: in ONE transaction on this.db, find the last
    // LSN in change_log; skip the entry if it is not newer; throw new ChangeLogGapError(last + 1,
    // entry.lsn) if it is not the next one; otherwise apply its changes (applyChange, from
    // task 5) and insert it into change_log (lsn, at, changes as JSON). Return how many were applied.
    throw new Error('Replica.apply is not implemented yet (task 6)');
  }

  /** Fetches up to `max` new entries from `source` and applies them; returns how many were applied. */
  async pull(source: ChangeSource, max = 10_000): Promise<number> {
    const { lsn } = await this.position();
    return this.apply(await source.changesSince(lsn, max));
  }

  /** This replica as a primary node that takes writes. */
  promote(clock: Clock): OrdersNode {
    return new OrdersNode(this.name, this.db, clock);
  }
}

export interface FailoverOptions {
  primary: OrdersNode;
  replica: Replica;
  clock: Clock;
  targets: RecoveryTargets;
  /** How often to check the primary's health. */
  checkEveryMs: number;
  /** How many failed checks in a row mean "the primary is gone" (one blip is not enough). */
  failuresBeforePromotion: number;
}

/**
 * Watches the primary and, when it stays down, promotes the replica, routes writes to it,
 * fences the old primary, and reports what the failover cost against the targets.
 */
export class FailoverController {
  private readonly options: FailoverOptions;
  private current: OrdersNode;
  private timer: TimerId | undefined;
  private running: Promise<void> = Promise.resolve();
  /** The first error a check threw; idle() rethrows it, so a test sees it. */
  private checkError: unknown;
  private failures = 0;
  private lastHealthyAt: number;
  /** Set once the replica has been promoted. */
  report: FailoverReport | undefined;

  constructor(options: FailoverOptions) {
    this.options = options;
    this.current = options.primary;
    this.lastHealthyAt = options.clock.now();
  }

  /** Starts the health checks: one every checkEveryMs, each seeing the clock time it was due at. */
  start(): void {
    const { clock, checkEveryMs } = this.options;
    const tick = () => {
      const at = clock.now();
      this.timer = clock.setTimeout(tick, checkEveryMs);
      // Checks run one after another, even when the clock moves faster than the database.
      this.running = this.running
        .then(() => this.check(at))
        .catch((error: unknown) => {
          this.checkError ??= error;
        });
    };
    this.timer = clock.setTimeout(tick, checkEveryMs);
  }

  stop(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves when the checks started so far have finished (and any promotion they began); rejects if one threw. */
  async idle(): Promise<void> {
    await this.running;
    if (this.checkError !== undefined) throw this.checkError;
  }

  /** The node that takes writes now: the primary, or after a failover the promoted replica. */
  writer(): OrdersNode {
    return this.current;
  }

  /** One health check, due at clock time `at`. */
  private async check(at: number): Promise<void> {
    // TODO (task 6): do nothing once failed over (this.report is set). Ping the primary: if it
    // answers, note `at` as this.lastHealthyAt and forget earlier failures. If it throws
    // NodeDownError, count the failure; after failuresBeforePromotion failures IN A ROW,
    // promote (await this.promote(at)). Rethrow any other error.
    throw new Error(`FailoverController.check is not implemented yet (task 6): the check at ${new Date(at).toISOString()} did nothing`);
  }

  /** Promotes the replica with what it has, at clock time `at`, and measures the cost. */
  private async promote(at: number): Promise<void> {
    // TODO (task 6): stop the checks; fence the old primary; promote the replica with the
    // entries it has (do not wait for the old primary) and route writes to it (this.current);
    // then read what the old primary acknowledged beyond the replica's position from its disk
    // (primary.disk.changesSince) and fill this.report (FailoverReport in types.ts), with rpoMet
    // and rtoMet measured against this.options.targets.
    throw new Error(`FailoverController.promote is not implemented yet (task 6): nothing promoted at ${new Date(at).toISOString()}`);
  }
}
