/**
 * Task 1: every error the Orders API sends is a problem details object (RFC 9457), written by
 * one function, so every client needs one error handler.
 */
import type { Context } from 'labkit/service';
import { PROBLEM_BASE, PROBLEM_TYPES, type ProblemType } from './shop.ts';

/** The media type of a problem details body. */
export const PROBLEM_JSON = 'application/problem+json';

/**
 * A problem response (lab code has no global Response: answer through Hono's context c): `type` is PROBLEM_BASE + the type's name, `title` the type's fixed title
 * and `status` its status from PROBLEM_TYPES, `detail` what went wrong in this request. `extra`
 * adds extension members such as `errors`.
 */
export function problem(c: Context, type: ProblemType, detail: string, extra: Record<string, unknown> = {}): Response {
  // TODO (task 1): build the problem body and answer it with c.body(text, status, { 'Content-Type': PROBLEM_JSON }).
  void PROBLEM_BASE;
  void PROBLEM_TYPES;
  void extra;
  return c.text(`problem(${type}, ${JSON.stringify(detail)}) is not written yet (task 1, problems.ts)`, 500);
}

/** For routes no one defined, and methods a route does not have. */
export function notFound(c: Context): Response {
  // TODO (task 1): a not-found problem.
  return c.text('404 Not Found', 404);
}

/** For anything a handler throws: nothing of the error may reach the client. */
export function internalError(c: Context): Response {
  // TODO (task 1): an internal-error problem with a fixed detail.
  return c.text('Internal Server Error', 500);
}
