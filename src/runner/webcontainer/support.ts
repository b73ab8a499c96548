/**
 * Whether this browser and page can run a WebContainer, and the error the full environment
 * gives when it cannot start. Small and free of @webcontainer/api, so a page can ask before it
 * loads anything of the runtime.
 */

/** Whether a WebContainer can run here, and if not, why, in a learner's words. */
export type Support = { ok: true } | { ok: false; reason: string; tryThis: string };

/** The parts of the browser's global scope that decide support; a test passes a fake. */
export interface SupportGlobals {
  isSecureContext?: boolean;
  crossOriginIsolated?: boolean;
  SharedArrayBuffer?: unknown;
  Atomics?: unknown;
  WebAssembly?: unknown;
}

export const CURRENT_BROWSER = 'Use a current desktop Chrome, Edge or Firefox.';

/**
 * WebContainers need WebAssembly, and SharedArrayBuffer with Atomics, which browsers only give a
 * page that is cross-origin isolated (COOP/COEP headers), and that only in a secure context
 * (https, or localhost). Checked in the order a learner can act on.
 */
export function webContainerSupport(scope: SupportGlobals = globalThis as SupportGlobals): Support {
  if (scope.isSecureContext === false) {
    return {
      ok: false,
      reason: 'The full environment only works on a page opened over https:// (or from localhost).',
      tryThis: 'Open the course from its https:// address.',
    };
  }
  if (typeof scope.WebAssembly !== 'object' || typeof scope.crossOriginIsolated !== 'boolean') {
    return { ok: false, reason: 'This browser lacks features the full environment needs.', tryThis: CURRENT_BROWSER };
  }
  if (!scope.crossOriginIsolated) {
    return {
      ok: false,
      reason: 'This page was served without the security headers the full environment needs (cross-origin isolation).',
      tryThis: 'If you host the course yourself, send the headers the README lists; otherwise keep using the in-page runner.',
    };
  }
  if (typeof scope.SharedArrayBuffer !== 'function' || typeof scope.Atomics !== 'object') {
    return { ok: false, reason: 'This browser does not give the page shared memory (SharedArrayBuffer), which the full environment needs.', tryThis: CURRENT_BROWSER };
  }
  return { ok: true };
}

/** Why the environment did not start, with what the learner can try. */
export class StartError extends Error {
  readonly tryThis: string;
  constructor(message: string, tryThis: string) {
    super(message);
    this.name = 'StartError';
    this.tryThis = tryThis;
  }
}
