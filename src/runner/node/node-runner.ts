/**
 * The Node runner: the grader's runtime. Each attempt runs in a fresh child process with a
 * heap limit and a minimal environment; the driver in this (parent) process owns the clock.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FileMap, LabBundle } from '../../labs/bundle.ts';
import type { LabResult } from '../../schemas/lab-result.ts';
import { driveRun, type ExecutorHandle, type ExecutorPool, type RunProgress } from '../driver.ts';
import type { LabRunner } from '../lab-runner.ts';
import type { ExecutorEvent, RunRequest } from '../protocol.ts';
import { ensurePgSnapshot } from './engines.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
/** Cap on what a child may print outside tests before its output is ignored. */
const OUTPUT_CAP = 64 * 1024;

export interface NodeRunnerOptions {
  /** The child's entry module; the container's bundled runner passes its own `child.mjs`. */
  childModule?: string;
  /** What the LabResult says the tests ran in. */
  runtime?: 'node' | 'webcontainer';
}

/** Node >= 21.3 can silence the type-stripping notice; older Nodes (a WebContainer's) refuse the flag. */
const QUIET_FLAGS = process.allowedNodeEnvironmentFlags.has('--disable-warning') ? ['--disable-warning=ExperimentalWarning'] : [];

export class NodeRunner implements LabRunner {
  readonly runtime: 'node' | 'webcontainer';
  private readonly childModule: string;
  private readonly children = new Set<ChildProcess>();

  constructor(options: NodeRunnerOptions = {}) {
    this.runtime = options.runtime ?? 'node';
    this.childModule = options.childModule ?? CHILD;
  }

  async run(bundle: LabBundle, learnerFiles: FileMap, onProgress?: (progress: RunProgress) => void): Promise<LabResult> {
    const snapshot = await ensurePgSnapshot();
    const pool: ExecutorPool = {
      acquire: () => this.spawn(snapshot),
      release: (executor) => executor.kill(),
    };
    return driveRun({ bundle, learnerFiles, runtime: this.runtime, pool, onProgress, bootTimeoutMs: 30_000 });
  }

  dispose(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }

  private spawn(snapshot: string): ExecutorHandle {
    const child = fork(this.childModule, [], {
      execArgv: ['--max-old-space-size=512', ...QUIET_FLAGS],
      env: { LAB_PG_SNAPSHOT: snapshot, NODE_ENV: 'test', PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    this.children.add(child);
    let printed = 0;
    const drain = (chunk: Buffer) => {
      printed += chunk.length;
      if (printed > OUTPUT_CAP) child.stdout?.removeAllListeners('data');
    };
    child.stdout?.on('data', drain);
    child.stderr?.on('data', drain);
    let killed = false;
    return {
      send: (request: RunRequest) => child.send(request),
      listen: (onEvent, onExit) => {
        child.on('message', (event: ExecutorEvent) => onEvent(event));
        child.on('exit', (code, signal) => {
          this.children.delete(child);
          if (!killed) onExit(signal ? `killed by ${signal}` : `exit code ${code}`);
        });
        child.on('error', (error) => {
          if (!killed) onExit(error.message);
        });
      },
      kill: () => {
        killed = true;
        this.children.delete(child);
        try {
          // The child leads its own process group, so anything it started goes too.
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      },
    };
  }
}
