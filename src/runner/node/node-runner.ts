/**
 * The Node runner: the grader's runtime. Each attempt runs in a fresh child process with a
 * heap limit, a minimal environment and its own process group; the driver in this (parent)
 * process owns the clock, and this file owns the other limits: the child's whole memory
 * (resident set, not only the JS heap), and how much it may write to the event channel.
 *
 * On a grading machine (the default, `sandbox: true`) the child is confined (sandbox.ts), and
 * its events arrive on a pipe of their own, each line signed with a key only the executor knows
 * (channel.ts). Nothing the child prints is read: stdout and stderr go nowhere, so a flood of
 * output costs the grader nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FileMap, LabBundle } from '../../labs/bundle.ts';
import type { LabResult } from '../../schemas/lab-result.ts';
import { driveRun, type ExecutorHandle, type ExecutorPool, type RunProgress } from '../driver.ts';
import type { LabRunner, RunOptions } from '../lab-runner.ts';
import type { ExecutorEvent, RunRequest } from '../protocol.ts';
import { CHANNEL_BROKEN_EXIT, CHANNEL_BROKEN_REASON, channelReader, EVENT_FD, MAX_CHANNEL_BYTES, newChannelKey, watchChannelEnd } from './channel.ts';
import type { ChildMessage } from './child.ts';
import { ensurePgSnapshot } from './engines.ts';
import { childCgroup, type ChildCgroup } from './cgroup.ts';
import { isRunning, processTree } from './process-tree.ts';
import { recordChildTimings, type ChildTimings } from './run-timings.ts';
import { epochNow } from '../epoch-now.ts';
import { sandboxCommand, type SandboxPlan } from './sandbox.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/** The child's JavaScript heap; its whole resident memory may be more (PGlite alone is ~220 MB). */
const HEAP_MB = 512;
/** The child's whole resident memory, checked every MEMORY_POLL_MS. */
const DEFAULT_MEMORY_MB = 1024;
const MEMORY_POLL_MS = 100;
/**
 * The child's time zone: 12:45 ahead of UTC (13:45 in the southern summer), not a whole hour,
 * so code that says UTC but uses local time (getHours(), a date string without Z) fails in
 * the grader instead of passing on a machine that happens to run on UTC.
 */
export const CHILD_TIME_ZONE = 'Pacific/Chatham';

export interface NodeRunnerOptions {
  /** The child's entry module; the container's bundled runner passes its own `child.mjs`. */
  childModule?: string;
  /** What the LabResult says the tests ran in. */
  runtime?: 'node' | 'webcontainer';
  /**
   * Confine the child and sign its events (default: true for the grader). The full environment
   * (a WebContainer) runs the learner's own code for the learner, on a Node that may lack the
   * permission model, so it turns this off.
   */
  sandbox?: boolean;
  /** The cap on the child's resident memory, in MB (default 1024). */
  memoryLimitMb?: number;
  /** The seed of the lab's CI-only checks, to replay a run; a random one when absent. */
  seed?: number;
  /** Told where each child's time went, once it is gone (`npm run grade -- --timings`). */
  onChildTimings?: (timings: ChildTimings) => void;
  /**
   * Start the next child while a run goes on, so the next run (the gradebook's next
   * submission) finds one whose databases are up. Each run still gets a fresh child, confined
   * as any other, that no other run's code has touched: it was only started sooner.
   */
  prestart?: boolean;
}

/** What a child's runs learn about it: the protections it lacks, the forged lines it wrote. */
interface ChildBook {
  notes: Set<string>;
  forged: number;
}

interface StartedChild {
  handle: ExecutorHandle;
  book: ChildBook;
  /** Its lab's engines, as the child was told to start them. */
  databases: string;
  /** False once it has ended, or was stopped. */
  alive(): boolean;
}

/**
 * What the grader does when it is told to stop (Ctrl-C, a CI job cancelled, a closed terminal):
 * every live child of every NodeRunner is killed and its temporary folder removed, then the
 * process ends as the signal would have ended it (exit code 128 + the signal's number), unless
 * someone else also listens for that signal and so decides. The handlers are there only while
 * children exist.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const liveChildren = new Set<() => void>();

function onStopSignal(signal: NodeJS.Signals): void {
  for (const destroy of [...liveChildren]) destroy();
  liveChildren.clear();
  for (const name of STOP_SIGNALS) process.off(name, onStopSignal);
  if (process.listenerCount(signal) === 0) process.exit(128 + (constants.signals[signal] ?? 0));
}

function trackChild(destroy: () => void): void {
  if (liveChildren.size === 0) for (const name of STOP_SIGNALS) process.on(name, onStopSignal);
  liveChildren.add(destroy);
}

/** Cgroups whose processes were still exiting when their child closed; the grader's exit waits a little for them. */
const exitingCgroups = new Set<ChildCgroup>();
let exitHook = false;

