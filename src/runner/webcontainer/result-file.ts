/**
 * Reading the LabResult that `npm test` writes in the container. The page, and our tests of
 * the mounted project under plain Node, read it with this same function.
 */
import { labResult, type LabResult } from '../../schemas/lab-result.ts';

/** Turns the result file's text into a LabResult, or throws an Error that says what is wrong with it. */
export function parseLabResult(text: string): LabResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error('The test run in the full environment wrote a result that is not JSON. Run the tests again; if this persists, use the in-page runner.');
  }
  const parsed = labResult.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`The test run in the full environment wrote a result this page cannot read (${issue.path.join('.') || 'the result'}: ${issue.message}). Reload the page to get a matching environment.`);
  }
  return parsed.data;
}
