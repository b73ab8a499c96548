/** Why a call to a service got no answer. */
export type UnavailableReason =
  /** No service of that name was started on this network (often a typo in the URL). */
  | 'unknown'
  /** The service is crashed, or restarting and not yet up. */
  | 'down'
  /** The service crashed while the call was in flight; its answer, if any, is lost. */
  | 'crashed'
  /** Over HTTP: the connection was refused or broke. */
  | 'unreachable';

/**
 * A call reached no running service, the way a refused or reset connection does in production.
 * One error type for every cause, so retry and fallback code in a lab catches exactly this; the
 * `reason` says which cause, for tests and for messages.
 */
export class ServiceUnavailableError extends Error {
  /** The name of the service that did not answer, e.g. `orders`. */
  readonly service: string;
  readonly reason: UnavailableReason;

  constructor(service: string, reason: UnavailableReason, detail = '', options?: { cause?: unknown }) {
    super(`Service "${service}" is unavailable: ${REASON_TEXT[reason]}${detail ? ` ${detail}` : ''}`, options);
    this.name = 'ServiceUnavailableError';
    this.service = service;
    this.reason = reason;
  }
}

const REASON_TEXT: Record<UnavailableReason, string> = {
  unknown: 'no service of that name was started on this network.',
  down: 'it is not running (crashed, or not restarted yet).',
  crashed: 'it crashed while handling the call.',
  unreachable: 'the connection to it was refused or broke.',
};
