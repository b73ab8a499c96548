/**
 * Reads the mounted lab project from the current folder: the course's bundle from
 * `.labkit/lab.json`, and the learner's editable files from `src/` as they are on disk now
 * (edited in the page and written in, or edited in the terminal).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { FileMap, LabBundle } from '../../../labs/bundle.ts';
import { BUNDLE_PATH } from '../project-tree.ts';

export interface MountedProject {
  bundle: LabBundle;
  learnerFiles: FileMap;
}

export function readProject(): MountedProject {
  if (!existsSync(BUNDLE_PATH)) {
    throw new Error(`${BUNDLE_PATH} is missing: run this from the lab's folder (the one with package.json), e.g. \`cd ~/project && npm test\`.`);
  }
  const bundle = JSON.parse(readFileSync(BUNDLE_PATH, 'utf8')) as LabBundle;
  const learnerFiles: FileMap = {};
  // A deleted editable file counts as unchanged from the starter, as in a submission.
  for (const path of bundle.manifest.files.editable) {
    if (existsSync(path)) learnerFiles[path] = readFileSync(path, 'utf8');
  }
  return { bundle, learnerFiles };
}
