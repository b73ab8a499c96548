/**
 * The saga orchestrator: it runs PlaceOrder sagas with the state machine of saga.ts, keeps
 * each saga's state in its own database (the `orchestrator` schema), sends the commands and
 * watches the deadlines. It can crash at any moment; what it has committed is all a new
 * process has to carry on from.
 */
import type { PgQueries } from 'labkit/db';
import type { OrderDetails, Reply, SagaState } from './messages.ts';
import type { SagaRuntime } from './runtime.ts';
import { begin, commandFor, onReply, onTimeout } from './saga.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sagas (
    saga_id  text    PRIMARY KEY,  -- sagaIdFor(orderId)
    status   text    NOT NULL CHECK (status IN ('running', 'compensating', 'completed', 'compensated')),
    step     integer NOT NULL,     -- index in PLACE_ORDER_STEPS of the step in flight
    outcomes jsonb   NOT NULL,     -- { "createOrder": "done", "reserveStock": "pending", ... }
    deadline bigint,               -- clock time (ms) the command in flight must be answered by; NULL once final
    details  jsonb   NOT NULL      -- the OrderDetails the saga is for
  );
`;

/** A row of the sagas table. */
interface SagaRow {
  saga_id: string;
  status: SagaState['status'];
  step: number;
  outcomes: SagaState['outcomes'];
  deadline: number | string | bigint | null;
  details: OrderDetails;
}

const COLUMNS = 'saga_id, status, step, outcomes, deadline, details';

function toState(row: SagaRow): SagaState {
  return {
    sagaId: row.saga_id,
    order: row.details,
    status: row.status,
    step: row.step,
    outcomes: row.outcomes,
    // bigint comes back from PostgreSQL as a bigint or a string, depending on the driver.
    deadline: row.deadline === null ? null : Number(row.deadline),
  };
}

export class Orchestrator {
  private readonly runtime: SagaRuntime;

  constructor(runtime: SagaRuntime) {
    this.runtime = runtime;
  }

  /** Creates the sagas table if it does not exist. */
  async init(): Promise<void> {
    await this.runtime.db.exec(SCHEMA);
  }

  /** The stored state of a saga, if it exists. */
  async get(sagaId: string): Promise<SagaState | undefined> {
    const { rows } = await this.runtime.db.query<SagaRow>(`SELECT ${COLUMNS} FROM sagas WHERE saga_id = $1`, [sagaId]);
    return rows[0] && toState(rows[0]);
  }

  /**
   * Starts the saga for `order` and returns its id. Starting the same order again (the
   * customer pressed "Buy" twice, or the checkout retried after a crash) starts nothing new.
   */
  async start(order: OrderDetails): Promise<string> {
    const state = begin(order, this.runtime.clock.now());
    const { affectedRows } = await this.runtime.db.query(
      `INSERT INTO sagas (saga_id, status, step, outcomes, deadline, details) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (saga_id) DO NOTHING`,
      [state.sagaId, state.status, state.step, state.outcomes, state.deadline, state.order],
    );
    if (affectedRows === 1) this.dispatch(state);
    return state.sagaId;
  }

  /** Moves the saga on by a participant's reply, or ignores the reply (see onReply). */
  async handleReply(reply: Reply): Promise<void> {
    await this.transition(reply.sagaId, (state) => onReply(state, reply, this.runtime.clock.now()));
  }

  /** Called by the saga's timer when its deadline has come. */
  async handleTimeout(sagaId: string): Promise<void> {
    await this.transition(sagaId, (state) => onTimeout(state, this.runtime.clock.now()));
  }

  /**
   * After a restart: every saga that is not final gets its command sent again and its timer
   * set again, at the deadline it stored. Sending again is safe because participants ignore
   * repeats, and necessary because the last process may have crashed after committing a new
   * state but before sending the command it called for.
   */
  async recover(): Promise<void> {
    const { rows } = await this.runtime.db.query<SagaRow>(`SELECT ${COLUMNS} FROM sagas WHERE status IN ('running', 'compensating') ORDER BY saga_id`);
    for (const row of rows) this.dispatch(toState(row));
  }

  /**
   * Reads the saga, decides, and writes the new state in one transaction. FOR UPDATE keeps a
   * reply and a timeout of the same saga from both deciding on the same old state: the second
   * waits and then sees the first one's result.
   */
  private async transition(sagaId: string, decide: (state: SagaState) => SagaState | undefined): Promise<void> {
    const next = await this.runtime.db.transaction(async (tx) => {
      const { rows } = await tx.query<SagaRow>(`SELECT ${COLUMNS} FROM sagas WHERE saga_id = $1 FOR UPDATE`, [sagaId]);
      if (!rows[0]) return undefined;
      const state = decide(toState(rows[0]));
      if (state) await save(tx, state);
      return state;
    });
    if (next) this.dispatch(next);
  }

  /**
   * Sends the command the state calls for and sets the saga's timer, only after the state is
   * committed: a crash before the send loses only the send, which recover() repeats. Sending
   * first, a crash could leave a participant acting on a step the saga's record never reached.
   */
  private dispatch(state: SagaState): void {
    const command = commandFor(state);
    if (command) this.runtime.send(command);
    if (state.deadline === null) this.runtime.clearTimer(state.sagaId);
    else this.runtime.setTimer(state.sagaId, state.deadline, () => this.handleTimeout(state.sagaId));
  }
}

async function save(tx: PgQueries, state: SagaState): Promise<void> {
  await tx.query('UPDATE sagas SET status = $2, step = $3, outcomes = $4, deadline = $5 WHERE saga_id = $1', [
    state.sagaId,
    state.status,
    state.step,
    state.outcomes,
    state.deadline,
  ]);
}
