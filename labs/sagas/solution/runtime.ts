/**
 * The wiring: how the services are connected to the bus, and the orchestrator's process.
 *
 * A participant takes each command from its topic, handles it and publishes the reply. The
 * orchestrator runs as a "process" that can crash: it gets its database, the clock, a way to
 * send commands and per-saga timers through a `SagaRuntime`. When it crashes (a test makes
 * one of its writes or sends fail with SimulatedCrash, or calls `crash()`), the process stops
 * like a killed one: it leaves the bus, its timers are gone, and anything its code still tries
 * (a query, a send) fails. What it committed to its database stays. A reply it was handling
 * when it crashed was not acknowledged, so the bus keeps it for the next process.
 */
import type { Bus, Subscription } from 'labkit/bus';
import type { Clock, TimerId } from 'labkit/clock';
import type { Pg, PgQueries, PgResult, Row, SqlValue } from 'labkit/db';
import { SimulatedCrash } from 'labkit/faults';
import { REPLIES_TOPIC, type Command, type Reply, type ServiceName } from './messages.ts';
import { Orchestrator } from './orchestrator.ts';

/** A service that takes part in the saga. */
export interface Participant {
  handle(command: Command): Promise<Reply>;
}

/** How a handled command is written in a journal: `payments: CapturePayment -> ok`. */
export function journalEntry(service: ServiceName, command: Command, reply: Reply): string {
  return `${service}: ${command.type} -> ${reply.ok ? 'ok' : 'failed'}`;
}

/**
 * Subscribes `participant` to its topic. Every command it handles is answered on
 * REPLIES_TOPIC and, if a journal is given, noted there, in the order handled.
 */
export function connectParticipant(bus: Bus, service: ServiceName, participant: Participant, journal?: string[]): Subscription {
  return bus.subscribe<Command>(service, service, async (command) => {
    const reply = await participant.handle(command);
    journal?.push(journalEntry(service, command, reply));
    bus.publish<Reply>(REPLIES_TOPIC, { key: reply.sagaId, payload: reply });
  });
}

/** What the orchestrator's code gets from its process. */
export interface SagaRuntime {
  /** The orchestrator's own database: the `orchestrator` schema. */
  readonly db: Pg;
  readonly clock: Clock;
  /** Publishes `command` to its service's topic, keyed by the saga id. */
  send(command: Command): void;
  /**
   * Runs `fn` when the clock reaches `at` (at once if that time has passed). A saga has at
   * most one timer: setting one replaces the saga's previous timer. Timers live in the
   * process's memory, so a crash loses them.
   */
  setTimer(sagaId: string, at: number, fn: () => Promise<void>): void;
  clearTimer(sagaId: string): void;
}

export interface OrchestratorProcess {
  readonly orchestrator: Orchestrator;
  /** False once the process has crashed. */
  readonly up: boolean;
  /** Errors other than crashes that the orchestrator threw in a timer, for the tests to report. */
  readonly errors: unknown[];
  /** Kills the process now, as if its machine lost power. */
  crash(): void;
  /** Waits for the work its timers started; resolves to false if there was none. */
  idle(): Promise<boolean>;
  /** The clock times of the saga timers still set, by saga id. */
  timers(): Record<string, number>;
}

export interface StartOptions {
  bus: Bus;
  /** The orchestrator's schema: `await pgSchema('orchestrator')`. The same handle after a restart. */
  db: Pg;
  /** Crash the process at its nth send (1 = the first), before the command leaves. */
  crashOnSend?: number;
}

/**
 * Starts an orchestrator process: creates its tables if needed, recovers the sagas it left
 * unfinished (`recover()`), then takes replies from the bus. Starting again after a crash, on
 * the same database, is a restart.
 */
export async function startOrchestrator(options: StartOptions): Promise<OrchestratorProcess> {
  const { bus, db: realDb } = options;
  const clock = bus.clock;
  const timers = new Map<string, { id: TimerId; at: number }>();
  const running = new Set<Promise<void>>();
  const errors: unknown[] = [];
  let up = true;
  let sends = 0;
  let subscription: Subscription | undefined;

  function crash(): void {
    if (!up) return;
    up = false;
    subscription?.unsubscribe();
    for (const timer of timers.values()) clock.clearTimeout(timer.id);
    timers.clear();
  }

  function mustBeUp(): void {
    if (!up) throw new SimulatedCrash('simulated crash: the orchestrator process is down, so this instance can do nothing more');
  }

  /** A crash anywhere in a database call takes the whole process down. */
  async function guarded<T>(call: () => Promise<T>): Promise<T> {
    mustBeUp();
    try {
      return await call();
    } catch (error) {
      if (error instanceof SimulatedCrash) crash();
      throw error;
    }
  }

  const queriesOf = (target: PgQueries): PgQueries => ({
    query: <T = Row>(sql: string, params?: SqlValue[]): Promise<PgResult<T>> => guarded(() => target.query<T>(sql, params)),
    exec: (sql: string) => guarded(() => target.exec(sql)),
  });
  const db: Pg = {
    ...queriesOf(realDb),
    transaction: <T>(fn: (tx: PgQueries) => Promise<T>) => guarded(() => realDb.transaction((tx) => fn(queriesOf(tx)))),
  };

  const runtime: SagaRuntime = {
    db,
    clock,
    send(command) {
      mustBeUp();
      sends += 1;
      if (sends === options.crashOnSend) {
        crash();
        throw new SimulatedCrash(`simulated crash: the orchestrator stopped just before sending ${command.type} (send ${sends})`);
      }
      bus.publish<Command>(command.service, { key: command.sagaId, payload: command });
    },
    setTimer(sagaId, at, fn) {
      mustBeUp();
      runtime.clearTimer(sagaId);
      const id = clock.setTimeout(() => {
        timers.delete(sagaId);
        if (!up) return;
        const work = fn()
          .catch((error: unknown) => {
            if (error instanceof SimulatedCrash) crash();
            else errors.push(error);
          })
          .finally(() => running.delete(work));
        running.add(work);
      }, Math.max(0, at - clock.now()));
      timers.set(sagaId, { id, at });
    },
    clearTimer(sagaId) {
      const timer = timers.get(sagaId);
      if (timer) clock.clearTimeout(timer.id);
      timers.delete(sagaId);
    },
  };

  const orchestrator = new Orchestrator(runtime);
  const process: OrchestratorProcess = {
    orchestrator,
    get up() {
      return up;
    },
    errors,
    crash,
    async idle() {
      if (running.size === 0) return false;
      await Promise.allSettled([...running]);
      return true;
    },
    timers: () => Object.fromEntries([...timers].map(([sagaId, timer]) => [sagaId, timer.at])),
  };

  try {
    await orchestrator.init();
    await orchestrator.recover();
  } catch (error) {
    if (error instanceof SimulatedCrash) return process;
    crash();
    throw error;
  }
  if (up) {
    // A reply left unacknowledged by a crashed process is delivered again, many times if need be.
    subscription = bus.subscribe<Reply>(REPLIES_TOPIC, 'orchestrator', (reply) => orchestrator.handleReply(reply), { maxAttempts: 100 });
  }
  return process;
}
