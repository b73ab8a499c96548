import type { LabManifest } from '../schemas/lab-manifest.ts';

/** Source files by bundle path, e.g. `{ "src/event-store.ts": "export class ..." }`. */
export type FileMap = Record<string, string>;

/**
 * A lab loaded once from its folder: everything any runtime needs, as plain data that can be
 * posted to a worker, written to JSON or mounted in a container.
 */
export interface LabBundle {
  manifest: LabManifest;
  /** The task description in Markdown, as the learner reads it beside the editor. */
  readme: string;
  /** The starter code under bundle paths `src/...`: what a learner begins with. */
  starter: FileMap;
  /** The graded tests under bundle paths `tests/...`. */
  tests: FileMap;
  /** The reference solution under `src/...`; absent from a class build. */
  solution?: FileMap;
  /**
   * What each test took with the reference solution, in ms, by test id (test-times.json, which
   * `npm run verify -- <lab> --record-times` writes): the tests' time limits derive from it.
   */
  testTimesMs?: Record<string, number>;
}

/**
 * The code a run executes: the starter with the learner's editable files laid over it.
 * Files the manifest does not call editable are always the course's own.
 */
export function sourcesForRun(bundle: LabBundle, learnerFiles: FileMap): FileMap {
  const sources: FileMap = { ...bundle.starter };
  for (const path of bundle.manifest.files.editable) {
    if (typeof learnerFiles[path] === 'string') sources[path] = learnerFiles[path];
  }
  return sources;
}

/** The editable files of the reference solution, as a learner's submission would carry them. */
export function solutionFiles(bundle: LabBundle): FileMap {
  if (!bundle.solution) throw new Error(`The lab "${bundle.manifest.id}" was built without its solution.`);
  return Object.fromEntries(bundle.manifest.files.editable.map((p) => [p, bundle.solution![p]!]));
}
