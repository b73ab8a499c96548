/**
 * The "full environment" panel of a lab page: the lab as an npm project in a WebContainer, with
 * a terminal and a preview of the lab's services. The lab page imports this module only when the
 * learner presses "Open full environment", and this module imports xterm (and the runner imports
 * @webcontainer/api) only then too.
 *
 * The editor's files stay the source of truth: the container gets a copy at start and every save
 * after that, and switching back and forth never touches the editor or the saved work. When the
 * environment cannot start, the panel says why and what to try, and Run keeps using the worker.
 */
import type { FileMap, LabBundle } from '../labs/bundle.ts';
import { createRunner, StartError, webContainerSupport, type LabRunner, type ShellTerminal, type StartStep, type WebContainerRunner } from '../runner/index.ts';
import type { LabResult } from '../schemas/lab-result.ts';
import { START_STEPS, stepStates } from './full-environment-steps.ts';
// A URL, not a CSS import: Astro would inline an imported stylesheet into every lab page's head.
import xtermCssUrl from '@xterm/xterm/css/xterm.css?url';

/** What the panel needs from the lab page's workbench. */
export interface WorkbenchHost {
  readonly bundle: LabBundle;
  /** The learner's files as the editor has them now. */
  currentFiles(): FileMap;
  /** Run tests with `runner` from now on; `undefined` means the in-page (worker) runner. */
  useRunner(runner: LabRunner | undefined): void;
  /** Shows a result that did not come from the Run button (a run typed in the terminal). */
  showResult(result: LabResult): void;
  /** Hears every save of the learner's files. */
  onSave(listener: (files: FileMap) => void): void;
}

type State = 'closed' | 'starting' | 'in-use' | 'failed';

export class FullEnvironment {
  private readonly host: WorkbenchHost;
  private readonly root: HTMLElement;
  private readonly runtimeUrl: string;
  private readonly timeoutMs: number | undefined;
  private runner: WebContainerRunner | undefined;
  private state: State = 'closed';
  /** Whether the learner wants the full environment (opened it and did not go back). */
  private wanted = false;
  private lastStep: StartStep | undefined;
  private readonly ports = new Map<number, string>();
  private terminal: ShellTerminal | undefined;

  /** `bootTimeoutMs`: how long the boot may take; the runner's default when undefined. */
  constructor(host: WorkbenchHost, root: HTMLElement, options: { runtimeUrl: string; bootTimeoutMs: number | undefined }) {
    this.host = host;
    this.root = root;
    this.runtimeUrl = options.runtimeUrl;
    this.timeoutMs = options.bootTimeoutMs;
    this.part('back').addEventListener('click', () => this.back());
    this.part('reload').addEventListener('click', () => location.reload());
    this.part<HTMLSelectElement>('port').addEventListener('change', () => this.showPort(Number(this.part<HTMLSelectElement>('port').value)));
  }

  /** Opens the panel; the first time, starts the environment. */
  async open(): Promise<void> {
    this.wanted = true;
    this.root.hidden = false;
    this.root.scrollIntoView({ block: 'nearest' });
    if (this.state !== 'closed') return;
    if (this.runner?.ready) {
      this.use();
      return;
    }
    const support = webContainerSupport();
    if (!support.ok) {
      this.fail(support.reason, support.tryThis);
      return;
    }
    this.state = 'starting';
    this.root.dataset.state = 'starting';
    try {
      const terminal = await this.createTerminal();
      this.terminal = terminal;
      const runner = await createRunner('webcontainer', {
        runtimeUrl: this.runtimeUrl,
        terminal,
        ...(this.timeoutMs === undefined ? {} : { bootTimeoutMs: this.timeoutMs }),
        onStep: (step) => this.showStep(step),
        onServerReady: (port, url) => this.addPort(port, url),
        onPortClosed: (port) => this.removePort(port),
        onResultFromTerminal: (result) => this.host.showResult(result),
      });
      this.runner = runner;
      this.host.onSave((files) => void runner.writeFiles(files).catch((error: Error) => terminal.write(`\r\nCould not save into the environment: ${error.message}\r\n`)));
      await runner.prepare(this.host.bundle, this.host.currentFiles());
      // Edits made while it was installing reach the container now.
      await runner.writeFiles(this.host.currentFiles());
      await runner.attachShell(terminal);
      this.state = 'closed';
      this.root.dataset.state = 'ready';
      // The learner may have gone back to the in-page runner while it started.
      if (this.wanted) this.use();
    } catch (error) {
      const tryThis = error instanceof StartError ? error.tryThis : 'Reload the page to try again. Your work is saved in this browser.';
      this.fail(error instanceof StartError ? error.message : `The full environment could not start (${(error as Error).message}).`, tryThis);
    }
  }

  /** Back to the in-page runner; the container keeps running for when the learner returns. */
  back(): void {
    this.wanted = false;
    this.host.useRunner(undefined);
    if (this.state === 'in-use') this.state = 'closed';
    this.part('status').textContent = '';
    this.root.hidden = true;
    this.root.dispatchEvent(new CustomEvent('full-environment-closed', { bubbles: true }));
  }

