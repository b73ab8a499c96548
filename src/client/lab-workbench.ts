/**
 * <lab-workbench>: the interactive half of a lab page. It restores the learner's files,
 * loads the editor and the engines once the page is idle, saves every edit, and runs the tests
 * through a LabRunner: all of them, one task's, or the failed ones again, with a Stop button
 * while they run. It knows runners only through that interface and results only as LabResult.
 */
import type { FileMap, LabBundle } from '../labs/bundle.ts';
import { createRunner, type LabRunner, type RunProgress } from '../runner/index.ts';
import type { LabResult, PlannedTest, TestOutcome } from '../schemas/lab-result.ts';
import { MAX_SEED, parseSeed } from '../schemas/run-seed.ts';
import { askToConfirm } from './dialog.ts';
import type { DiffView, LabEditor } from './editor.ts';
import { FileTabs } from './file-tabs.ts';
import type { FullEnvironment, WorkbenchHost } from './full-environment.ts';
import { bootTimeoutFrom } from './full-environment-steps.ts';
import { PANE_SHOWN, showPane } from './lab-layout.ts';
import { LabHints } from './lab-hints.ts';
import { browserProgress } from './progress.ts';
import { ResultsView, type PartialRun, type RunSeed } from './results-view.ts';
import { backUpWork, loadBackup, loadWork, saveWork } from './saved-work.ts';
import { setUpTabs } from './tabs.ts';
import { whenIdle, whenTouched } from './when-idle.ts';

const SAVE_DELAY_MS = 300;

/** What a press runs: every test, one task's, or those that did not pass last time. */
type RunScope = { kind: 'all' } | { kind: 'task'; task: number } | { kind: 'failed' };

class LabWorkbench extends HTMLElement implements WorkbenchHost {
  bundle!: LabBundle;
  private files: FileMap = {};
  /** The in-page runner, the default; created (and its engines warmed) once the page is idle. */
  private workerRunner: Promise<LabRunner> | undefined;
  /** A runner the learner chose instead (the full environment), while it is in use. */
  private chosenRunner: LabRunner | undefined;
  private fullEnvironment: Promise<FullEnvironment> | undefined;
  private readonly saveListeners: ((files: FileMap) => void)[] = [];
  private editor: LabEditor | undefined;
  private editorLoading: Promise<void> | undefined;
  private fileTabs: FileTabs | undefined;
  private results!: ResultsView;
  private hints!: LabHints;
  private sideTabs!: { select(tab: HTMLButtonElement): void };
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** The run going on, to stop it. */
  private running: AbortController | undefined;
  /** The solution's editable files once fetched (after the learner confirmed). */
  private solution: FileMap | undefined;
  private diffView: Promise<DiffView> | undefined;
  /** The result of the last run, for tools that read the page (the benchmark, the browser tests). */
  lastResult: LabResult | undefined;

