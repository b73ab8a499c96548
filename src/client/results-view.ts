/**
 * The results panel: every test of the lab grouped under its task, filled in as verdicts
 * stream from the runner, with the total on top and the seed the run used. Only reads
 * RunProgress and LabResult. What concerns the whole run is said once, at the top: a file
 * that does not compile (with a link to the place), a loop that was stopped (with its function
 * and line), tests stopped at their time limit. A "fault seed N" in a message is a button that
 * runs again with N; a failing test offers its task's hints, one at a time.
 */
import type { RunProgress } from '../runner/index.ts';
import type { LabTask } from '../schemas/lab-manifest.ts';
import type { LabResult, PlannedTest, TestOutcome } from '../schemas/lab-result.ts';
import { nextHintLabel, type LabHints } from './lab-hints.ts';

const LABEL: Record<TestOutcome['status'] | 'queued' | 'running', string> = {
  queued: 'waiting',
  running: 'running',
  pass: 'passed',
  fail: 'failed',
  error: 'error',
  timeout: 'timed out',
};

/** The seed a run used, and whether the learner typed it (else it was drawn at random). */
export interface RunSeed {
  seed: number;
  typed: boolean;
}

/** A run of some tests only ("Run this task", "Rerun failed"): the other rows keep their last verdicts. */
export interface PartialRun {
  /** The tests run; empty when they are not known yet (a task run before any other run). */
  ids: readonly string[];
  /** The task run, by number, for a task run before any other run showed which tests it has. */
  task?: number;
  /** What was run, for the total line: "the 3 tests of task 2". */
  what: string;
}

export interface ResultsActions {
  /** A press on a message's seed (the workbench puts it in the Seed field and runs again). */
  replaySeed?(seed: number): void;
  /** "Run this task" on a task's heading. */
  runTask?(task: number): void;
  /** A link to a place in a file (a compile error, a stopped loop). */
  goTo?(file: string, line: number, column: number): void;
  hints?: LabHints;
}

type CompileError = NonNullable<LabResult['compileErrors']>[number];

/** "fault seed 42" in a failure's message (withSeed's note). */
const FAULT_SEED = /\b(fault seed )(\d{1,10})\b/gi;

export class ResultsView {
  private readonly root: HTMLElement;
  private readonly tasks: LabTask[];
  private readonly actions: ResultsActions;
  private rows = new Map<string, HTMLElement>();
  private plan: PlannedTest[] = [];
  private partial: PartialRun | undefined;
  private compileErrors: CompileError[] = [];
  private running = false;

  constructor(root: HTMLElement, tasks: LabTask[], actions: ResultsActions = {}) {
    this.root = root;
    this.tasks = tasks;
    this.actions = actions;
    actions.hints?.onChange((task) => this.renderHints(task));
    // Before any run, the page lists the tasks, each with its own Run this task.
    for (const button of root.querySelectorAll<HTMLButtonElement>('[data-run-task]')) {
      button.addEventListener('click', () => this.actions.runTask?.(Number(button.dataset.runTask)));
      button.disabled = !actions.runTask;
    }
  }

  /** A new run begins: `partial` when it runs only some tests and the other rows stay as they are. */
  start(partial?: PartialRun): void {
    this.running = true;
    this.compileErrors = [];
    this.root.querySelectorAll('.results-banner, .results-notice, .results-problem, .results-seed').forEach((n) => n.remove());
    const keepRows = partial !== undefined && partial.ids.length > 0 && partial.ids.every((id) => this.rows.has(id));
    this.partial = keepRows || partial?.task !== undefined ? partial : undefined;
    if (this.partial && !this.firstTaskRun) {
      for (const [id, row] of this.rows) {
        if (this.partial.ids.includes(id)) {
          delete row.dataset.earlier;
          this.setStatus(id, 'queued');
        } else row.dataset.earlier = '';
      }
      this.total().textContent = `Running ${this.partial.what}…`;
      this.setTaskButtonsDisabled(true);
      return;
    }
    this.root.replaceChildren(el('p', 'results-total', this.firstTaskRun ? `Running ${partial!.what}…` : 'Running the tests…'));
    this.rows.clear();
    this.plan = [];
  }

  /** A task run before any other: its plan comes with the run, and the other tasks are not run yet. */
  private get firstTaskRun(): boolean {
    return this.partial?.task !== undefined;
  }

