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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FileMap, LabBundle } from '../../labs/bundle.ts';
import type { LabResult } from '../../schemas/lab-result.ts';
import { driveRun, type ExecutorHandle, type ExecutorPool, type RunProgress } from '../driver.ts';
import type { LabRunner } from '../lab-runner.ts';
import type { ExecutorEvent, RunRequest } from '../protocol.ts';
import { channelReader, EVENT_FD, MAX_CHANNEL_BYTES, newChannelKey } from './channel.ts';
import type { ChildMessage } from './child.ts';
import { ensurePgSnapshot } from './engines.ts';
import { residentBytes, sandboxCommand } from './sandbox.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/** The child's JavaScript heap; its whole resident memory may be more (PGlite alone is ~220 MB). */
const HEAP_MB = 512;
/** The child's whole resident memory, checked every MEMORY_POLL_MS. */
const DEFAULT_MEMORY_MB = 1024;
const MEMORY_POLL_MS = 100;

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
}

/** Node >= 21.3 can silence the type-stripping notice; older Nodes (a WebContainer's) refuse the flag. */
const QUIET_FLAGS = process.allowedNodeEnvironmentFlags.has('--disable-warning') ? ['--disable-warning=ExperimentalWarning'] : [];

export class NodeRunner implements LabRunner {
  readonly runtime: 'node' | 'webcontainer';
  private readonly childModule: string;
  private readonly sandbox: boolean;
  private readonly memoryLimitMb: number;
  private readonly seed: number | undefined;
  private readonly children = new Set<ChildProcess>();

  constructor(options: NodeRunnerOptions = {}) {
    this.runtime = options.runtime ?? 'node';
    this.childModule = options.childModule ?? CHILD;
    this.sandbox = options.sandbox ?? this.runtime === 'node';
    this.memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_MB;
    this.seed = options.seed;
  }

  async run(bundle: LabBundle, learnerFiles: FileMap, onProgress?: (progress: RunProgress) => void): Promise<LabResult> {
    const snapshot = await ensurePgSnapshot();
    const notes = new Set<string>();
    const stats = { forged: 0 };
    const pool: ExecutorPool = {
      acquire: () => this.spawn(snapshot, notes, stats),
      release: (executor) => executor.kill(),
    };
    const result = await driveRun({ bundle, learnerFiles, runtime: this.runtime, pool, onProgress, bootTimeoutMs: 30_000, seed: this.seed });
    if (stats.forged > 0) notes.add(`${stats.forged} line(s) written to the grader's event channel did not come from the grader and were ignored`);
    if (notes.size > 0) {
      // Shown once under the results: what the grader could not enforce, or what it ignored.
      const text = [...notes].map((n) => `Note: ${n}.`).join('\n');
      return { ...result, message: result.message ? `${result.message}\n${text}` : text };
    }
    return result;
  }

  dispose(): void {
    for (const child of this.children) killGroup(child);
  }

  private spawn(snapshot: string, notes: Set<string>, stats: { forged: number }): ExecutorHandle {
    const nodeFlags = [`--max-old-space-size=${HEAP_MB}`, ...QUIET_FLAGS];
    const tempDir = mkdtempSync(join(tmpdir(), 'lab-run-'));
    // A minimal environment: no tokens or secrets of the grader's reach the learner's code.
    const env: Record<string, string> = { LAB_PG_SNAPSHOT: snapshot, NODE_ENV: 'test', TMPDIR: tempDir, HOME: tempDir };
    let command = process.execPath;
    let args = [...nodeFlags, this.childModule];
    if (this.sandbox) {
      const plan = sandboxCommand({ childModule: this.childModule, nodeFlags, snapshot, tempDir });
      ({ command, args } = plan);
      for (const missing of plan.missing) notes.add(`the test process ran with fewer protections: ${missing}`);
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
    this.children.add(child);
    const key = this.sandbox ? newChannelKey() : undefined;

    let stopped = false;
    let onEvent: (event: ExecutorEvent) => void = () => {};
    let onExit: (reason: string) => void = () => {};
    const reader = key
      ? channelReader(
          key,
          (event) => {
            if (!stopped) onEvent(event);
          },
          // The learner's code called process.exit(): no need to wait for the slow teardown.
          (code) => stop(exitReason(code, null)),
        )
      : undefined;

    const memoryLimit = this.memoryLimitMb * 1024 * 1024;
    const memoryTimer = setInterval(() => {
      const rss = child.pid ? residentBytes(child.pid) : undefined;
      if (rss !== undefined && rss > memoryLimit) stop(`it used more than ${this.memoryLimitMb} MB of memory and was stopped`);
    }, MEMORY_POLL_MS);
    memoryTimer.unref();

    const cleanUp = () => {
      clearInterval(memoryTimer);
      this.children.delete(child);
      rmSync(tempDir, { recursive: true, force: true });
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
      killGroup(child);
      rmSync(tempDir, { recursive: true, force: true });
      report(reason);
    };

    const events = child.stdio[EVENT_FD] as Readable | null | undefined;
    events?.on('data', (chunk: Buffer) => {
      const before = reader!.dropped;
      reader!.push(chunk);
      stats.forged += reader!.dropped - before;
      if (reader!.bytes > MAX_CHANNEL_BYTES) stop(`it wrote more than ${MAX_CHANNEL_BYTES / 1024 / 1024} MB to the grader's event channel`);
    });
    if (!key) child.on('message', (event: ExecutorEvent) => onEvent(event));

    let exited = false;
    // 'close' comes after the exit and after the event pipe is drained, so no event is lost to a race.
    child.on('close', (code, signal) => {
      if (exited) return;
      exited = true;
      cleanUp();
      report(exitReason(code, signal));
    });
    child.on('error', (error) => {
      if (exited) return;
      exited = true;
      cleanUp();
      report(`it could not be started (${error.message})`);
    });
    // After its run the child closes IPC; a send that finds it closed is not an error here.
    child.on('disconnect', () => {});

    return {
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
        stopped = true;
        killGroup(child);
        // Now, not on 'close': the grader may exit before a killed child's 'close' arrives.
        rmSync(tempDir, { recursive: true, force: true });
      },
    };
  }
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
function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  // V8 aborts when the heap is full; as PID 1 of its namespace the child cannot deliver SIGABRT
  // to itself, and glibc's abort() then ends it with SIGSEGV.
  if (signal === 'SIGABRT' || signal === 'SIGTRAP' || signal === 'SIGSEGV' || signal === 'SIGILL' || code === 134) {
    return `it crashed (${signal ?? `exit code ${code}`}), usually a sign that the code filled the ${HEAP_MB} MB JavaScript heap`;
  }
  if (signal) return `it was killed by ${signal}`;
  return `the submission ended the process with exit code ${code}`;
}