  connectedCallback(): void {
    this.bundle = JSON.parse(this.querySelector('script[data-lab-bundle]')!.textContent!) as LabBundle;
    const { manifest } = this.bundle;
    this.useRunner(undefined);
    this.hints = new LabHints(manifest.id, manifest.tasks);
    const hintsSection = document.querySelector<HTMLElement>('[data-part="hints"]');
    if (hintsSection) this.hints.attach(hintsSection);
    this.results = new ResultsView(this.region('results'), manifest.tasks, {
      replaySeed: (seed) => this.replaySeed(seed),
      runTask: (task) => void this.run({ kind: 'task', task }),
      goTo: (file, line, column) => void this.goTo(file, line, column),
      hints: this.hints,
    });
    this.sideTabs = setUpTabs(this.querySelector('.wb-side-tabs')!, (tab) => {
      for (const panel of this.querySelectorAll<HTMLElement>('[data-side-panel]')) panel.hidden = panel.dataset.sidePanel !== tab.dataset.side;
    });
    this.region('run').addEventListener('click', () => void this.run({ kind: 'all' }));
    this.region('stop').addEventListener('click', () => this.running?.abort());
    this.region('rerun-failed').addEventListener('click', () => void this.run({ kind: 'failed' }));
    const seedField = this.region<HTMLInputElement>('seed');
    seedField.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') void this.run({ kind: 'all' });
    });
    seedField.addEventListener('input', () => seedField.removeAttribute('aria-invalid'));
    this.region('reset').addEventListener('click', () => void this.resetToStarter());
    this.region('restore').addEventListener('click', () => void this.restoreBackup());
    this.region('full-env-open').addEventListener('click', () => void this.openFullEnvironment());
    this.region('download').addEventListener('click', () => void this.downloadWork());
    // A class build has no solution: neither the button nor the panel is on the page.
    this.region('compare-open')?.addEventListener('click', () => void this.openComparison());
    this.region('compare-close')?.addEventListener('click', () => this.closeComparison());
    this.region<HTMLSelectElement>('compare-file')?.addEventListener('change', (event) => void this.showComparison((event.target as HTMLSelectElement).value));
    window.addEventListener('pagehide', () => this.flushSave());
    void this.start();
  }

  disconnectedCallback(): void {
    this.flushSave();
    void this.workerRunner?.then((runner) => runner.dispose());
    void this.fullEnvironment?.then((env) => env.dispose());
    void this.diffView?.then((view) => view.dispose());
    this.editor?.dispose();
  }

  /** The learner's files as they are now: the editor's copy is the source of truth. */
  currentFiles(): FileMap {
    return { ...this.files };
  }

  /** Runs the tests with `runner` from now on; `undefined` is the in-page (worker) runner. */
  useRunner(runner: LabRunner | undefined): void {
    this.chosenRunner = runner;
    this.dataset.runtime = runner?.runtime ?? 'worker';
  }

  onSave(listener: (files: FileMap) => void): void {
    this.saveListeners.push(listener);
  }

  showResult(result: LabResult): void {
    this.lastResult = result;
    this.results.start();
    this.results.finish(result);
    if (result.status !== 'error') this.recordProgress(result);
    this.setAttribute('data-last-status', result.status);
    this.updateRerunButton();
  }

  /** Loaded on the first press only, so a lab page ships none of it (nor xterm, nor WebContainer) before. */
  private async openFullEnvironment(): Promise<void> {
    const button = this.region<HTMLButtonElement>('full-env-open');
    const tab = this.querySelector<HTMLButtonElement>('[data-side="terminal"]')!;
    button.hidden = true;
    this.showTerminalTab(true);
    this.sideTabs.select(tab);
    showPane(this, 'results');
    this.fullEnvironment ??= import('./full-environment.ts').then(({ FullEnvironment }) => {
      const panel = this.region('full-env');
      panel.addEventListener('full-environment-closed', () => {
        button.hidden = false;
        this.showTerminalTab(false);
      });
      return new FullEnvironment(this, panel, {
        runtimeUrl: this.dataset.wcRuntimeUrl!,
        bootTimeoutMs: bootTimeoutFrom(location.search, this.dataset.wcBootTimeoutMs),
      });
    });
    try {
      await (await this.fullEnvironment).open();
    } catch (error) {
      this.fullEnvironment = undefined;
      button.hidden = false;
      this.showTerminalTab(false);
      this.notify(`The full environment could not be loaded (${(error as Error).message}). Reload the page to try again; Run tests keeps working here.`);
    }
  }

  /** The Results / Terminal tabs exist while the full environment is open; without it there is only Results. */
  private showTerminalTab(shown: boolean): void {
    this.querySelector<HTMLButtonElement>('[data-side="terminal"]')!.hidden = !shown;
    this.region('side-tabs').hidden = !shown;
    if (!shown) this.sideTabs.select(this.querySelector<HTMLButtonElement>('[data-side="results"]')!);
  }

  private async start(): Promise<void> {
    const { manifest } = this.bundle;
    this.files = Object.fromEntries(manifest.files.editable.map((p) => [p, this.bundle.starter[p]!]));
    try {
      const loaded = await loadWork(manifest.id);
      if (loaded.kind === 'saved') {
        Object.assign(this.files, pickEditable(loaded.work.files, manifest.files.editable));
        if (loaded.work.labVersion !== manifest.version) {
          this.notify('This lab was updated since you last worked on it. Your files were kept; the tests may have changed.', 'lasting');
        }
      } else if (loaded.kind === 'unreadable') {
        this.notify(`Your saved work for this lab could not be read, so the starter code is shown. The unreadable copy was kept in this browser (IndexedDB key "${loaded.keptAs}").`, 'lasting');
      }
      this.region('restore').hidden = (await loadBackup(manifest.id)) === undefined;
    } catch (error) {
      this.notify(`Your work cannot be saved in this browser (${(error as Error).message}). Edits last until you leave the page.`, 'lasting');
    }
    // Until the editor is there, the learner reads their own first file, as saved.
    this.region('preview').textContent = this.files[manifest.files.editable[0]!]!;
    this.setAttribute('data-ready', '');
    this.region<HTMLButtonElement>('run').disabled = false;
    whenIdle(() => void this.runner());
    whenTouched(this, () => void this.loadEditor(), PANE_SHOWN);
  }

  /** The worker runner, created (and its engines loading) on first need. */
  private runner(): Promise<LabRunner> {
    if (!this.workerRunner) {
      const { manifest } = this.bundle;
      this.workerRunner = createRunner('worker', { pgSnapshotUrl: this.dataset.pgSnapshotUrl!, databases: manifest.databases });
      // A failure to warm up shows on the first run, with its reason, like any other.
      this.workerRunner.then((runner) => runner.prepare?.(this.bundle, this.currentFiles())).catch(() => undefined);
    }
    return this.workerRunner;
  }

  private loadEditor(): Promise<void> {
    this.editorLoading ??= this.createEditor();
    return this.editorLoading;
  }

  private async createEditor(): Promise<void> {
    const { manifest } = this.bundle;
    const host = this.region('editor');
    try {
      const { createEditor } = await import('./editor.ts');
      const tabs = [
        ...manifest.files.editable.map((path) => ({ path, text: this.files[path]!, readOnly: false })),
        ...manifest.files.readonly.map((path) => ({ path, text: this.bundle.starter[path]!, readOnly: true })),
        ...manifest.tests.map((path) => ({ path, text: this.bundle.tests[path]!, readOnly: true })),
      ];
      const hadFocus = host.contains(document.activeElement);
      host.replaceChildren();
      this.editor = createEditor(host, tabs, isDark());
      new MutationObserver(() => {
        this.editor?.setTheme(isDark());
        void this.diffView?.then((view) => view.setTheme(isDark()));
      }).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
      this.editor.onChange((path, text) => {
        this.files[path] = text;
        this.scheduleSave();
      });
      this.editor.onRunShortcut(() => void this.run({ kind: 'all' }));
      this.fileTabs = new FileTabs(
        this.region('files'),
        [
          ...manifest.files.editable.map((path) => ({ path, group: 'yours' as const })),
          ...manifest.files.readonly.map((path) => ({ path, group: 'read-only' as const })),
          ...manifest.tests.map((path) => ({ path, group: 'tests' as const })),
        ],
        (path) => this.editor?.show(path),
      );
      if (hadFocus) this.editor.show(manifest.files.editable[0]!);
      this.setAttribute('data-editor-ready', '');
    } catch (error) {
      const problem = document.createElement('p');
      problem.className = 'wb-notice';
      problem.textContent = `The editor could not be loaded (${(error as Error).message}). Reload the page to try again; your saved work is safe.`;
      host.replaceChildren(problem);
    }
  }

  /** A link from the results: the file, the line, the cursor there. */
  private async goTo(file: string, line: number, column: number): Promise<void> {
    showPane(this, 'code');
    this.closeComparison();
    await this.loadEditor();
    this.fileTabs?.select(file);
    this.editor?.reveal(file, line, column);
  }

  /** A seed from a failure's message: into the Seed field, and run again with it. */
  private replaySeed(seed: number): void {
    if (this.running) return;
    this.region<HTMLInputElement>('seed').value = String(seed);
    void this.run({ kind: 'all' });
  }

  /** The seed of the next run: the Seed field's, or a random one when it is empty; undefined (and said why) when it is not a seed. */
  private seedForRun(): RunSeed | undefined {
    const field = this.region<HTMLInputElement>('seed');
    const text = field.value.trim();
    if (text === '') return { seed: crypto.getRandomValues(new Uint32Array(1))[0]!, typed: false };
    const seed = parseSeed(text);
    if (seed !== undefined) return { seed, typed: true };
    field.setAttribute('aria-invalid', 'true');
    field.focus();
    this.notify(`The seed must be a whole number from 0 to ${MAX_SEED}, or empty for a random one; "${text}" is not.`);
    return undefined;
  }

  /** Which tests a scope means, and how to say it; undefined for every test. */
  private partialRun(scope: RunScope): PartialRun | undefined {
    if (scope.kind === 'task') {
      const ids = this.results.idsOfTask(scope.task);
      // Before any run the page does not know the task's tests; the runner picks them by task.
      if (ids.length === 0) return { ids, task: scope.task, what: `the tests of task ${scope.task}` };
      return { ids, what: `the ${ids.length === 1 ? 'test' : `${ids.length} tests`} of task ${scope.task}` };
    }
    if (scope.kind === 'failed') {
      const ids = this.results.failedIds();
      return { ids, what: `the ${ids.length === 1 ? 'test that' : `${ids.length} tests that`} did not pass` };
    }
    return undefined;
  }

  private async run(scope: RunScope): Promise<void> {
    if (this.running) return;
    const partial = this.partialRun(scope);
    if (partial && partial.ids.length === 0 && partial.task === undefined) return;
    const seed = this.seedForRun();
    if (!seed) return;
    const controller = new AbortController();
    this.running = controller;
    this.clearRunNotices();
    const runButton = this.region<HTMLButtonElement>('run');
    const stopButton = this.region<HTMLButtonElement>('stop');
    runButton.disabled = true;
    runButton.textContent = 'Running…';
    this.region<HTMLButtonElement>('rerun-failed').hidden = true;
    stopButton.hidden = false;
    this.removeAttribute('data-last-status');
    this.flushSave();
    this.results.start(partial);
    showPane(this, 'results');
    this.sideTabs.select(this.querySelector<HTMLButtonElement>('[data-side="results"]')!);
    // What the run reported so far, so that a run that fails outright still shows its verdicts.
    const heard = { plan: [] as PlannedTest[], outcomes: new Map<string, TestOutcome>() };
    const onProgress = (progress: RunProgress) => {
      if (progress.type === 'plan') heard.plan = progress.tests;
      if (progress.type === 'test-end') heard.outcomes.set(progress.id, progress.outcome);
      this.results.update(progress);
    };
    const started = performance.now();
    const runner = this.chosenRunner ?? (await this.runner().catch(() => undefined));
    const which = partial ? (partial.task === undefined ? { only: partial.ids } : { tasks: [partial.task] }) : {};
    const options = { seed: seed.seed, signal: controller.signal, ...which };
    try {
      if (!runner) throw new Error('the in-page runner could not be loaded; reload the page to try again');
      const result = await runner.run(this.bundle, { ...this.files }, onProgress, options);
      this.lastResult = result;
      this.results.finish(result, seed);
      this.setAttribute('data-last-seed', String(seed.seed));
      // Only a run of every test says how far the lab is done.
      if (result.status !== 'error' && !partial && !controller.signal.aborted) this.recordProgress(result);
      this.setAttribute('data-last-status', result.status);
    } catch (error) {
      const { manifest } = this.bundle;
      const problem = `The tests could not be run: ${(error as Error).message}`;
      // Loaded here only: the result schema brings zod, which the page need not parse on every load.
      const { buildLabResult } = await import('../schemas/lab-result.ts');
      const result = buildLabResult({
        labId: manifest.id,
        labVersion: manifest.version,
        runtime: runner?.runtime ?? 'worker',
        plan: partial ? heard.plan.filter((t) => (partial.task === undefined ? partial.ids.includes(t.id) : t.task === partial.task)) : heard.plan,
        outcomes: heard.outcomes,
        problem,
        durationMs: performance.now() - started,
      });
      this.lastResult = result;
      this.results.finish(result);
      this.setAttribute('data-last-status', result.status);
    } finally {
      this.running = undefined;
      stopButton.hidden = true;
      runButton.disabled = false;
      runButton.textContent = 'Run tests';
      this.updateRerunButton();
    }
  }

  private updateRerunButton(): void {
    const failed = this.results.failedIds().length;
    const button = this.region<HTMLButtonElement>('rerun-failed');
    button.hidden = failed === 0;
    button.textContent = `Rerun failed (${failed})`;
  }

  /** fflate and the zip code load on the first press only; the page's first load does not carry them. */
  private async downloadWork(): Promise<void> {
    const { manifest } = this.bundle;
    this.flushSave();
    try {
      const { downloadWork } = await import('./download-work.ts');
      downloadWork(manifest.id, manifest.version, this.currentFiles());
    } catch (error) {
      this.notify(`Your work could not be downloaded (${(error as Error).message}). It is still saved in this browser.`);
    }
  }

  /** "Compare with solution": the learner's file beside the reference, in Monaco's diff editor; nothing is replaced. */
  private async openComparison(): Promise<void> {
    const url = this.dataset.solutionUrl;
    if (!url) return;
    if (!this.solution) {
      const sure = await askToConfirm({
        title: 'Compare with the reference solution?',
        text: 'Try it yourself first: the tests and the hints show the way, and you learn most by getting there. Your files stay as they are either way.',
        confirmLabel: 'Compare anyway',
        cancelLabel: 'Keep trying',
      });
      if (!sure) return;
      try {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        this.solution = ((await response.json()) as { files: FileMap }).files;
      } catch (error) {
        this.notify(`The solution could not be loaded (${(error as Error).message}).`);
        return;
      }
    }
    const select = this.region<HTMLSelectElement>('compare-file');
    if (select.options.length === 0) {
      for (const path of this.bundle.manifest.files.editable) select.append(new Option(path, path));
    }
    this.region('compare').hidden = false;
    showPane(this, 'code');
    await this.showComparison(select.value);
    select.focus();
  }

  private async showComparison(path: string): Promise<void> {
    if (!this.solution) return;
    const host = this.region('compare-editor');
    this.diffView ??= import('./editor.ts').then(({ createDiffView }) => createDiffView(host, isDark()));
    try {
      (await this.diffView).show(path, this.files[path] ?? '', this.solution[path] ?? '');
      this.region('compare-title').textContent = `Your ${path} and the reference solution`;
    } catch (error) {
      this.diffView = undefined;
      this.notify(`The comparison could not be shown (${(error as Error).message}).`);
    }
  }

  private closeComparison(): void {
    const panel = this.querySelector<HTMLElement>('[data-part="compare"]');
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    this.region('compare-open').focus();
  }

  private recordProgress(result: LabResult): void {
    try {
      browserProgress().recordLab(result.labId, result.score, result.maxScore, result.labVersion);
    } catch {
      // Without storage the best score is not kept; the run itself is fine.
    }
  }

  private async resetToStarter(): Promise<void> {
    const { manifest } = this.bundle;
    const sure = await askToConfirm({
      title: 'Reset to the starter code?',
      text: 'Your files are replaced with the starter code. What you have now is kept as a backup, and "Restore my work" brings it back.',
      confirmLabel: 'Reset my files',
    });
    if (!sure) return;
    await backUpWork(manifest.id, manifest.version, { ...this.files });
    this.replaceFiles(Object.fromEntries(manifest.files.editable.map((p) => [p, this.bundle.starter[p]!])));
    this.region('restore').hidden = false;
    this.notify('The starter code is back. "Restore my work" brings back what you had.', 'lasting');
  }

  private async restoreBackup(): Promise<void> {
    const backup = await loadBackup(this.bundle.manifest.id);
    if (!backup) return;
    this.replaceFiles(pickEditable(backup.files, this.bundle.manifest.files.editable));
    this.notify('Your work from before the reset is back.', 'lasting');
  }

  private replaceFiles(files: FileMap): void {
    Object.assign(this.files, files);
    for (const [path, text] of Object.entries(files)) this.editor?.setText(path, text);
    if (!this.editor) this.region('preview').textContent = this.files[this.bundle.manifest.files.editable[0]!]!;
    this.flushSave();
  }

  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.flushSave(), SAVE_DELAY_MS);
  }

  private flushSave(): void {
    clearTimeout(this.saveTimer);
    const { manifest } = this.bundle;
    // Whoever else keeps a copy of the files (the full environment) gets each save.
    for (const listener of this.saveListeners) listener({ ...this.files });
    saveWork(manifest.id, manifest.version, { ...this.files }).then(
      () => this.region('saved').replaceChildren(`Saved ${new Date().toLocaleTimeString()}`),
      (error: Error) => this.notify(`Saving failed (${error.message}); keep this tab open or copy your code elsewhere.`, 'lasting'),
    );
  }

  /**
   * A notice above the results. One that concerns a run (a bad seed, a failed download) goes
   * when the next run starts; a lasting one (about the saved work) stays. Each is said once.
   */
  private notify(message: string, kind: 'run' | 'lasting' = 'run'): void {
    const region = this.region('notices');
    if ([...region.children].some((n) => n.textContent === message)) return;
    const notice = document.createElement('p');
    notice.className = 'wb-notice';
    notice.dataset.kind = kind;
    notice.textContent = message;
    region.append(notice);
  }

  private clearRunNotices(): void {
    this.region('notices').querySelectorAll('[data-kind="run"]').forEach((n) => n.remove());
  }

  private region<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.querySelector<T>(`[data-part="${name}"]`)!;
  }
}

function isDark(): boolean {
  return document.documentElement.dataset.theme === 'dark';
}

function pickEditable(files: FileMap, editable: string[]): FileMap {
  return Object.fromEntries(editable.filter((p) => typeof files[p] === 'string').map((p) => [p, files[p]!]));
}

customElements.define('lab-workbench', LabWorkbench);
