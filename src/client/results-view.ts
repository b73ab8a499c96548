/**
 * The results panel: every test of the lab grouped under its task, filled in as verdicts
 * stream from the runner, with the total on top and the seed the run used. Only reads
 * RunProgress and LabResult. A "fault seed N" in a message is a button that runs again with N.
 */
import type { RunProgress } from '../runner/index.ts';
import type { LabTask } from '../schemas/lab-manifest.ts';
import type { LabResult, PlannedTest, TestOutcome } from '../schemas/lab-result.ts';

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

/** "fault seed 42" in a failure's message (withSeed's note). */
const FAULT_SEED = /\b(fault seed )(\d{1,10})\b/gi;

export class ResultsView {
  private readonly root: HTMLElement;
  private readonly tasks: LabTask[];
  private readonly onReplaySeed: ((seed: number) => void) | undefined;
  private rows = new Map<string, HTMLElement>();
  private plan: PlannedTest[] = [];
  private earned = 0;

  /** `onReplaySeed`: what a press on a message's seed does (the workbench puts it in the Seed field and runs again). */
  constructor(root: HTMLElement, tasks: LabTask[], onReplaySeed?: (seed: number) => void) {
    this.root = root;
    this.tasks = tasks;
    this.onReplaySeed = onReplaySeed;
  }

  start(): void {
    this.root.replaceChildren(el('p', 'results-total', 'Running the tests…'));
    this.rows.clear();
    this.plan = [];
    this.earned = 0;
  }

  update(progress: RunProgress): void {
    if (progress.type === 'plan') this.showPlan(progress.tests);
    else if (progress.type === 'test-start') this.setStatus(progress.id, 'running');
    else if (progress.type === 'test-end') this.showOutcome(progress.id, progress.outcome);
    else this.root.prepend(el('p', 'results-notice', progress.message));
  }

  /** `seed`: the seed this run used, when the page chose it (absent for a result from elsewhere, such as the full environment). */
  finish(result: LabResult, seed?: RunSeed): void {
    // The final result is authoritative: redraw from it, so what stays on screen is exactly it.
    if (this.plan.length === 0 && result.tests.length > 0) this.showPlan(result.tests.map((t) => ({ ...t, timeoutMs: 0 })));
    for (const test of result.tests) {
      if (this.rows.get(test.id)?.dataset.status !== test.status) this.showOutcome(test.id, test);
    }
    const total = this.root.querySelector<HTMLElement>('.results-total')!;
    total.replaceChildren(el('strong', '', `${result.score} / ${result.maxScore} points`), document.createTextNode(` · ${summary(result)}`));
    total.dataset.status = result.status;
    if (result.message) total.after(el('p', 'results-problem', result.message));
    if (seed) {
      const line = el('p', 'results-seed');
      line.dataset.seed = String(seed.seed);
      line.append(
        'Seed ',
        el('strong', '', String(seed.seed)),
        seed.typed ? ' (from the Seed field).' : ' (drawn at random; type it in the Seed field to run the same fault schedules again).',
      );
      total.after(line);
    }
  }

  private showPlan(tests: PlannedTest[]): void {
    this.plan = tests;
    const total = el('p', 'results-total', `0 / ${tests.reduce((s, t) => s + t.points, 0)} points so far`);
    const groups = this.tasks
      .filter((task) => tests.some((t) => t.task === task.number))
      .map((task) => {
        const section = el('section', 'results-task');
        section.append(el('h3', '', `Task ${task.number}: ${task.title}`));
        const list = el('ul', 'results-tests');
        for (const test of tests.filter((t) => t.task === task.number)) {
          const row = el('li', 'results-test');
          row.dataset.testId = test.id;
          row.append(el('span', 'results-status', ''), el('span', 'results-name', test.name), el('span', 'results-points', `– / ${test.points}`));
          this.rows.set(test.id, row);
          list.append(row);
          this.setStatus(test.id, 'queued');
        }
        section.append(list);
        return section;
      });
    this.root.replaceChildren(total, ...this.root.querySelectorAll('.results-notice'), ...groups);
  }

  private setStatus(id: string, status: keyof typeof LABEL): void {
    const row = this.rows.get(id);
    if (!row) return;
    row.dataset.status = status;
    row.querySelector('.results-status')!.textContent = LABEL[status];
  }

  private showOutcome(id: string, outcome: TestOutcome): void {
    const row = this.rows.get(id);
    const test = this.plan.find((t) => t.id === id);
    if (!row || !test) return;
    this.setStatus(id, outcome.status);
    const earned = outcome.status === 'pass' ? test.points : 0;
    row.querySelector('.results-points')!.textContent = `${earned} / ${test.points}`;
    row.querySelectorAll('.results-message, .results-output').forEach((n) => n.remove());
    if (outcome.status !== 'pass' && outcome.message) row.append(this.message(outcome.message));
    if (outcome.output) {
      const details = el('details', 'results-output');
      details.append(el('summary', '', 'What the test printed'), el('pre', '', outcome.output));
      row.append(details);
    }
    this.earned = this.plan.reduce((sum, t) => sum + (this.rows.get(t.id)?.dataset.status === 'pass' ? t.points : 0), 0);
    const total = this.root.querySelector('.results-total');
    if (total) total.textContent = `${this.earned} / ${this.plan.reduce((s, t) => s + t.points, 0)} points so far`;
  }

  /** A failure's message as text, each "fault seed N" with N as a button that runs again with that seed. */
  private message(text: string): HTMLElement {
    const block = el('pre', 'results-message');
    let at = 0;
    for (const match of text.matchAll(FAULT_SEED)) {
      const seed = Number(match[2]);
      const start = match.index + match[1]!.length;
      if (!this.onReplaySeed || seed >= 2 ** 32) continue;
      block.append(text.slice(at, start));
      const button = el('button', 'results-seed-link', match[2]);
      button.type = 'button';
      button.dataset.seed = match[2];
      button.setAttribute('aria-label', `Run again with seed ${seed}`);
      button.title = `Put ${seed} in the Seed field and run the tests again`;
      button.addEventListener('click', () => this.onReplaySeed?.(seed));
      block.append(button);
      at = start + match[2]!.length;
    }
    block.append(text.slice(at));
    return block;
  }
}

function summary(result: LabResult): string {
  const passed = result.tests.filter((t) => t.status === 'pass').length;
  if (result.status === 'error') return 'could not be graded';
  if (result.status === 'pass') return `all ${passed} tests passed`;
  return `${passed} of ${result.tests.length} tests passed`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
