/**
 * The errors of the Orders service. Read-only: the tests check for these classes.
 */

/**
 * Someone else appended to the stream since you read it: the version you expected it to be
 * at is not the version it is at. Load the stream again, decide again, and retry.
 */
export class ConcurrencyError extends Error {
  readonly streamId: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;

  constructor(streamId: string, expectedVersion: number, actualVersion: number) {
    super(`stream "${streamId}" is at version ${actualVersion}, not at the expected version ${expectedVersion}; load it again and retry`);
    this.name = 'ConcurrencyError';
    this.streamId = streamId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** A command that the order's current state does not allow, such as shipping an unpaid order. */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DomainError';
  }
}