  dispose(): void {
    this.runner?.dispose();
  }

  private use(): void {
    this.state = 'in-use';
    this.root.dataset.state = 'ready';
    this.host.useRunner(this.runner);
    this.part('status').textContent = 'Run tests now runs the tests here, in the full environment. Your files are copied in each time you save.';
  }

  private fail(reason: string, tryThis: string): void {
    this.state = 'failed';
    this.root.dataset.state = 'failed';
    this.host.useRunner(undefined);
    // Unsupported browsers never start a step; the others show the step that failed.
    if (this.lastStep) this.showStep(this.lastStep, true);
    const notice = this.part('notice');
    notice.replaceChildren(el('strong', reason), el('span', ` ${tryThis}`), el('span', ' Meanwhile, Run tests keeps working in this page.'));
    notice.hidden = false;
    this.terminal?.write(`\r\n\x1b[31m${reason}\x1b[0m\r\n${tryThis}\r\n`);
    this.part('reload').hidden = false;
    this.part('status').textContent = '';
  }

  private showStep(step: StartStep, failed = false): void {
    this.lastStep = step;
    const states = stepStates(step, failed);
    const list = this.part('steps');
    list.hidden = false;
    list.replaceChildren(
      ...START_STEPS.map(({ id, label }) => {
        const item = el('li', label);
        item.dataset.state = states[id];
        if (states[id] === 'active') item.setAttribute('aria-current', 'step');
        return item;
      }),
    );
  }

  private async createTerminal(): Promise<ShellTerminal> {
    const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), loadStylesheet(xtermCssUrl)]);
    const host = this.part('terminal');
    host.hidden = false;
    const terminal = new Terminal({ fontSize: 13, rows: 16, cursorBlink: true, scrollback: 5000 });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(host);
    fit.fit();
    new ResizeObserver(() => fit.fit()).observe(host);
    return terminal;
  }

  private addPort(port: number, url: string): void {
    this.ports.set(port, url);
    this.renderPorts();
    if (this.previewFrame().hidden) this.showPort(port);
  }

  private removePort(port: number): void {
    this.ports.delete(port);
    this.renderPorts();
    const frame = this.previewFrame();
    if (Number(frame.dataset.port) !== port) return;
    const next = [...this.ports.keys()][0];
    if (next === undefined) {
      frame.hidden = true;
      frame.removeAttribute('src');
      this.part('preview-empty').hidden = false;
    } else {
      this.showPort(next);
    }
  }

  private renderPorts(): void {
    const select = this.part<HTMLSelectElement>('port');
    const chosen = select.value;
    select.replaceChildren(
      ...[...this.ports.keys()]
        .sort((a, b) => a - b)
        .map((port) => {
          const option = el('option', `Port ${port}`) as HTMLOptionElement;
          option.value = String(port);
          return option;
        }),
    );
    if (this.ports.has(Number(chosen))) select.value = chosen;
    // A choice only when there is one to make.
    this.part('port-label').hidden = this.ports.size < 2;
  }

  /**
   * The preview comes from WebContainer's own origin. This page is cross-origin isolated with
   * COEP require-corp, chosen over credentialless because Safari only has require-corp and the
   * site loads nothing cross-origin that would need a CORP header. Under require-corp a framed
   * document must itself send COEP and CORP: WebContainer serves its previews that way when booted
   * with `coep: 'require-corp'`, as the runner does. The iframe's allow="cross-origin-isolated"
   * (previewFrame()) lets the previewed page be isolated too, as WebContainer's examples do; the
   * `credentialless` iframe attribute is Chromium-only and not needed with matching headers.
   */
  private showPort(port: number): void {
    const url = this.ports.get(port);
    if (!url) return;
    const frame = this.previewFrame();
    frame.src = `${url.replace(/\/$/, '')}/_labkit`;
    frame.dataset.port = String(port);
    frame.title = `The service on port ${port}: its endpoints`;
    frame.hidden = false;
    this.part('preview-empty').hidden = true;
    this.part<HTMLSelectElement>('port').value = String(port);
  }

  /**
   * Made on first use, not in the page's HTML: an iframe there, even empty and hidden, costs the
   * lab page a document of its own on every load.
   */
  private previewFrame(): HTMLIFrameElement {
    const existing = this.root.querySelector<HTMLIFrameElement>('iframe[data-fe="preview"]');
    if (existing) return existing;
    const frame = document.createElement('iframe');
    frame.dataset.fe = 'preview';
    frame.title = 'Service preview';
    frame.allow = 'cross-origin-isolated';
    frame.hidden = true;
    this.part('preview-empty').after(frame);
    return frame;
  }

  private part<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.root.querySelector<T>(`[data-fe="${name}"]`)!;
  }
}

function loadStylesheet(href: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.onload = () => resolve();
    link.onerror = () => reject(new Error('the terminal\'s stylesheet did not load'));
    document.head.append(link);
  });
}

function el(tag: string, text: string): HTMLElement {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}
