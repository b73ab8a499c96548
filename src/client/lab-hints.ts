/**
 * How many hints of each task the learner has seen, per lab, kept in this browser: hints come
 * one at a time, from the Hints part of the instructions or from a failing test's row, and a
 * hint once seen stays shown in both places.
 */
import type { LabTask } from '../schemas/lab-manifest.ts';

export class LabHints {
  private readonly key: string;
  private readonly tasks: LabTask[];
  private seen: Record<number, number>;
  private readonly listeners: ((task: number) => void)[] = [];

  constructor(labId: string, tasks: LabTask[]) {
    this.key = `lab-hints:${labId}`;
    this.tasks = tasks;
    this.seen = this.read();
  }

  /** The hints of `task` the learner has seen, in order. */
  shown(task: number): string[] {
    const hints = this.hintsOf(task);
    return hints.slice(0, Math.min(hints.length, this.seen[task] ?? 0));
  }

  count(task: number): number {
    return this.hintsOf(task).length;
  }

  /** Shows the next hint of `task`; false when there is none left. */
  revealNext(task: number): boolean {
    const seen = this.seen[task] ?? 0;
    if (seen >= this.count(task)) return false;
    this.seen = { ...this.seen, [task]: seen + 1 };
    this.write();
    for (const listener of this.listeners) listener(task);
    return true;
  }

  onChange(listener: (task: number) => void): void {
    this.listeners.push(listener);
  }

  /** Connects the Hints part of the instructions (components/lab/LabHints.astro). */
  attach(section: HTMLElement): void {
    const render = (task: number) => {
      const box = section.querySelector<HTMLElement>(`[data-hint-task="${task}"]`);
      if (!box) return;
      const shown = this.shown(task).length;
      box.querySelectorAll<HTMLElement>('li').forEach((item, i) => {
        item.hidden = i >= shown;
        // Focus moves to a hint as it appears, so a keyboard or screen reader user reads it next.
        item.tabIndex = -1;
      });
      const next = box.querySelector<HTMLButtonElement>('[data-hint-next]')!;
      next.textContent = nextHintLabel(shown, this.count(task));
      next.disabled = shown >= this.count(task);
    };
    section.addEventListener('click', (event) => {
      const next = (event.target as HTMLElement).closest<HTMLElement>('[data-hint-next]');
      if (!next) return;
      const task = Number(next.dataset.hintNext);
      if (this.revealNext(task)) section.querySelector<HTMLElement>(`[data-hint-task="${task}"] li:not([hidden]):last-of-type`)?.focus();
    });
    for (const task of this.tasks) render(task.number);
    this.onChange(render);
  }

  private hintsOf(task: number): string[] {
    return this.tasks.find((t) => t.number === task)?.hints ?? [];
  }

  private read(): Record<number, number> {
    try {
      const value = JSON.parse(localStorage.getItem(this.key) ?? '{}') as unknown;
      return value && typeof value === 'object' ? (value as Record<number, number>) : {};
    } catch {
      // Unreadable or no storage: no hint seen yet.
      return {};
    }
  }

  private write(): void {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.seen));
    } catch {
      // Without storage the hints seen last until the page is left.
    }
  }
}

export function nextHintLabel(shown: number, total: number): string {
  if (shown >= total) return total === 1 ? 'That was the only hint' : `All ${total} hints shown`;
  return shown === 0 ? `Show a hint (1 of ${total})` : `Next hint (${shown + 1} of ${total})`;
}
