/**
 * "Download my work": the learner's editable files as a submission zip that `npm run grade --
 * <lab> --submission <zip>` and the gradebook accept as is: the files at their bundle paths
 * (src/...) and a submission.json saying which lab and version they were written against.
 * Loaded only when the button is pressed, so fflate is not part of the lab page's first load.
 */
import { strToU8, zipSync } from 'fflate';
import type { FileMap } from '../labs/bundle.ts';

export interface SubmissionMeta {
  labId: string;
  labVersion: number;
  /** When the zip was made, ISO 8601. */
  savedAt: string;
}

/** The zip's bytes; pure, so Node tests check it against the grader's zip reader. */
export function workZip(labId: string, labVersion: number, files: FileMap, savedAt = new Date()): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const path of Object.keys(files).sort()) entries[path] = strToU8(files[path]!);
  const meta: SubmissionMeta = { labId, labVersion, savedAt: savedAt.toISOString() };
  entries['submission.json'] = strToU8(`${JSON.stringify(meta, null, 2)}\n`);
  return zipSync(entries, { level: 6, mtime: savedAt });
}

export function downloadWork(labId: string, labVersion: number, files: FileMap): void {
  const bytes = workZip(labId, labVersion, files);
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${labId}-work.zip`;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file by the time this runs; the URL only holds memory.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