function removeCgroupLater(cgroup: ChildCgroup, attempt = 0): void {
  if (cgroup.remove()) {
    exitingCgroups.delete(cgroup);
    return;
  }
  exitingCgroups.add(cgroup);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      const until = Date.now() + 500;
      for (const left of exitingCgroups) {
        left.kill();
        while (!left.remove() && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    });
  }
  // Past that, the next grader's probe removes it (its owner's PID is gone).
  if (attempt < 100) setTimeout(() => removeCgroupLater(cgroup, attempt + 1), 100).unref();
}

function untrackChild(destroy: () => void): void {
  if (!liveChildren.delete(destroy) || liveChildren.size > 0) return;
  for (const name of STOP_SIGNALS) process.off(name, onStopSignal);
}

/**
 * A child lives a few seconds, too short for V8's optimising WebAssembly compiler to pay back:
 * tiering PostgreSQL's hot functions up took 2.5-3.5 s of CPU per grade on a second core, and
 * no grade was faster for it (event-sourcing's solution: 7.5 vs 4.8 core-seconds, 4.6 vs 4.3 s;
 * in the gradebook, 30 submissions on 2 cores: 128 vs 86 s). Liftoff, the baseline compiler,
 * runs the same code, only without the later optimisation. V8's flag; Node passes it on.
 */
const BASELINE_WASM_ONLY = ['--liftoff-only'];
/** Node >= 21.3 can silence the type-stripping notice; older Nodes (a WebContainer's) refuse the flag. */
const QUIET_FLAGS = process.allowedNodeEnvironmentFlags.has('--disable-warning') ? ['--disable-warning=ExperimentalWarning'] : [];

export class NodeRunner implements LabRunner {
  readonly runtime: 'node' | 'webcontainer';
  private readonly childModule: string;
  private readonly sandbox: boolean;
  private readonly memoryLimitMb: number;
  private readonly seed: number | undefined;
  private readonly onChildTimings: ((timings: ChildTimings) => void) | undefined;
  /** Each live child, with what kills it and removes its temporary folder. */
  private readonly children = new Map<ChildProcess, () => void>();
  /** Settles when each child started so far is gone. */
  private readonly closes: Promise<void>[] = [];
  private readonly prestart: boolean;
  /** The child started ahead for the next run (with `prestart`). */
  private spare: StartedChild | undefined;

  constructor(options: NodeRunnerOptions = {}) {
    this.runtime = options.runtime ?? 'node';
    this.childModule = options.childModule ?? CHILD;
    this.sandbox = options.sandbox ?? this.runtime === 'node';
    this.memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_MB;
    this.seed = options.seed;
    this.onChildTimings = options.onChildTimings;
    this.prestart = options.prestart ?? false;
  }

  /** Resolves once every child this runner started has ended and been cleaned up. */
  async childrenClosed(): Promise<void> {
    await Promise.all(this.closes);
  }

  /** `options.seed` overrides the runner's own seed for this run; `options.only` and `options.tasks` run those tests alone. */
  async run(bundle: LabBundle, learnerFiles: FileMap, onProgress?: (progress: RunProgress) => void, options: RunOptions = {}): Promise<LabResult> {
    const snapshot = await ensurePgSnapshot();
    const books: ChildBook[] = [];
    const pool: ExecutorPool = {
      acquire: () => this.take(snapshot, bundle.manifest.databases, books),
      release: (executor) => executor.kill(),
    };
    const { only, tasks, seed = this.seed, signal } = options;
    const result = await driveRun({ bundle, learnerFiles, runtime: this.runtime, pool, onProgress, bootTimeoutMs: 30_000, seed, ...(only ? { only } : {}), ...(tasks ? { tasks } : {}), ...(signal ? { signal } : {}) });
    const notes = new Set(books.flatMap((book) => [...book.notes]));
    const forged = books.reduce((sum, book) => sum + book.forged, 0);
    if (forged > 0) notes.add(`${forged} line(s) written to the grader's event channel did not come from the grader and were ignored`);
    if (notes.size > 0) {
      // Shown once under the results: what the grader could not enforce, or what it ignored.
      const text = [...notes].map((n) => `Note: ${n}.`).join('\n');
      return { ...result, message: result.message ? `${result.message}\n${text}` : text };
    }
    return result;
  }

  dispose(): void {
    this.spare = undefined;
    for (const destroy of this.children.values()) destroy();
  }

  /** A child for a run: the spare when it is alive and was started for the same engines, else a new one. */
  private take(snapshot: string, databases: readonly string[], books: ChildBook[]): ExecutorHandle {
    let child = this.spare;
    this.spare = undefined;
    if (child && (!child.alive() || child.databases !== databases.join(','))) {
      child.handle.kill();
      child = undefined;
    }
    child ??= this.spawn(snapshot, databases);
    books.push(child.book);
    if (this.prestart) this.spare = this.spawn(snapshot, databases);
    return child.handle;
  }

