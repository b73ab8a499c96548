/**
 * The PlaceOrder saga as a state machine: which steps, in which order, what undoes each, and
 * how the saga's state moves on a reply or a missed deadline. Everything here is pure: no
 * database, no bus, no clock. The orchestrator (orchestrator.ts) stores the state and sends
 * the command `commandFor` names.
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

/**
 * PlaceOrder, in order. The order of the steps is a design decision (a "pessimistic" ordering):
 * the order is created first, as PENDING, so the rest of the shop can see a checkout is in
 * flight; stock is reserved before money is taken, so an out-of-stock order never touches the
 * customer's card; the parcel is booked only once the money is in; and the order is
 * confirmed last, when nothing can fail any more.
 */
export const PLACE_ORDER_STEPS: readonly StepDefinition[] = [
  { name: 'createOrder', service: 'orders', command: 'CreateOrder', compensation: 'RejectOrder' },
  { name: 'reserveStock', service: 'inventory', command: 'ReserveStock', compensation: 'ReleaseStock' },
  { name: 'capturePayment', service: 'payments', command: 'CapturePayment', compensation: 'RefundPayment' },
  { name: 'scheduleShipment', service: 'shipping', command: 'ScheduleShipment', compensation: 'CancelShipment' },
  // Nothing after the shipment can fail, so confirming is retried until it answers, never undone.
  { name: 'confirmOrder', service: 'orders', command: 'ConfirmOrder', compensation: null },
];

/** The state of a new saga for `order` at time `now`: the first step is in flight. */
export function begin(order: OrderDetails, now: number): SagaState {
  const outcomes = Object.fromEntries(PLACE_ORDER_STEPS.map((s) => [s.name, 'pending'])) as Record<StepName, StepOutcome>;
  return { sagaId: sagaIdFor(order.orderId), order, status: 'running', step: 0, outcomes, deadline: now + STEP_TIMEOUT_MS };
}

/**
 * The command the saga is waiting on: the current step's command while running, its
 * compensation while compensating, none once the saga is final. It is a function of the
 * state alone, so after a crash the orchestrator can send it again from what it stored.
 */
export function commandFor(state: SagaState): Command | undefined {
  if (state.status !== 'running' && state.status !== 'compensating') return undefined;
  const step = PLACE_ORDER_STEPS[state.step]!;
  const undo = state.status === 'compensating';
  const type = undo ? step.compensation : step.command;
  if (type === null) throw new Error(`step ${step.name} has no compensation, so a saga cannot be compensating it`);
  return { type, sagaId: state.sagaId, step: step.name, action: undo ? 'undo' : 'do', service: step.service, order: state.order };
}

/**
 * The state after `reply`, or undefined when the reply must be ignored: it is for another
 * saga, for a step or direction that is not the one in flight (a duplicate, a reply that
 * overtook another, a reply that came after its deadline), or the saga is already final.
 * Ignoring is what makes duplicates harmless: the first copy moves the saga on, so the
 * second one no longer matches.
 */
export function onReply(state: SagaState, reply: Reply, now: number): SagaState | undefined {
  const awaited = commandFor(state);
  if (!awaited || reply.sagaId !== awaited.sagaId || reply.step !== awaited.step || reply.action !== awaited.action) return undefined;

  if (state.status === 'running') {
    if (!reply.ok) {
      // A failed step changed nothing, so compensation starts with the step before it.
      return compensateFrom(withOutcome(state, 'failed'), state.step - 1, now);
    }
    const done = withOutcome(state, 'done');
    if (state.step === PLACE_ORDER_STEPS.length - 1) return { ...done, status: 'completed', deadline: null };
    return { ...done, step: state.step + 1, deadline: now + STEP_TIMEOUT_MS };
  }

  // Compensating. A compensation may not fail for good: a refusal is not progress, so the saga
  // keeps waiting and the deadline sends the compensation again.
  if (!reply.ok) return undefined;
  return compensateFrom(withOutcome(state, 'compensated'), state.step - 1, now);
}

/**
 * The state after the deadline of the command in flight passed without a usable reply, or
 * undefined if there is nothing to do (the saga is final, or its deadline is still ahead).
 *
 * - A forward step that can be compensated timed out: it may or may not have happened (the
 *   command or only its reply may be lost or late), so it is compensated too, first.
 * - A step without compensation (after the last step that can fail) is sent again.
 * - A compensation is sent again: compensations are retried until they are done.
 */
export function onTimeout(state: SagaState, now: number): SagaState | undefined {
  if (state.deadline === null || state.deadline > now) return undefined;
  if (state.status === 'running' && PLACE_ORDER_STEPS[state.step]!.compensation !== null) {
    return compensateFrom(withOutcome(state, 'timed_out'), state.step, now);
  }
  if (state.status === 'running' || state.status === 'compensating') return { ...state, deadline: now + STEP_TIMEOUT_MS };
  return undefined;
}

/** Records the outcome of the step in flight. */
function withOutcome(state: SagaState, outcome: StepOutcome): SagaState {
  return { ...state, outcomes: { ...state.outcomes, [PLACE_ORDER_STEPS[state.step]!.name]: outcome } };
}

/**
 * Compensates the latest step at or before `index` that happened or may have happened (done,
 * or timed out); when there is none left, the saga is compensated. Steps that never ran, or
 * failed, have nothing to undo.
 */
function compensateFrom(state: SagaState, index: number, now: number): SagaState {
  for (let i = index; i >= 0; i--) {
    const outcome = state.outcomes[PLACE_ORDER_STEPS[i]!.name];
    if (outcome === 'done' || outcome === 'timed_out') return { ...state, status: 'compensating', step: i, deadline: now + STEP_TIMEOUT_MS };
  }
  return { ...state, status: 'compensated', deadline: null };
}
