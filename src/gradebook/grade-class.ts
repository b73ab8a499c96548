/**
 * Grades a class: every (learner, lab) of the shard, through the grader's own code path
 * (readSubmissionFrom, then NodeRunner.run), with at most `jobs` runs at once. Node only.
 *
 * Why in-process runners rather than one `npm run grade` process per submission: the runner
 * already isolates each submission in child processes of its own, so a grade process per
 * submission would only add a Node start and the loading of the grader's modules (0.5 s of CPU
 * each here, `grade.ts --help`) without adding isolation; timed side by side on 8 submissions
 * with 2 at a time, the two ways were within the noise of a loaded machine (21 s vs 21 s, 24 s vs
 * 29 s), so the cheaper and simpler one was kept. One NodeRunner per pool slot keeps the runs
 * apart (a runner kills its children when disposed). Each runner starts its next child while a
 * run goes on (`prestart`), so the next submission finds its databases up: 30 submissions of
 * event-sourcing on 2 cores took 86 s without, 73 s with (`npm run bench -- --only gradebook`).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { LabBundle } from '../labs/bundle.ts';
import { labFingerprint, labFolderChanged } from '../labs/lab-fingerprint.ts';
import { labsRoot } from '../labs/list-labs.ts';
import { NodeRunner } from '../runner/node/node-runner.ts';
import { buildLabResult, type LabResult } from '../schemas/lab-result.ts';
import { readSubmissionFrom } from '../submissions/read-submission.ts';
import { discoverClass, parseRoster } from './discover.ts';
import { GRADEBOOK_VERSION, type Gradebook, type LabEntry, type Shard } from './model.ts';
import { runPool } from './pool.ts';
import { learnersOfShard } from './shard.ts';

export interface ClassRun {
  dir: string;
  bundles: LabBundle[];
  jobs: number;
  shard: Shard | null;
  /** Roster text, one id per line: learners on it without a folder are "not submitted". */
  roster?: string;
  course: { name: string; version: string };
  /** Hears each submission as it is done, for a progress line. */
  onGraded?: (done: number, total: number, learner: string, labId: string, entry: LabEntry) => void;
  /** Hears entries of the class folder that were skipped. */
  onNote?: (note: string) => void;
  /** Where the lab folders are (default labs/), to check that none changed during the runs. */
  labsRoot?: string;
}

export function testsHash(bundle: LabBundle): string {
  const hash = createHash('sha256');
  for (const path of Object.keys(bundle.tests).sort()) hash.update(`${path}\0${bundle.tests[path]}\0`);
  return hash.digest('hex');
}

export async function gradeClass(run: ClassRun): Promise<Gradebook> {
  const labIds = run.bundles.map((b) => b.manifest.id);
  const found = discoverClass(run.dir, labIds);
  for (const note of found.notes) run.onNote?.(note);
  const roster = run.roster === undefined ? [] : parseRoster(run.roster);
  const ids = learnersOfShard([...found.learners.keys(), ...roster], run.shard);

  const jobs = ids.flatMap((learner) => run.bundles.map((bundle) => ({ learner, bundle, source: found.learners.get(learner)?.get(bundle.manifest.id) })));
  // Each lab folder as it is now, when its bundle has just been read; checked after every run:
  // from the run in which a folder changed on, that lab's entries are not graded.
  const labDirs = new Map(run.bundles.map((bundle) => [bundle, join(run.labsRoot ?? labsRoot(), bundle.manifest.id)]));
  const labsOnDisk = new Map(run.bundles.map((bundle) => [bundle, labFingerprint(labDirs.get(bundle)!)]));
  let done = 0;
  const entries = await runPool(
    jobs,
    run.jobs,
    () => new NodeRunner({ prestart: true }),
    async (job, runner): Promise<LabEntry> => {
      let entry = await gradeOne(runner, job.bundle, job.source);
      if (entry.state !== 'missing') {
        const changed = labFolderChanged(labDirs.get(job.bundle)!, labsOnDisk.get(job.bundle)!);
        if (changed) entry = { state: 'error', source: entry.source, notes: entry.notes, error: changed, result: entry.result };
      }
      run.onGraded?.(++done, jobs.length, job.learner, job.bundle.manifest.id, entry);
      return entry;
    },
    (runner) => runner.dispose(),
  );

  const learners = ids.map((id) => ({ id, labs: {} as Record<string, LabEntry> }));
  jobs.forEach((job, i) => (learners[ids.indexOf(job.learner)]!.labs[job.bundle.manifest.id] = entries[i]!));
  return {
    version: GRADEBOOK_VERSION,
    course: run.course,
    labs: run.bundles.map((bundle, i) => ({
      id: bundle.manifest.id,
      title: bundle.manifest.title,
      version: bundle.manifest.version,
      maxScore: maxScoreOf(entries.filter((_, j) => jobs[j]!.bundle === run.bundles[i])),
      testsHash: testsHash(bundle),
    })),
    shard: run.shard,
    generatedAt: new Date().toISOString(),
    learners,
  };
}

/** The lab's maximum from any result whose tests were planned (all of them carry the full plan). */
function maxScoreOf(entries: LabEntry[]): number {
  return Math.max(0, ...entries.map((e) => (e.state === 'missing' ? 0 : (e.result?.maxScore ?? 0))));
}

/** Grades one submission; never throws, so one broken submission cannot stop the gradebook. */
export async function gradeOne(runner: NodeRunner, bundle: LabBundle, source: string | undefined): Promise<LabEntry> {
  if (source === undefined) return { state: 'missing', notes: [] };
  let notes: string[] = [];
  try {
    const submission = readSubmissionFrom(bundle, source);
    notes = submission.notes;
    // Nothing of the lab's in it: treated as not handed in rather than graded as the starter.
    if (Object.keys(submission.files).length === 0) return { state: 'missing', notes: [`no editable file of the lab in ${source}`, ...notes] };
    const result: LabResult = await runner.run(bundle, submission.files);
    if (result.status === 'error') return { state: 'error', source, notes, error: result.message, result };
    return { state: 'graded', source, notes, result };
  } catch (error) {
    const message = (error as Error).message;
    // The same constructor as every other path, so the entry still says which tests there were.
    const result = buildLabResult({ labId: bundle.manifest.id, labVersion: bundle.manifest.version, runtime: 'node', plan: [], outcomes: new Map(), problem: message, durationMs: 0 });
    return { state: 'error', source, notes, error: message, result };
  }
}
