/**
 * The worker runner: the default runtime on a lab page. One worker is kept warm between runs;
 * when a test hangs, the driver kills that worker and a fresh one takes its place.
 */
import type { FileMap, LabBundle } from '../../labs/bundle.ts';
import type { LabResult } from '../../schemas/lab-result.ts';
import { driveRun, type ExecutorHandle, type RunProgress } from '../driver.ts';
import type { LabRunner, RunOptions } from '../lab-runner.ts';
import type { ExecutorEvent, RunRequest } from '../protocol.ts';
import type { WorkerInit } from './worker-messages.ts';

export interface WorkerRunnerOptions {
  pgSnapshotUrl: string;
  databases: WorkerInit['databases'];
}

export class WorkerRunner implements LabRunner {
  readonly runtime = 'worker' as const;
  private readonly options: WorkerRunnerOptions;
  private idle: ExecutorHandle | undefined;
  private readonly live = new Set<Worker>();
  private disposed = false;

  constructor(options: WorkerRunnerOptions) {
    this.options = options;
  }

  /** Starts a worker now, so its engines load while the learner reads and edits. */
  prepare(): Promise<void> {
    this.warm();
    return Promise.resolve();
  }

  run(bundle: LabBundle, learnerFiles: FileMap, onProgress?: (progress: RunProgress) => void, options: RunOptions = {}): Promise<LabResult> {
    return driveRun({
      bundle,
      learnerFiles,
      runtime: this.runtime,
      onProgress,
      seed: options.seed,
      ...(options.only ? { only: options.only } : {}),
      ...(options.tasks ? { tasks: options.tasks } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      pool: {
        acquire: () => {
          const executor = this.idle ?? this.spawn();
          this.idle = undefined;
          return executor;
        },
        release: (executor) => {
          this.idle = executor;
        },
      },
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const worker of this.live) worker.terminate();
    this.live.clear();
    this.idle = undefined;
  }

  private warm(): void {
    if (!this.disposed) this.idle ??= this.spawn();
  }

  private spawn(): ExecutorHandle {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'lab-runner' });
    this.live.add(worker);
    const init: WorkerInit = { type: 'init', ...this.options };
    worker.postMessage(init);
    return {
      send: (request: RunRequest) => worker.postMessage(request),
      listen: (onEvent, onExit) => {
        worker.onmessage = (message: MessageEvent<ExecutorEvent>) => onEvent(message.data);
        worker.onerror = (event) => {
          event.preventDefault();
          onExit(event.message || 'the worker failed');
        };
        worker.onmessageerror = () => onExit('a message from the worker could not be read');
      },
      kill: () => {
        worker.terminate();
        this.live.delete(worker);
        // A fresh worker starts loading its engines at once, ready for what comes next.
        this.warm();
      },
    };
  }
}
