/**
 * Source text the grader's Compartment refuses to evaluate, refused the same way in every
 * runtime, so code that passes in the browser never errors in the grader. SES (see
 * node/lockdown.ts) rejects any text that looks like a dynamic import or an HTML comment,
 * wherever it appears, because it cannot parse JavaScript to tell a string or a comment from
 * code; its own check is used here, on the compiled code the Compartment would see. Static
 * and dynamic imports in lab code are compiled to `require` before this check, so only the
 * text in strings and comments can trip it.
 */
import { transforms } from 'ses/tools.js';

export function checkLabCode(code: string): void {
  try {
    transforms.mandatoryTransforms(code);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const what = message.includes('import') ? '"import" followed by "(" (it looks like a dynamic import)' : 'an HTML comment marker ("<!--" or "-->")';
    const line = /:(\d+)\. \(SES_/.exec(message)?.[1];
    throw new SyntaxError(`${line ? `Line ${line} contains` : 'This file contains'} ${what}, which the grader refuses even inside a string or a comment: reword or split that text.`);
  }
}
