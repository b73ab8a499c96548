/**
 * The progress of `npm test` in the container, as a file of JSON lines: the plan, then each test
 * as it starts and ends. The page follows it to show verdicts while the run goes, and when a run ends
 * without a result (stopped at its time limit, or the process died), the verdicts it did record
 * still make the LabResult, through buildLabResult like every other run.
 */
import type { LabBundle } from '../../labs/bundle.ts';
import { buildLabResult, type LabResult, type PlannedTest, type TestOutcome } from '../../schemas/lab-result.ts';
import type { RunProgress } from '../driver.ts';

/** Where `npm test` appends its progress, one JSON line per event. */
export const PROGRESS_PATH = '.labkit/progress.jsonl';

/** The one line an event adds to the log. Only what a result is built from is logged. */
export function progressLine(progress: RunProgress): string | undefined {
  if (progress.type !== 'plan' && progress.type !== 'test-start' && progress.type !== 'test-end') return undefined;
  return `${JSON.stringify(progress)}\n`;
}

/** The events of a log, in order. A line cut short (the file read mid-write) or not an event is skipped. */
export function readProgressLog(text: string): RunProgress[] {
  const events: RunProgress[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line) as RunProgress;
      if (event?.type === 'plan' && Array.isArray(event.tests)) events.push(event);
      else if (event?.type === 'test-start' && typeof event.id === 'string') events.push(event);
      else if (event?.type === 'test-end' && typeof event.id === 'string' && typeof event.outcome?.status === 'string') events.push(event);
    } catch {
      // An unfinished last line: the next read gets it whole.
    }
  }
  return events;
}

/**
 * The result of a run that did not write one: the verdicts the log holds, `whileRunning` (when
 * given) for the test that had started and not ended, and `problem` for every test that never
 * reported.
 */
export function resultFromProgress(bundle: LabBundle, events: RunProgress[], problem: string, durationMs: number, whileRunning?: string): LabResult {
  let plan: PlannedTest[] = [];
  const outcomes = new Map<string, TestOutcome>();
  let running: string | undefined;
  for (const event of events) {
    if (event.type === 'plan' && plan.length === 0) plan = event.tests;
    if (event.type === 'test-start') running = event.id;
    if (event.type === 'test-end') {
      outcomes.set(event.id, event.outcome);
      if (running === event.id) running = undefined;
    }
  }
  if (running && whileRunning && !outcomes.has(running)) outcomes.set(running, { status: 'error', message: whileRunning, durationMs: 0 });
  return buildLabResult({ labId: bundle.manifest.id, labVersion: bundle.manifest.version, runtime: 'webcontainer', plan, outcomes, problem, durationMs });
}
