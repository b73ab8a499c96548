/**
 * <lab-workbench>: the interactive half of a lab page. It restores the learner's files,
 * loads the editor lazily, saves every edit, and runs the tests through a LabRunner. It knows
 * runners only through that interface and results only as LabResult.
 */
import type { FileMap, LabBundle } from '../labs/bundle.ts';
import { createRunner, type LabRunner, type RunProgress } from '../runner/index.ts';
import { buildLabResult, type LabResult, type PlannedTest, type TestOutcome } from '../schemas/lab-result.ts';
import { MAX_SEED, parseSeed } from '../schemas/run-seed.ts';
import type { LabEditor } from './editor.ts';
import type { FullEnvironment, WorkbenchHost } from './full-environment.ts';
import { bootTimeoutFrom } from './full-environment-steps.ts';
import { browserProgress } from './progress.ts';
import { ResultsView, type RunSeed } from './results-view.ts';
import { backUpWork, loadBackup, loadWork, saveWork } from './saved-work.ts';

const SAVE_DELAY_MS = 300;

class LabWorkbench extends HTMLElement implements WorkbenchHost {
  bundle!: LabBundle;
  private files: FileMap = {};
  /** The in-page runner, the default; created (and its engines warmed) as the page opens. */
  private workerRunner!: Promise<LabRunner>;
  /** A runner the learner chose instead (the full environment), while it is in use. */
  private chosenRunner: LabRunner | undefined;
  private fullEnvironment: Promise<FullEnvironment> | undefined;
  private readonly saveListeners: ((files: FileMap) => void)[] = [];
  private editor: LabEditor | undefined;
  private results!: ResultsView;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  /** The file the editor shows, so "Show solution" shows that file's solution. */
  private currentPath = '';
  /** The solution's editable files once fetched (after the learner confirmed). */
  private solution: FileMap | undefined;
  /** The result of the last run, for tools that read the page (the benchmark, the browser tests). */
  lastResult: LabResult | undefined;

