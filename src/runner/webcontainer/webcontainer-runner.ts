/**
 * The WebContainer runner: the lab as an npm project in StackBlitz's in-browser Node, with a
 * shell for the learner and the lab's services reachable in a preview. Optional: the worker
 * runner stays the default, and this one is only started when the learner asks for it.
 *
 * `@webcontainer/api` is imported dynamically in `start()`, so a lab page ships none of it until
 * then. WebContainer can boot once per page, and offline its `boot()` neither resolves nor
 * rejects (see MEASURED.md), so the boot is raced against a time limit and never retried on the
 * same page: a second `boot()` would hang behind the first.
 */
import type { WebContainer, WebContainerProcess } from '@webcontainer/api';
import type { FileMap, LabBundle } from '../../labs/bundle.ts';
import type { LabResult } from '../../schemas/lab-result.ts';
import type { LabRunner, RunOptions, RunProgress } from '../lab-runner.ts';
import { NOT_RUN_STOPPED, RUN_STOPPED, STOPPED_BY_YOU } from '../driver.ts';
import { buildProjectFiles, RESULT_PATH, toFileSystemTree, type ContainerRuntime } from './project-tree.ts';
import { parseLabResult } from './result-file.ts';
import { PROGRESS_PATH, readProgressLog, resultFromProgress } from './run-log.ts';
import { CURRENT_BROWSER, StartError } from './support.ts';

/** How long `WebContainer.boot()` may take before the page gives up on it. */
export const DEFAULT_BOOT_TIMEOUT_MS = 45_000;
/** `npm install` downloads the database engines (a few MB); a slow connection gets this long. */
export const DEFAULT_INSTALL_TIMEOUT_MS = 180_000;
/** Added to the lab's own run limit: `npm test` also starts Node and loads the engines. */
const RUN_SLACK_MS = 30_000;

/** The steps of getting the environment ready, in order; the panel shows them to the learner. */
export type StartStep = 'boot' | 'install' | 'ready';

/** Settles like `promise`, or rejects with `onTimeout()` after `ms`; the promise itself is left running. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} seconds`;
}

/** Where terminal output goes; the page's xterm in practice. */
export interface TerminalSink {
  write(data: string): void;
}

/** A terminal the shell is attached to: output in, keystrokes out, and its size. */
export interface ShellTerminal extends TerminalSink {
  readonly cols: number;
  readonly rows: number;
  onData(listener: (data: string) => void): { dispose(): void };
  onResize(listener: (size: { cols: number; rows: number }) => void): { dispose(): void };
}

export interface WebContainerRunnerOptions {
  /** The site's `webcontainer/runtime.json` (a ContainerRuntime). */
  runtimeUrl: string;
  /** Where npm's and the tests' output is shown. */
  terminal: TerminalSink;
  bootTimeoutMs?: number;
  installTimeoutMs?: number;
  /** How long one `npm test` may take; by default the lab's run limit plus time to start Node. */
  runTimeoutMs?: number;
  onStep?: (step: StartStep) => void;
  /** A service answers on `port`, at `url` (WebContainer's preview address for it). */
  onServerReady?: (port: number, url: string) => void;
  onPortClosed?: (port: number) => void;
  /** `npm test` typed in the terminal wrote a new result (runs from `run()` are not reported here). */
  onResultFromTerminal?: (result: LabResult) => void;
  /** How the API module is loaded; tests pass a fake. */
  loadApi?: LoadApi;
}

type LoadApi = () => Promise<{ WebContainer: Pick<typeof WebContainer, 'boot'> }>;
const loadRealApi: LoadApi = () => import('@webcontainer/api');

/**
 * One boot per page (per API module, so each unit test's fake gets its own): later runners reuse
 * it, or learn at once that it timed out.
 */
const boots = new WeakMap<LoadApi, { booting: Promise<WebContainer>; timedOut: boolean }>();

