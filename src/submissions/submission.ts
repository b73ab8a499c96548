/**
 * What reading a submission gives, whichever form it came in (a folder or a zip): one shape,
 * so the grader and the gradebook treat both alike.
 */
import type { FileMap } from '../labs/bundle.ts';

export interface Submission {
  /** The lab's editable files that were taken, at their bundle paths (src/event-store.ts). */
  files: FileMap;
  /** Things the learner should know about: files ignored, files missing. */
  notes: string[];
}

/** Editable files larger than this are refused, in a folder or a zip: no lab needs more, and a huge file is an attack. */
export const MAX_FILE_BYTES = 256 * 1024;
