/**
 * The PlaceOrder saga as a state machine: which steps, in which order, what undoes each, and
 * how the saga's state moves on a reply or a missed deadline. Everything here is pure: no
 * database, no bus, no clock. The orchestrator (orchestrator.ts) stores the state and sends
 * the command `commandFor` names.
 *
 * Functions here never change the state they are given: they return a new one.
 */
import {
  STEP_TIMEOUT_MS,
  sagaIdFor,
  type Command,
  type OrderDetails,
  type Reply,
  type SagaState,
  type StepDefinition,
  type StepName,
  type StepOutcome,
} from './messages.ts';

/** PlaceOrder's steps, in the order they run. */
export const PLACE_ORDER_STEPS: readonly StepDefinition[] = [
  { name: 'createOrder', service: 'orders', command: 'CreateOrder', compensation: 'RejectOrder' },
  // TODO (task 1): the other four steps, in order: reserve the stock (Inventory), capture the
  // payment (Payments), schedule the shipment (Shipping), confirm the order (Orders). The
  // command and compensation names are the CommandType values in messages.ts. The last step
  // has no compensation (null): nothing after it can fail.
];

/** The state of a new saga for `order` at time `now`: the first step is in flight. */
export function begin(order: OrderDetails, now: number): SagaState {
  // TODO (task 1): a running saga with the id sagaIdFor(order.orderId), at step 0, every
  // step's outcome 'pending', and a deadline STEP_TIMEOUT_MS after now.
  throw new Error('begin is not implemented yet (task 1)');
}

/**
 * The command the saga is waiting on: the current step's command while running, its
 * compensation while compensating, none (undefined) once the saga is completed or compensated.
 */
export function commandFor(state: SagaState): Command | undefined {
  // TODO (task 1): build the Command for the step at state.step: its type, the saga id, the
  // step's name, action 'do', its service, and the order. (Task 2: while compensating, the
  // step's compensation with action 'undo'.)
  throw new Error('commandFor is not implemented yet (task 1)');
}

/**
 * The state after `reply`, or undefined when the reply must be ignored: it is for another
 * saga, for a step or an action (do/undo) other than the command in flight, or the saga is
 * already completed or compensated.
 */
export function onReply(state: SagaState, reply: Reply, now: number): SagaState | undefined {
  // TODO (task 1): ignore a reply that does not answer commandFor(state). For an ok reply
  // while running, mark the step 'done' and move on to the next step with a new deadline
  // (now + STEP_TIMEOUT_MS); after the last step, the saga is 'completed' with no deadline.
  //
  // TODO (task 2): a failed reply while running marks the step 'failed' and starts
  // compensating, newest step first, skipping steps that have nothing to undo. While
  // compensating, an ok reply marks the step 'compensated' and moves to the previous step to
  // undo; when none is left, the saga is 'compensated' with no deadline. A failed reply to a
  // compensation is ignored: the compensation will be sent again.
  throw new Error('onReply is not implemented yet (task 1)');
}

/**
 * The state after the deadline of the command in flight passed without a usable reply, or
 * undefined when there is nothing to do (the saga is final, or the deadline is still ahead).
 */
export function onTimeout(state: SagaState, now: number): SagaState | undefined {
  // TODO (task 5): a forward step with a compensation is marked 'timed_out' and compensated,
  // itself first (it may have happened). The last step (no compensation) and a compensation
  // are sent again: the same state with a new deadline.
  throw new Error('onTimeout is not implemented yet (task 5)');
}
