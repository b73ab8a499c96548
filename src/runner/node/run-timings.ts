/**
 * Where a grade's time goes: the parent's clock and the child's, lined up on the epoch. The
 * Node runner records one ChildTimings per child from the events it already receives (and the
 * child's `phase` events); `npm run grade -- --timings` and `npm run bench` print them.
 * Nothing here decides a verdict.
 */
import { epochNow } from '../epoch-now.ts';
import type { ExecutorEvent, StartPhase } from '../protocol.ts';

export interface ChildTimings {
  /** When the parent asked for the child (epoch ms). */
  spawnedAt: number;
  phases: Partial<Record<StartPhase, number>>;
  /** The test ids each test file declared. */
  testFiles: Record<string, string[]>;
  labLoadedAt?: number;
  tests: { id: string; startedAt: number; endedAt?: number }[];
  doneAt?: number;
  /** When the parent let the child go (its run done, or a breach) and when it was gone. */
  releasedAt?: number;
  closedAt?: number;
}

/** Records one child's timings as its events arrive. */
export function recordChildTimings(): { timings: ChildTimings; observe(event: ExecutorEvent): void } {
  const timings: ChildTimings = { spawnedAt: epochNow(), phases: {}, testFiles: {}, tests: [] };
  return {
    timings,
    observe(event) {
      const now = epochNow();
      if (event.type === 'phase' && typeof event.at === 'number') {
        timings.phases[event.phase] ??= event.at;
        if (event.testFiles && typeof event.testFiles === 'object') timings.testFiles = event.testFiles;
      } else if (event.type === 'lab-loaded') timings.labLoadedAt ??= now;
      else if (event.type === 'test-start') timings.tests.push({ id: event.id, startedAt: now });
      else if (event.type === 'test-end') {
        const test = timings.tests.findLast((t) => t.id === event.id);
        if (test) test.endedAt = now;
      } else if (event.type === 'done') timings.doneAt ??= now;
    },
  };
}

interface Step {
  label: string;
  ms: number;
}

/** The steps of one child's life, each from the end of the one before; absent steps are left out. */
function childSteps(child: ChildTimings): Step[] {
  const steps: Step[] = [];
  let at = child.spawnedAt;
  const step = (label: string, end: number | undefined) => {
    if (end === undefined) return;
    steps.push({ label, ms: end - at });
    at = end;
  };
  const { phases } = child;
  step('child start: cgroup, sandbox, Node', phases['process-start']);
  step("child's modules (labkit, executor, engines' code)", phases['modules-loaded']);
  step('waiting for the run (the engines start meanwhile)', phases['run-received']);
  step('SES lockdown, learner compartment', phases['sandbox-ready']);
  step('database start (PGlite, sql.js)', phases['databases-ready']);
  step('loading the test files', phases['tests-loaded']);
  step('compiling the lab code', phases['lab-compiled']);
  step('loading the lab code', child.labLoadedAt);
  const byFile = Object.entries(child.testFiles);
  const fileOf = (id: string) => byFile.find(([, ids]) => ids.includes(id))?.[0] ?? 'other tests';
  const perFile = new Map<string, { ms: number; count: number }>();
  child.tests.forEach((test, i) => {
    // A test's time runs to the next one's start, so the reset after it counts too; the first's from the lab's loading.
    const end = child.tests[i + 1]?.startedAt ?? child.doneAt ?? test.endedAt;
    if (end === undefined) return;
    const file = perFile.get(fileOf(test.id)) ?? { ms: 0, count: 0 };
    file.ms += end - (i === 0 ? at : test.startedAt);
    file.count += 1;
    perFile.set(fileOf(test.id), file);
  });
  for (const [file, { ms, count }] of perFile) steps.push({ label: `${file} (${count} test${count === 1 ? '' : 's'}, with the resets)`, ms });
  at = child.doneAt ?? child.tests.at(-1)?.endedAt ?? at;
  step('stopping the child', child.closedAt);
  return steps;
}

/**
 * The breakdown as text: the grader's own start (from `processStart`, the grading process's
 * start, to the first child), then each child's steps, then the total.
 */
export function formatTimings(processStart: number, children: ChildTimings[], end = epochNow()): string {
  const lines: string[] = ['Where the time went:'];
  const row = (label: string, ms: number) => lines.push(`  ${label.padEnd(62)} ${`${Math.round(ms)} ms`.padStart(9)}`);
  const first = children[0];
  row("grader start: Node, the grader's modules, reading the lab", (first?.spawnedAt ?? end) - processStart);
  children.forEach((child, i) => {
    if (children.length > 1) lines.push(`  child ${i + 1} of ${children.length}${i > 0 ? ' (the run went on in a fresh process)' : ''}`);
    for (const { label, ms } of childSteps(child)) row(label, ms);
  });
  const last = children.at(-1)?.closedAt ?? children.at(-1)?.doneAt;
  if (last !== undefined) row('grader end: the report', end - last);
  row('total', end - processStart);
  return `${lines.join('\n')}\n`;
}