export class WebContainerRunner implements LabRunner {
  readonly runtime = 'webcontainer' as const;
  private readonly options: WebContainerRunnerOptions;
  private container: WebContainer | undefined;
  private shell: WebContainerProcess | undefined;
  private readonly written = new Map<string, string>();
  private readonly cleanups: (() => void)[] = [];
  private running = false;
  private lastResultText = '';

  constructor(options: WebContainerRunnerOptions) {
    this.options = options;
  }

  get ready(): boolean {
    return this.container !== undefined;
  }

  /**
   * Boots the container, mounts the lab with the learner's current files and installs the
   * packages. Rejects with a StartError that says what to try; the page keeps its worker runner.
   */
  async prepare(bundle: LabBundle, learnerFiles: FileMap): Promise<void> {
    const { terminal, onStep } = this.options;
    onStep?.('boot');
    terminal.write('Starting the environment (it downloads from StackBlitz)…\r\n');
    // The runtime comes from this site, the boot from StackBlitz: both at once, boot errors first.
    const runtime = this.fetchRuntime();
    runtime.catch(() => undefined);
    const container = await this.boot();
    const project = buildProjectFiles(bundle, learnerFiles, await runtime);
    await container.mount(toFileSystemTree(project));
    for (const path of bundle.manifest.files.editable) this.written.set(path, project[path]!);

    onStep?.('install');
    terminal.write('$ npm install\r\n');
    const install = await container.spawn('npm', ['install']);
    void this.pipe(install);
    const code = await withTimeout(install.exit, this.options.installTimeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS, () => {
      install.kill();
      return new StartError('Installing the packages took too long.', 'Check your connection, then reload the page to try again. Your work is saved in this browser.');
    });
    if (code !== 0) {
      throw new StartError(`Installing the packages failed (npm install exited with code ${code}; the terminal shows why).`, 'Check your connection, then reload the page to try again. Your work is saved in this browser.');
    }
    this.listen(container);
    this.container = container;
    onStep?.('ready');
    terminal.write('\r\nReady. `npm test` runs the tests, `npm start` starts the services.\r\n');
  }

  /** Attaches an interactive shell (jsh) to `terminal`, sized to it and resized with it. */
  async attachShell(terminal: ShellTerminal): Promise<void> {
    const container = this.requireContainer();
    const shell = await container.spawn('jsh', { terminal: { cols: terminal.cols, rows: terminal.rows } });
    this.shell = shell;
    void shell.output.pipeTo(new WritableStream({ write: (data) => terminal.write(data) })).catch(() => undefined);
    const input = shell.input.getWriter();
    const typing = terminal.onData((data) => void input.write(data).catch(() => undefined));
    const resizing = terminal.onResize((size) => shell.resize(size));
    this.cleanups.push(() => {
      typing.dispose();
      resizing.dispose();
      shell.kill();
    });
  }

  /** Writes the learner's saved files into the container; unchanged files are skipped. Before boot, a no-op. */
  async writeFiles(files: FileMap): Promise<void> {
    const container = this.container;
    if (!container) return;
    for (const [path, text] of Object.entries(files)) {
      if (this.written.get(path) === text) continue;
      await container.fs.writeFile(path, text);
      this.written.set(path, text);
    }
  }

  /** One saved file, as the editor saves it. */
  writeFile(path: string, text: string): Promise<void> {
    return this.writeFiles({ [path]: text });
  }