  update(progress: RunProgress): void {
    if (progress.type === 'plan') {
      if (!this.partial || (this.firstTaskRun && this.plan.length === 0)) this.showPlan(progress.tests);
    } else if (progress.type === 'test-start') this.setStatus(progress.id, 'running');
    else if (progress.type === 'test-end') this.showOutcome(progress.id, progress.outcome);
    else if (progress.type === 'compile-error') this.addCompileError(progress);
    else this.showNotice(progress.message);
  }

  /** `seed`: the seed this run used, when the page chose it (absent for a result from elsewhere, such as the full environment). */
  finish(result: LabResult, seed?: RunSeed): void {
    this.running = false;
    // The final result is authoritative: redraw from it, so what stays on screen is exactly it.
    if ((!this.partial || this.firstTaskRun) && this.plan.length === 0 && result.tests.length > 0) this.showPlan(result.tests.map((t) => ({ ...t, timeoutMs: 0 })));
    for (const test of result.tests) this.showOutcome(test.id, test);
    for (const error of result.compileErrors ?? []) this.addCompileError(error);
    this.root.querySelectorAll('.results-notice').forEach((n) => n.remove());

    const total = this.total();
    if (this.partial) {
      const earned = this.sum((t) => (this.rows.get(t.id)?.dataset.status === 'pass' ? t.points : 0));
      total.replaceChildren(
        el('strong', '', `${earned} / ${this.sum((t) => t.points)} points`),
        document.createTextNode(` · ran ${this.partial.what}: ${passedOf(result)}; ${this.firstTaskRun ? 'the other tasks have not been run yet' : 'the other rows are from earlier runs'}`),
      );
    } else {
      total.replaceChildren(el('strong', '', `${result.score} / ${result.maxScore} points`), document.createTextNode(` · ${summary(result)}`));
    }
    total.dataset.status = result.status;
    // Below the total, in this order: what stopped the run, the stopped tests, the seed.
    const after: HTMLElement[] = [];
    if (result.message) after.push(el('p', 'results-problem', result.message));
    after.push(...this.stopSummaries(result));
    if (seed) {
      const line = el('p', 'results-seed');
      line.dataset.seed = String(seed.seed);
      line.append(
        'Seed ',
        el('strong', '', String(seed.seed)),
        seed.typed ? ' (from the Seed field).' : ' (drawn at random; type it in the Seed field to run the same fault schedules again).',
      );
      after.push(line);
    }
    (this.root.querySelector('.results-banner:last-of-type') ?? total).after(...after);
    this.setTaskButtonsDisabled(false);
  }

  /** The ids of the tests that did not pass in what is on screen now. */
  failedIds(): string[] {
    return [...this.rows].filter(([, row]) => row.dataset.status !== 'pass' && row.dataset.status !== 'queued').map(([id]) => id);
  }

  /** The ids of a task's tests, once a run has shown them. */
  idsOfTask(task: number): string[] {
    return this.plan.filter((t) => t.task === task).map((t) => t.id);
  }

  private total(): HTMLElement {
    let total = this.root.querySelector<HTMLElement>('.results-total');
    if (!total) {
      total = el('p', 'results-total');
      this.root.prepend(total);
    }
    return total;
  }

  private sum(points: (test: PlannedTest) => number): number {
    return this.plan.reduce((s, t) => s + points(t), 0);
  }

  private showPlan(tests: PlannedTest[]): void {
    this.plan = tests;
    this.rows.clear();
    const total = el('p', 'results-total', `0 / ${tests.reduce((s, t) => s + t.points, 0)} points so far`);
    const groups = this.tasks
      .filter((task) => tests.some((t) => t.task === task.number))
      .map((task) => {
        const section = el('section', 'results-task');
        section.dataset.task = String(task.number);
        const header = el('header');
        header.append(el('h3', '', `Task ${task.number}: ${task.title}`));
        if (this.actions.runTask) {
          const run = el('button', 'course-button small', 'Run this task');
          run.type = 'button';
          run.dataset.runTask = String(task.number);
          // The name starts with what the button shows (WCAG 2.5.3), then says which task.
          run.setAttribute('aria-label', `Run this task, task ${task.number}`);
          run.disabled = this.running;
          run.addEventListener('click', () => this.actions.runTask?.(task.number));
          header.append(run);
        }
        section.append(header);
        const list = el('ul', 'results-tests');
        for (const test of tests.filter((t) => t.task === task.number)) {
          const row = el('li', 'results-test');
          row.dataset.testId = test.id;
          row.dataset.task = String(task.number);
          row.append(el('span', 'results-status', ''), el('span', 'results-name', test.name), el('span', 'results-points', `– / ${test.points}`));
          this.rows.set(test.id, row);
          list.append(row);
          this.setStatus(test.id, 'queued');
        }
        section.append(list);
        return section;
      });
    this.root.replaceChildren(total, ...this.root.querySelectorAll('.results-banner, .results-notice'), ...groups);
    if (this.firstTaskRun && this.partial) {
      total.textContent = `Running ${this.partial.what}…`;
      for (const test of tests) {
        if (test.task === this.partial.task) continue;
        const row = this.rows.get(test.id)!;
        row.dataset.earlier = '';
        row.dataset.notRun = '';
        row.querySelector('.results-status')!.textContent = 'not run yet';
      }
    }
  }

