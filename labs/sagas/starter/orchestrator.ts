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
    // TODO (task 4): store the new saga (begin(...) at this.runtime.clock.now()) in the sagas
    // table, unless a saga with that id exists already. Only if it is new: send its first
    // command (this.runtime.send), after the row is written. (Task 5: and set its timer.)
    throw new Error('start is not implemented yet (task 4)');
  }

  /** Moves the saga on by a participant's reply, or ignores the reply (see onReply in saga.ts). */
  async handleReply(reply: Reply): Promise<void> {
    // TODO (task 4): read the saga's state, decide with onReply, and if it changed, write the
    // new state, in one transaction (this.runtime.db.transaction(async (tx) => ...)); then,
    // after the commit, send the command the new state calls for (commandFor). This runs
    // again for the same reply if the process crashes before the bus gets the ack.
    throw new Error('handleReply is not implemented yet (task 4)');
  }

  /** Called by the saga's timer when its deadline has come. */
  async handleTimeout(sagaId: string): Promise<void> {
    // TODO (task 5): like handleReply, with onTimeout. Every state you write with a deadline
    // needs a timer at that deadline: this.runtime.setTimer(sagaId, deadline, () =>
    // this.handleTimeout(sagaId)); a final state clears it (this.runtime.clearTimer).
    throw new Error('handleTimeout is not implemented yet (task 5)');
  }

  /**
   * Called once when the process starts, before any reply is delivered: carries on with every
   * saga that is neither completed nor compensated.
   */
  async recover(): Promise<void> {
    // TODO (task 4): the last process may have crashed after committing a state but before
    // sending its command. Send the command of every unfinished saga again (participants
    // ignore repeats). (Task 5: and set each one's timer again, at the deadline it stored.)
    // Until then, a restarted orchestrator does nothing for the sagas it finds.
  }
}