  connectedCallback(): void {
    this.bundle = JSON.parse(this.querySelector('script[data-lab-bundle]')!.textContent!) as LabBundle;
    const { manifest } = this.bundle;
    this.workerRunner = createRunner('worker', { pgSnapshotUrl: this.dataset.pgSnapshotUrl!, databases: manifest.databases });
    // A failure to warm up shows on the first run, with its reason, like any other.
    this.workerRunner.then((runner) => runner.prepare?.(this.bundle, this.currentFiles())).catch(() => undefined);
    this.useRunner(undefined);
    this.results = new ResultsView(this.region('results'), manifest.tasks, (seed) => this.replaySeed(seed));
    this.region('run').addEventListener('click', () => void this.run());
    const seedField = this.region<HTMLInputElement>('seed');
    seedField.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') void this.run();
    });
    seedField.addEventListener('input', () => seedField.removeAttribute('aria-invalid'));
    this.region('reset').addEventListener('click', () => void this.resetToStarter());
    this.region('restore').addEventListener('click', () => void this.restoreBackup());
    this.region('full-env-open').addEventListener('click', () => void this.openFullEnvironment());
    this.region('download').addEventListener('click', () => void this.downloadWork());
    // A class build has no solution: neither the button nor the panel is on the page.
    this.region('show-solution')?.addEventListener('click', () => void this.showSolution());
    this.region('hide-solution')?.addEventListener('click', () => (this.region('solution').hidden = true));
    window.addEventListener('pagehide', () => this.flushSave());
    void this.start();
  }

  disconnectedCallback(): void {
    this.flushSave();
    void this.workerRunner.then((runner) => runner.dispose());
    void this.fullEnvironment?.then((env) => env.dispose());
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
  }

  /** Loaded on the first press only, so a lab page ships none of it (nor xterm, nor WebContainer) before. */
  private async openFullEnvironment(): Promise<void> {
    const button = this.region<HTMLButtonElement>('full-env-open');
    button.hidden = true;
    this.fullEnvironment ??= import('./full-environment.ts').then(({ FullEnvironment }) => {
      const panel = this.region('full-env');
      panel.addEventListener('full-environment-closed', () => (button.hidden = false));
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
      this.notify(`The full environment could not be loaded (${(error as Error).message}). Reload the page to try again; Run tests keeps working here.`);
    }
  }

  private async start(): Promise<void> {
    const { manifest } = this.bundle;
    this.files = Object.fromEntries(manifest.files.editable.map((p) => [p, this.bundle.starter[p]!]));
    this.currentPath = manifest.files.editable[0]!;
    try {
      const loaded = await loadWork(manifest.id);
      if (loaded.kind === 'saved') {
        Object.assign(this.files, pickEditable(loaded.work.files, manifest.files.editable));
        if (loaded.work.labVersion !== manifest.version) {
          this.notify('This lab was updated since you last worked on it. Your files were kept; the tests may have changed.');
        }
      } else if (loaded.kind === 'unreadable') {
        this.notify(`Your saved work for this lab could not be read, so the starter code is shown. The unreadable copy was kept in this browser (IndexedDB key "${loaded.keptAs}").`);
      }
      this.region('restore').hidden = (await loadBackup(manifest.id)) === undefined;
    } catch (error) {
      this.notify(`Your work cannot be saved in this browser (${(error as Error).message}). Edits last until you leave the page.`);
    }
    this.setAttribute('data-ready', '');
    this.region<HTMLButtonElement>('run').disabled = false;
    await this.loadEditor();
  }

  private async loadEditor(): Promise<void> {
    const { manifest } = this.bundle;
    const host = this.region('editor');
    try {
      const { createEditor } = await import('./editor.ts');
      const tabs = [
        ...manifest.files.editable.map((path) => ({ path, text: this.files[path]!, readOnly: false })),
        ...manifest.files.readonly.map((path) => ({ path, text: this.bundle.starter[path]!, readOnly: true })),
        ...manifest.tests.map((path) => ({ path, text: this.bundle.tests[path]!, readOnly: true })),
      ];
      host.replaceChildren();
      const isDark = () => document.documentElement.dataset.theme === 'dark';
      this.editor = createEditor(host, tabs, isDark());
      new MutationObserver(() => this.editor?.setTheme(isDark())).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
      this.editor.onChange((path, text) => {
        this.files[path] = text;
        this.scheduleSave();
      });
      this.renderTabs(tabs);
      this.setAttribute('data-editor-ready', '');
    } catch (error) {
      host.textContent = `The editor could not be loaded (${(error as Error).message}). Reload the page to try again; your saved work is safe.`;
    }
  }

  private renderTabs(tabs: { path: string; readOnly: boolean }[]): void {
    const list = this.region('tabs');
    const buttons = tabs.map((tab, i) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('role', 'tab');
      button.setAttribute('aria-selected', String(i === 0));
      button.dataset.path = tab.path;
      button.textContent = tab.path.replace(/^src\//, '');
      if (tab.readOnly) {
        button.classList.add('read-only');
        button.title = `${tab.path} (read-only)`;
      }
      button.addEventListener('click', () => {
        list.querySelectorAll('[role=tab]').forEach((t) => t.setAttribute('aria-selected', String(t === button)));
        this.editor?.show(tab.path);
        this.currentPath = tab.path;
        this.renderSolution();
      });
      return button;
    });
    // The learner's files come first; the files to read (given code, the tests) follow, smaller.
    const firstReadOnly = tabs.findIndex((t) => t.readOnly);
    const label = document.createElement('span');
    label.className = 'wb-tabs-label';
    label.textContent = 'Read only:';
    if (firstReadOnly >= 0) buttons.splice(firstReadOnly, 0, label as unknown as HTMLButtonElement);
    list.replaceChildren(...buttons);
  }

  /** A seed from a failure's message: into the Seed field, and run again with it. */
  private replaySeed(seed: number): void {
    if (this.running) return;
    this.region<HTMLInputElement>('seed').value = String(seed);
    void this.run();
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

  private async run(): Promise<void> {
    if (this.running) return;
    const seed = this.seedForRun();
    if (!seed) return;
    this.running = true;
    const button = this.region<HTMLButtonElement>('run');
    button.disabled = true;
    button.textContent = 'Running…';
    this.removeAttribute('data-last-status');
    this.flushSave();
    this.results.start();
    // What the run reported so far, so that a run that fails outright still shows its verdicts.
    const heard = { plan: [] as PlannedTest[], outcomes: new Map<string, TestOutcome>() };
    const onProgress = (progress: RunProgress) => {
      if (progress.type === 'plan') heard.plan = progress.tests;
      if (progress.type === 'test-end') heard.outcomes.set(progress.id, progress.outcome);
      this.results.update(progress);
    };
    const started = performance.now();
    const runner = this.chosenRunner ?? (await this.workerRunner.catch(() => undefined));
    try {
      if (!runner) throw new Error('the in-page runner could not be loaded; reload the page to try again');
      const result = await runner.run(this.bundle, { ...this.files }, onProgress, { seed: seed.seed });
      this.lastResult = result;
      this.results.finish(result, seed);
      this.setAttribute('data-last-seed', String(seed.seed));
      if (result.status !== 'error') this.recordProgress(result);
      this.setAttribute('data-last-status', result.status);
    } catch (error) {
      const { manifest } = this.bundle;
      const problem = `The tests could not be run: ${(error as Error).message}`;
      const result = buildLabResult({ labId: manifest.id, labVersion: manifest.version, runtime: runner?.runtime ?? 'worker', plan: heard.plan, outcomes: heard.outcomes, problem, durationMs: performance.now() - started });
      this.lastResult = result;
      this.results.finish(result);
      this.setAttribute('data-last-status', result.status);
    } finally {
      this.running = false;
      button.disabled = false;
      button.textContent = 'Run tests';
    }
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

  private async showSolution(): Promise<void> {
    const url = this.dataset.solutionUrl;
    if (!url) return;
    if (!this.solution) {
      if (!confirm('Try it yourself first: the tests and the hints show the way, and you learn most by getting there. Show the reference solution anyway?')) return;
      try {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        this.solution = ((await response.json()) as { files: FileMap }).files;
      } catch (error) {
        this.notify(`The solution could not be loaded (${(error as Error).message}).`);
        return;
      }
    }
    this.region('solution').hidden = false;
    this.renderSolution();
  }

  /** The solution of the file in the editor, read-only, beside the learner's own (the editor above). */
  private renderSolution(): void {
    const panel = this.querySelector<HTMLElement>('[data-part="solution"]');
    if (!panel || panel.hidden || !this.solution) return;
    const text = this.solution[this.currentPath];
    this.region('solution-title').textContent = text === undefined ? 'Reference solution' : `Reference solution: ${this.currentPath}`;
    this.region('solution-text').textContent =
      text ?? `${this.currentPath} is not one of your files; it is the same in the solution. Open one of your files to see its solution.`;
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
    if (!confirm('Replace your files with the starter code? Your current work is kept as a backup you can restore.')) return;
    await backUpWork(manifest.id, manifest.version, { ...this.files });
    this.replaceFiles(Object.fromEntries(manifest.files.editable.map((p) => [p, this.bundle.starter[p]!])));
    this.region('restore').hidden = false;
    this.notify('The starter code is back. "Restore my work" brings back what you had.');
  }

  private async restoreBackup(): Promise<void> {
    const backup = await loadBackup(this.bundle.manifest.id);
    if (!backup) return;
    this.replaceFiles(pickEditable(backup.files, this.bundle.manifest.files.editable));
    this.notify('Your work from before the reset is back.');
  }

  private replaceFiles(files: FileMap): void {
    Object.assign(this.files, files);
    for (const [path, text] of Object.entries(files)) this.editor?.setText(path, text);
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
      (error: Error) => this.notify(`Saving failed (${error.message}); keep this tab open or copy your code elsewhere.`),
    );
  }

  private notify(message: string): void {
    const notice = document.createElement('p');
    notice.className = 'wb-notice';
    notice.textContent = message;
    this.region('notices').append(notice);
  }

  private region<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.querySelector<T>(`[data-part="${name}"]`)!;
  }
}

function pickEditable(files: FileMap, editable: string[]): FileMap {
  return Object.fromEntries(editable.filter((p) => typeof files[p] === 'string').map((p) => [p, files[p]!]));
}

customElements.define('lab-workbench', LabWorkbench);