  /**
   * Runs `npm test` in the container (with `--seed` when given) and returns the LabResult it
   * wrote. A run stopped at its time limit, or one that wrote no readable result, still returns
   * the verdicts its progress log recorded, with the reason for the rest.
   */
  async run(bundle: LabBundle, learnerFiles: FileMap, onProgress?: (progress: RunProgress) => void, options: RunOptions = {}): Promise<LabResult> {
    const container = this.requireContainer();
    const { terminal } = this.options;
    const started = performance.now();
    this.running = true;
    const following = this.followProgress(container, onProgress);
    try {
      await this.writeFiles(learnerFiles);
      // A result or a log left from an earlier run must not pass for this one.
      await container.fs.rm(RESULT_PATH, { force: true });
      await container.fs.rm(PROGRESS_PATH, { force: true });
      const flags = [
        ...(options.seed === undefined ? [] : ['--seed', String(options.seed)]),
        ...(options.only ? ['--only', options.only.join(',')] : []),
        ...(options.tasks && !options.only ? ['--task', options.tasks.join(',')] : []),
      ];
      const args = ['test', ...(flags.length > 0 ? ['--', ...flags] : [])];
      terminal.write(`\r\n$ npm ${args.join(' ')}\r\n`);
      const { signal } = options;
      if (signal?.aborted) return await this.stoppedResult(container, bundle, started);
      const test = await container.spawn('npm', args);
      void this.pipe(test);
      const limit = this.options.runTimeoutMs ?? bundle.manifest.limits.runTimeoutMs + RUN_SLACK_MS;
      let code: number;
      let onAbort: (() => void) | undefined;
      const stopped = new Promise<never>((_resolve, reject) => {
        onAbort = () => {
          test.kill();
          reject(new Error(RUN_STOPPED));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      stopped.catch(() => undefined);
      try {
        code = await withTimeout(Promise.race([test.exit, stopped]), limit, () => {
          test.kill();
          return new Error(`The tests did not finish within ${seconds(limit)} in the full environment, so they were stopped. Run them again, or go back to the in-page runner.`);
        });
      } catch (error) {
        if (signal?.aborted) return await this.stoppedResult(container, bundle, started);
        return await this.resultFromLog(container, bundle, (error as Error).message, started);
      } finally {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      }
      let text: string;
      try {
        text = await container.fs.readFile(RESULT_PATH, 'utf-8');
      } catch {
        return await this.resultFromLog(container, bundle, `npm test ended (exit code ${code}) without writing a result; the terminal shows what happened.`, started);
      }
      this.lastResultText = text;
      try {
        return parseLabResult(text);
      } catch (error) {
        return await this.resultFromLog(container, bundle, (error as Error).message, started);
      }
    } finally {
      await following.stop();
      this.running = false;
    }
  }

  /**
   * The verdicts `npm test` logged before the learner stopped it; the test it was running was
   * stopped by the learner, as in the other runtimes, and the rest were not run.
   */
  private async stoppedResult(container: WebContainer, bundle: LabBundle, started: number): Promise<LabResult> {
    const result = await this.resultFromLog(container, bundle, NOT_RUN_STOPPED, started, STOPPED_BY_YOU);
    return { ...result, message: RUN_STOPPED };
  }

  private async resultFromLog(container: WebContainer, bundle: LabBundle, problem: string, started: number, whileRunning?: string): Promise<LabResult> {
    const log = await container.fs.readFile(PROGRESS_PATH, 'utf-8').catch(() => '');
    return resultFromProgress(bundle, readProgressLog(log), problem, performance.now() - started, whileRunning);
  }

  /** Passes each new event of the progress log to `onProgress` while a run goes. */
  private followProgress(container: WebContainer, onProgress: ((progress: RunProgress) => void) | undefined): { stop(): Promise<void> } {
    if (!onProgress) return { stop: async () => undefined };
    const dir = PROGRESS_PATH.slice(0, PROGRESS_PATH.lastIndexOf('/'));
    const name = PROGRESS_PATH.slice(dir.length + 1);
    let seen = 0;
    let reading = Promise.resolve();
    const watcher = container.fs.watch(dir, (_event, filename) => {
      if (String(filename) !== name) return;
      // One read at a time, so events come out once each and in order.
      reading = reading.then(async () => {
        const events = readProgressLog(await container.fs.readFile(PROGRESS_PATH, 'utf-8').catch(() => ''));
        for (const event of events.slice(seen)) onProgress(event);
        seen = Math.max(seen, events.length);
      }).catch(() => undefined);
    });
    // Reads already under way finish first, so no event arrives after the run's result.
    return {
      stop: async () => {
        watcher.close();
        await reading;
      },
    };
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    // The container stays booted: WebContainer boots once per page, and a page reload frees it.
  }

  private boot(): Promise<WebContainer> {
    const reload = 'Check your connection (a firewall or an ad blocker may block stackblitz.com), then reload the page to try again. Your work is saved in this browser.';
    const loadApi = this.options.loadApi ?? loadRealApi;
    let boot = boots.get(loadApi);
    // A boot that timed out may still be pending, and a second boot() would queue behind it.
    if (boot?.timedOut) return Promise.reject(new StartError('The full environment did not start earlier on this page, and it cannot be started twice on one page.', reload));
    if (!boot) {
      const booting = (async () => {
        const api = await loadApi().catch(() => {
          throw new StartError('The full environment could not be loaded from this site.', 'Check your connection and reload the page.');
        });
        // The page is served with COEP require-corp (astro.config.mjs, public/_headers, vercel.json);
        // WebContainer must know, so it serves the preview with matching headers.
        return api.WebContainer.boot({ coep: 'require-corp', workdirName: 'lab' });
      })();
      boot = { booting, timedOut: false };
      boots.set(loadApi, boot);
    }
    const state = boot;
    const limit = this.options.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
    return withTimeout(state.booting, limit, () => {
      state.timedOut = true;
      return new StartError(`The full environment did not start within ${seconds(limit)}. It downloads from StackBlitz, which this browser could not reach in time.`, reload);
    }).catch((error: Error) => {
      if (error instanceof StartError) throw error;
      throw new StartError(`The full environment could not start (${error.message}).`, `${CURRENT_BROWSER} Then reload the page to try again.`);
    });
  }

  private async fetchRuntime(): Promise<ContainerRuntime> {
    const broken = (why: string) => new StartError(`The full environment's files could not be loaded from this site (${why}).`, 'Reload the page to try again.');
    let response: Response;
    try {
      response = await fetch(this.options.runtimeUrl);
    } catch (error) {
      throw broken((error as Error).message);
    }
    if (!response.ok) throw broken(`HTTP ${response.status}`);
    const runtime = (await response.json()) as ContainerRuntime;
    if (typeof runtime?.files !== 'object' || typeof runtime?.dependencies !== 'object') throw broken('not a runtime description');
    return runtime;
  }

  /** Copies a process's output to the terminal until it ends. */
  private pipe(proc: WebContainerProcess): Promise<void> {
    const { terminal } = this.options;
    return proc.output.pipeTo(new WritableStream({ write: (data) => terminal.write(data) })).catch(() => undefined);
  }

  private listen(container: WebContainer): void {
    const { onServerReady, onPortClosed, onResultFromTerminal } = this.options;
    this.cleanups.push(container.on('server-ready', (port, url) => onServerReady?.(port, url)));
    this.cleanups.push(
      container.on('port', (port, type) => {
        if (type === 'close') onPortClosed?.(port);
      }),
    );
    if (!onResultFromTerminal) return;
    // `npm test` typed in the terminal writes the same file; show that result too. Runs started
    // by run() are shown by the page already, so they are skipped here (same text, or in flight).
    const resultDir = RESULT_PATH.slice(0, RESULT_PATH.lastIndexOf('/'));
    const resultName = RESULT_PATH.slice(resultDir.length + 1);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watcher = container.fs.watch(resultDir, (_event, filename) => {
      if (String(filename) !== resultName || this.running) return;
      clearTimeout(timer);
      // The runner writes the file in one go; a short pause lets the write finish.
      timer = setTimeout(() => {
        void container.fs.readFile(RESULT_PATH, 'utf-8').then(
          (text) => {
            if (this.running || text === this.lastResultText) return;
            this.lastResultText = text;
            try {
              onResultFromTerminal(parseLabResult(text));
            } catch (error) {
              this.options.terminal.write(`\r\n${(error as Error).message}\r\n`);
            }
          },
          () => undefined,
        );
      }, 200);
    });
    this.cleanups.push(() => {
      clearTimeout(timer);
      watcher.close();
    });
  }

  private requireContainer(): WebContainer {
    if (!this.container) throw new Error('the full environment is not ready yet.');
    return this.container;
  }
}