  private setStatus(id: string, status: keyof typeof LABEL): void {
    const row = this.rows.get(id);
    if (!row) return;
    row.dataset.status = status;
    delete row.dataset.notRun;
    row.querySelector('.results-status')!.textContent = LABEL[status];
  }

  private showOutcome(id: string, outcome: TestOutcome): void {
    const row = this.rows.get(id);
    const test = this.plan.find((t) => t.id === id);
    if (!row || !test) return;
    this.setStatus(id, outcome.status);
    delete row.dataset.earlier;
    // Not run (a file it needs does not compile, the run was stopped): said as such, not as an error of the test.
    if (outcome.status !== 'pass' && (outcome.blockedBy || /^Not run\b/.test(outcome.message))) {
      row.dataset.notRun = '';
      row.querySelector('.results-status')!.textContent = 'not run';
    }
    const earned = outcome.status === 'pass' ? test.points : 0;
    row.querySelector('.results-points')!.textContent = `${earned} / ${test.points}`;
    row.querySelectorAll('.results-message, .results-output, .results-hints').forEach((n) => n.remove());
    if (outcome.status !== 'pass' && outcome.message) row.append(this.message(outcome.message));
    if (outcome.output) {
      const details = el('details', 'results-output');
      details.append(el('summary', '', 'What the test printed'), el('pre', '', outcome.output));
      row.append(details);
    }
    if (outcome.status !== 'pass' && row.dataset.notRun === undefined) this.addHints(row, test.task);
    if (!this.partial) {
      const total = this.root.querySelector('.results-total');
      const earnedSoFar = this.sum((t) => (this.rows.get(t.id)?.dataset.status === 'pass' ? t.points : 0));
      if (total && this.running) total.textContent = `${earnedSoFar} / ${this.sum((t) => t.points)} points so far`;
    }
  }

  /** While a run goes on, the latest notice only: each replaces the one before. */
  private showNotice(message: string): void {
    let notice = this.root.querySelector('.results-notice');
    if (!notice) {
      notice = el('p', 'results-notice');
      this.total().after(notice);
    }
    notice.textContent = message;
  }

  /** One banner per file that does not compile: where, what the compiler said, and a link to the place. */
  private addCompileError(error: CompileError): void {
    if (this.compileErrors.some((e) => e.file === error.file)) return;
    this.compileErrors.push(error);
    const banner = el('div', 'results-banner');
    banner.setAttribute('role', 'alert');
    banner.dataset.compileError = error.file;
    const where = error.line ? `${error.file}, line ${error.line}, column ${error.column ?? 1}` : error.file;
    banner.append(el('h3', '', `${error.file} does not compile`), el('pre', '', `${where}: ${error.message}`));
    if (error.line && this.actions.goTo) {
      const link = el('button', 'results-link', `Go to line ${error.line} of ${error.file}`);
      link.type = 'button';
      link.dataset.goTo = `${error.file}:${error.line}:${error.column ?? 1}`;
      link.addEventListener('click', () => this.actions.goTo?.(error.file, error.line!, error.column ?? 1));
      banner.append(link);
    }
    banner.append(el('p', 'results-banner-note', 'The tests that need this file are listed as not run; fix this first, then run again.'));
    const previous = this.root.querySelectorAll('.results-banner');
    (previous[previous.length - 1] ?? this.total()).after(banner);
  }

