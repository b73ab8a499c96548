/**
 * The one door to a submission for the commands that grade (grade, gradebook): a path ending
 * in .zip goes to the zip reader, anything else is read as a folder. Node only.
 */
import type { LabBundle } from '../labs/bundle.ts';
import { readSubmission } from './folder.ts';
import type { Submission } from './submission.ts';
import { readSubmissionZip } from './zip.ts';

/** Reads `path` as a zip when it is one (by name), otherwise as a submission folder. */
export function readSubmissionFrom(bundle: LabBundle, path: string): Submission {
  return path.toLowerCase().endsWith('.zip') ? readSubmissionZip(bundle, path) : readSubmission(bundle, path);
}
