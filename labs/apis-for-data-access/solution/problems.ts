/**
 * Task 1: every error the Orders API sends is a problem details object (RFC 9457), written by
 * one function, so every client needs one error handler.
 */
import type { Context } from 'labkit/service';
import { PROBLEM_BASE, PROBLEM_TYPES, type ProblemType } from './shop.ts';

/** The media type of a problem details body. */
export const PROBLEM_JSON = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/**
 * A problem's body: `type` names the kind of problem (what clients branch on), `title` is that
 * type's fixed summary, `status` repeats the HTTP status, and `detail` explains this
 * occurrence. `extra` adds extension members such as `errors`; it cannot replace the four.
 */
export function problemBody(type: ProblemType, detail: string, extra: Record<string, unknown> = {}): ProblemBody {
  const { status, title } = PROBLEM_TYPES[type];
  return { ...extra, type: PROBLEM_BASE + type, title, status, detail };
}

/** Answers a problem, with its status and the problem+json media type. */
export function problem(c: Context, type: ProblemType, detail: string, extra: Record<string, unknown> = {}): Response {
  const body = problemBody(type, detail, extra);
  return c.body(JSON.stringify(body), body.status as 400, { 'Content-Type': PROBLEM_JSON });
}

/** For routes no one defined, and methods a route does not have. */
export function notFound(c: Context): Response {
  return problem(c, 'not-found', `Orders has nothing at ${c.req.method} ${c.req.path}.`);
}

/**
 * For anything a handler throws. The error's message and stack stay inside: they can name
 * tables, columns, files and secrets, and a client can do nothing with them. A real service
 * would log the error here with an id and put that id in the problem's `instance`.
 */
export function internalError(c: Context): Response {
  return problem(c, 'internal-error', 'Orders could not answer this request. Try again; if it keeps failing, tell the shop.');
}