  /** What stopped tests have in common, once: a loop (named, with a link to it) or the time limit. */
  private stopSummaries(result: LabResult): HTMLElement[] {
    const summaries: HTMLElement[] = [];
    const loops = new Map<string, { where: NonNullable<TestOutcome['stoppedIn']>; tests: string[] }>();
    const timedOut: string[] = [];
    for (const test of result.tests) {
      if (test.stoppedIn) {
        const key = `${test.stoppedIn.file}:${test.stoppedIn.line}`;
        const entry = loops.get(key) ?? { where: test.stoppedIn, tests: [] };
        entry.tests.push(test.name);
        loops.set(key, entry);
      } else if (test.status === 'timeout') timedOut.push(test.name);
    }
    for (const { where, tests } of loops.values()) {
      const box = el('div', 'results-banner');
      box.dataset.stoppedLoop = `${where.file}:${where.line}`;
      box.append(
        el('h3', '', `A loop that did not end: ${placeOf(where.function)}, ${where.file} line ${where.line}`),
        el('p', '', `It was stopped in ${tests.length === 1 ? `the test "${tests[0]}"` : `${tests.length} tests, first in "${tests[0]}"`}. Look at the loop's condition: what should make it false?`),
      );
      if (this.actions.goTo) {
        const link = el('button', 'results-link', `Go to line ${where.line} of ${where.file}`);
        link.type = 'button';
        link.addEventListener('click', () => this.actions.goTo?.(where.file, where.line, 1));
        box.append(link);
      }
      summaries.push(box);
    }
    if (timedOut.length > 0) {
      const names = timedOut.map((n) => `"${n}"`).join(', ');
      summaries.push(
        el('p', 'results-notice', `${timedOut.length === 1 ? `The test ${names} was` : `${timedOut.length} tests were`} stopped at the time limit${timedOut.length === 1 ? '' : `: ${names}`}. Look for a promise that is never resolved or awaited, or a loop that never ends.`),
      );
    }
    return summaries;
  }

  /** A failing row's hints: those of its task seen so far, and a button for the next. */
  private addHints(row: HTMLElement, task: number): void {
    const hints = this.actions.hints;
    if (!hints || hints.count(task) === 0) return;
    const box = el('div', 'results-hints');
    box.dataset.hintsTask = String(task);
    row.append(box);
    this.fillHints(box, task);
  }

  private renderHints(task: number): void {
    this.root.querySelectorAll<HTMLElement>(`.results-hints[data-hints-task="${task}"]`).forEach((box) => this.fillHints(box, task));
  }

  private fillHints(box: HTMLElement, task: number): void {
    const hints = this.actions.hints!;
    const shown = hints.shown(task);
    const children: HTMLElement[] = [];
    if (shown.length > 0) {
      const list = el('ol');
      for (const hint of shown) list.append(el('li', '', hint));
      children.push(list);
    }
    const button = el('button', 'course-button small', `${nextHintLabel(shown.length, hints.count(task))}, task ${task}`);
    button.type = 'button';
    button.disabled = shown.length >= hints.count(task);
    button.addEventListener('click', () => {
      if (!hints.revealNext(task)) return;
      // The row was redrawn: focus its newest hint, so the keyboard user reads it next.
      const item = box.querySelector<HTMLElement>('li:last-child');
      if (item) {
        item.tabIndex = -1;
        item.focus();
      }
    });
    children.push(button);
    box.replaceChildren(...children);
  }

  private setTaskButtonsDisabled(disabled: boolean): void {
    this.root.querySelectorAll<HTMLButtonElement>('[data-run-task]').forEach((b) => (b.disabled = disabled));
  }

  /** A failure's message as text, each "fault seed N" with N as a button that runs again with that seed. */
  private message(text: string): HTMLElement {
    const block = el('pre', 'results-message');
    let at = 0;
    for (const match of text.matchAll(FAULT_SEED)) {
      const seed = Number(match[2]);
      const start = match.index + match[1]!.length;
      if (!this.actions.replaySeed || seed >= 2 ** 32) continue;
      block.append(text.slice(at, start));
      const button = el('button', 'results-seed-link', match[2]);
      button.type = 'button';
      button.dataset.seed = match[2];
      button.setAttribute('aria-label', `Run again with seed ${seed}`);
      button.title = `Put ${seed} in the Seed field and run the tests again`;
      button.addEventListener('click', () => this.actions.replaySeed?.(seed));
      block.append(button);
      at = start + match[2]!.length;
    }
    block.append(text.slice(at));
    return block;
  }
}

/** "in append()", "at the top level", "in an anonymous function": where the loop guard found the loop. */
function placeOf(fn: string): string {
  if (fn === 'top level') return 'at the top level';
  return /^[\w$.#]+$/.test(fn) ? `in ${fn}()` : `in ${fn}`;
}

function passedOf(result: LabResult): string {
  const passed = result.tests.filter((t) => t.status === 'pass').length;
  return `${passed} of ${result.tests.length} passed`;
}

function summary(result: LabResult): string {
  const passed = result.tests.filter((t) => t.status === 'pass').length;
  if (result.status === 'error') return 'could not be graded';
  if (result.status === 'pass') return `all ${passed} tests passed`;
  return `${passed} of ${result.tests.length} tests passed`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
