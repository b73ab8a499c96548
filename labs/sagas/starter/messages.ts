/**
 * What the PlaceOrder saga's services say to each other: the order a saga is for, the
 * commands the orchestrator sends, the replies it gets back, and the saga's state.
 *
 * Commands go to a topic named after the service (`orders`, `inventory`, `payments`,
 * `shipping`); every reply goes to `saga-replies`. All of them are keyed by the saga id, so the
 * bus hands one saga's messages to a consumer one at a time, in the order they were published
 * (unless a fault delays or reorders them).
 */

/** The services that take part in the saga; each is also the topic its commands go to. */
export type ServiceName = 'orders' | 'inventory' | 'payments' | 'shipping';

/** The topic every participant answers on. */
export const REPLIES_TOPIC = 'saga-replies';

/** How long the orchestrator waits for the reply to a command before it acts (the step's deadline). */
export const STEP_TIMEOUT_MS = 5_000;

/** A checkout: one line, to keep the lab small. */
export interface OrderDetails {
  orderId: string;
  customerId: string;
  sku: string;
  quantity: number;
  /** What the customer pays, in cents. */
  amountCents: number;
  /** The payment card, as a token from the card form: `tok_declined` is always declined. */
  cardToken: string;
  /** Where the parcel goes, as an ISO country code. Shipping has no carrier for some (`AQ`). */
  country: string;
}

/** The steps of PlaceOrder, by name. */
export type StepName = 'createOrder' | 'reserveStock' | 'capturePayment' | 'scheduleShipment' | 'confirmOrder';

/**
 * Everything a participant can be told to do. A compensation is a command like any other: a
 * new business action (release the stock, refund the payment), not a database rollback.
 */
export type CommandType =
  | 'CreateOrder'
  | 'RejectOrder'
  | 'ReserveStock'
  | 'ReleaseStock'
  | 'CapturePayment'
  | 'RefundPayment'
  | 'ScheduleShipment'
  | 'CancelShipment'
  | 'ConfirmOrder';

/** `do` runs a step; `undo` runs its compensation. */
export type Action = 'do' | 'undo';

export interface Command {
  type: CommandType;
  sagaId: string;
  /** The step this command belongs to: with `action`, what a participant deduplicates on. */
  step: StepName;
  action: Action;
  /** Which service handles it, and so the topic it is published to. */
  service: ServiceName;
  order: OrderDetails;
}

export interface Reply {
  sagaId: string;
  step: StepName;
  action: Action;
  /** The command answered. */
  type: CommandType;
  /** Whether the participant did it. A failed `do` changed nothing: there is nothing to undo. */
  ok: boolean;
  /** Why not, when `ok` is false. */
  reason?: string;
}

/** The answer to `command`. */
export function replyTo(command: Command, ok: boolean, reason?: string): Reply {
  const reply: Reply = { sagaId: command.sagaId, step: command.step, action: command.action, type: command.type, ok };
  if (reason !== undefined) reply.reason = reason;
  return reply;
}

/** One saga per order: checking out the same order twice must not start a second saga. */
export function sagaIdFor(orderId: string): string {
  return `place-order-${orderId}`;
}

/** One step of a saga: who does it, with which command, and which command undoes it. */
export interface StepDefinition {
  name: StepName;
  service: ServiceName;
  command: CommandType;
  /**
   * The command that semantically undoes the step, or null for a step that cannot fail once
   * the saga gets there (it comes after the last step that can fail): instead of being
   * compensated, it is retried until it answers.
   */
  compensation: CommandType | null;
}

/**
 * - `running`: forward steps are being done, one at a time.
 * - `compensating`: a step failed or timed out; compensations run, newest step first.
 * - `completed`: every step is done. Final.
 * - `compensated`: every step that had happened (or may have) is undone. Final.
 */
export type SagaStatus = 'running' | 'compensating' | 'completed' | 'compensated';

/**
 * - `pending`: not run (yet).
 * - `done`: the participant did it.
 * - `failed`: the participant refused; it changed nothing.
 * - `timed_out`: no answer before the deadline; it may or may not have happened.
 * - `compensated`: it was undone.
 */
export type StepOutcome = 'pending' | 'done' | 'failed' | 'timed_out' | 'compensated';

export interface SagaState {
  sagaId: string;
  order: OrderDetails;
  status: SagaStatus;
  /**
   * The index (in the saga's step list) of the step in flight: the step whose `do` is awaited
   * while running, or whose `undo` is awaited while compensating. Meaningless once final.
   */
  step: number;
  /** What happened to each step, by name. */
  outcomes: Record<StepName, StepOutcome>;
  /** The clock time by which the command in flight must be answered; null once final. */
  deadline: number | null;
}