  private spawn(snapshot: string, databases: readonly string[]): StartedChild {
    const book: ChildBook = { notes: new Set(), forged: 0 };
    const { notes } = book;
    const nodeFlags = [`--max-old-space-size=${HEAP_MB}`, ...QUIET_FLAGS, ...(this.runtime === 'node' ? BASELINE_WASM_ONLY : [])];
    const tempDir = mkdtempSync(join(tmpdir(), 'lab-run-'));
    // A minimal environment: no tokens or secrets of the grader's reach the learner's code.
    const env: Record<string, string> = { LAB_PG_SNAPSHOT: snapshot, LAB_DATABASES: databases.join(','), NODE_ENV: 'test', TMPDIR: tempDir, HOME: tempDir, TZ: CHILD_TIME_ZONE };
    let command = process.execPath;
    let args = [...nodeFlags, this.childModule];
    let wrapper: SandboxPlan['wrapper'];
    let cgroup: ChildCgroup | undefined;
    if (this.sandbox) {
      const made = childCgroup(this.memoryLimitMb * 1024 * 1024);
      cgroup = made.cgroup;
      const plan = sandboxCommand({ childModule: this.childModule, nodeFlags, snapshot, tempDir, cgroup: cgroup?.dir });
      ({ command, args, wrapper } = plan);
      for (const missing of [...plan.missing, ...(made.note ? [made.note] : [])]) notes.add(`the test process ran with fewer protections: ${missing}`);
    } else {
      env.PATH = process.env.PATH ?? '';
    }
    if (process.env.COURSE_DEBUG_CHILD === '1') console.error(`child: ${command} ${args.join(' ')}`);
    const child = spawn(command, args, {
      cwd: tempDir,
      env,
      // stdout and stderr are never read (COURSE_DEBUG_CHILD=1 shows stderr, for the course's developers).
      stdio: ['ignore', 'ignore', process.env.COURSE_DEBUG_CHILD === '1' ? 'inherit' : 'ignore', 'ipc', this.sandbox ? 'pipe' : 'ignore'],
      // Its own process group, so that one signal stops it and anything it started.
      detached: true,
    });
    const key = this.sandbox ? newChannelKey() : undefined;
    const timing = recordChildTimings();
    let closed!: () => void;
    this.closes.push(new Promise<void>((resolve) => (closed = resolve)));

    let stopped = false;
    let onEvent: (event: ExecutorEvent) => void = () => {};
    let onExit: (reason: string) => void = () => {};
    const reader = key
      ? channelReader(
          key,
          (event) => {
            timing.observe(event);
            if (!stopped) onEvent(event);
          },
          // The learner's code called process.exit(): no need to wait for the slow teardown.
          (code) => stop(exitReason(code, null)),
        )
      : undefined;

    const memoryLimit = this.memoryLimitMb * 1024 * 1024;
    const overMemory = `it used more than ${this.memoryLimitMb} MB of memory and was stopped`;
    const wrapperGone = (how: string) => `its sandbox, ${wrapper}, ${how} while the tests still ran, so the test process was stopped`;
    /** Every process of the child seen so far, by PID with its start time: one that leaves the tree or outlives the wrapper is still the child's. */
    let known = new Map<number, string>();
    const survivors = () => [...known].filter(([pid, start]) => pid !== child.pid && isRunning(pid, start));
    const running = () => child.exitCode === null && child.signalCode === null;
    // The watchdog: the resident memory of the whole tree (and of the cgroup, where there is
    // one), and the wrapper's death, which would leave what it confined unwatched.
    const memoryTimer = setInterval(() => {
      if (process.platform !== 'linux' || !child.pid || !running()) return;
      const tree = processTree(child.pid, [...(cgroup?.pids() ?? []), ...known]);
      known = tree.members;
      // The wrapper is gone and not yet reaped: 'close' tells why, and kills what is left.
      if (!tree.rootRunning) return;
      if (tree.rss > memoryLimit) stop(overMemory);
    }, MEMORY_POLL_MS);
    memoryTimer.unref();

    /** Kills the child, its group, its cgroup and any process of it seen, and removes its folder: synchronous, safe to repeat. */
    const destroy = () => {
      killGroup(child);
      cgroup?.kill();
      for (const [pid] of survivors()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      rmSync(tempDir, { recursive: true, force: true });
    };
    /** On a signal the grader is about to exit: wait (a little) for the cgroup to empty, so it can go too. */
    const destroyNow = () => {
      destroy();
      const until = Date.now() + 2_000;
      while (cgroup && !cgroup.remove() && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    };
    this.children.set(child, destroy);
    trackChild(destroyNow);
    const cleanUp = () => {
      clearInterval(memoryTimer);
      destroy();
      this.children.delete(child);
      untrackChild(destroyNow);
      if (cgroup) removeCgroupLater(cgroup);
      timing.timings.closedAt = epochNow();
      this.onChildTimings?.(timing.timings);
      closed();
    };
    let reported = false;
    /** Tells the driver the child is gone, once; not when the driver itself stopped it. */
    const report = (reason: string) => {
      if (reported || stopped) return;
      reported = true;
      onExit(reason);
    };
    /**
     * Stops the child for a breach of one of this runner's limits and reports it at once: the
     * kernel may take a while to tear down a process that holds a gigabyte, and that time must
     * not count against the test as a timeout.
     */
    const stop = (reason: string) => {
      destroy();
      report(reason);
    };

    const events = child.stdio[EVENT_FD] as Readable | null | undefined;
    events?.on('data', (chunk: Buffer) => {
      const before = reader!.dropped;
      reader!.push(chunk);
      book.forged += reader!.dropped - before;
      if (reader!.bytes > MAX_CHANNEL_BYTES) stop(`it wrote more than ${MAX_CHANNEL_BYTES / 1024 / 1024} MB to the grader's event channel`);
    });
    // The child's end of the pipe closed while it still runs: the submission closed it.
    if (events) watchChannelEnd(events, () => child.exitCode === null && child.signalCode === null, () => stop(CHANNEL_BROKEN_REASON));
    if (!key) {
      child.on('message', (event: ExecutorEvent) => {
        timing.observe(event);
        onEvent(event);
      });
    }

    let exited = false;
    // 'close' comes after the exit and after the event pipe is drained, so no event is lost to a race.
    child.on('close', (code, signal) => {
      if (exited) return;
      exited = true;
      // The wrapper is reaped: whatever of the child still runs (in its cgroup, or seen before) outlived it.
      const outlived = processTree(0, [...(cgroup?.pids() ?? []), ...known]).members.size > 0;
      const oom = cgroup?.oomKilled() ?? false;
      // Kills what outlived the wrapper, whatever the reason it ended.
      cleanUp();
      if (oom) report(overMemory);
      // A wrapper killed from outside. bubblewrap passes on its child's end as an exit code (128 +
      // the signal), so a signal that ends bwrap itself is one. `unshare` re-raises its child's
      // signal, but only once its whole PID namespace is gone: with processes left, it was killed.
      else if (signal && (wrapper === 'bwrap' || (wrapper === 'unshare' && outlived))) report(wrapperGone(`was killed by ${signal}`));
      else if (wrapper === 'bwrap' && code !== null && code > 128 && signalName(code - 128)) report(exitReason(null, signalName(code - 128)!));
      else report(exitReason(code, signal));
    });
    child.on('error', (error) => {
      if (exited) return;
      exited = true;
      cleanUp();
      report(`it could not be started (${error.message})`);
    });
    // After its run the child closes IPC; a send that finds it closed is not an error here.
    child.on('disconnect', () => {});

    const handle: ExecutorHandle = {
      send: (request: RunRequest) => {
        const message: ChildMessage = { request, key };
        child.send(message, (error) => {
          if (error) stop(`the run could not be sent to it (${error.message})`);
        });
      },
      listen: (eventListener, exitListener) => {
        onEvent = eventListener;
        onExit = exitListener;
      },
      kill: () => {
        timing.timings.releasedAt ??= epochNow();
        stopped = true;
        // Now, not on 'close': the grader may exit before a killed child's 'close' arrives.
        destroy();
      },
    };
    return { handle, book, databases: databases.join(','), alive: () => !stopped && !reported && !exited };
  }
}

function signalName(number: number): NodeJS.Signals | undefined {
  return (Object.keys(constants.signals) as NodeJS.Signals[]).find((name) => constants.signals[name] === number);
}

function killGroup(child: ChildProcess): void {
  try {
    // The child leads its own process group, so anything it started goes too.
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Why a child ended that the runner did not stop, in words for the learner. */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  // The child found its event channel closed or replaced (channel.ts).
  if (code === CHANNEL_BROKEN_EXIT) return CHANNEL_BROKEN_REASON;
  // V8 aborts when the heap is full; as PID 1 of its namespace the child cannot deliver SIGABRT
  // to itself, and glibc's abort() then ends it with SIGSEGV.
  if (signal === 'SIGABRT' || signal === 'SIGTRAP' || signal === 'SIGSEGV' || signal === 'SIGILL' || code === 134) {
    return `it crashed (${signal ?? `exit code ${code}`}), usually a sign that the code filled the ${HEAP_MB} MB JavaScript heap`;
  }
  if (signal) return `it was killed by ${signal}`;
  return `the submission ended the process with exit code ${code}`;
}
