/**
 * The page's handle on a console worker: opens the database with the lesson's seed, runs the
 * learner's SQL with a time limit, and replaces the worker (re-seeding) when a query overruns.
 */
import type { ConsoleRequest, ConsoleResponse, QueryResult } from './protocol.ts';

export type { QueryResult } from './protocol.ts';

export interface ConsoleOptions {
  engine: 'pglite' | 'sqljs';
  snapshotUrl: string;
  seed: string;
}

export class QueryTimeout extends Error {}

export class ConsoleSession {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private readonly options: ConsoleOptions;

  constructor(options: ConsoleOptions) {
    this.options = options;
  }

  /** Starts a worker and seeds its database; resolves when the console can take queries. */
  open(): Promise<void> {
    this.worker?.terminate();
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'sql-console' });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (event: MessageEvent<ConsoleResponse>) => {
        if (event.data.type === 'ready') resolve();
        else if (event.data.type === 'open-failed') reject(new Error(event.data.message));
        else return;
        worker.removeEventListener('message', onMessage);
      };
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', (event) => reject(new Error(event.message || 'the console worker failed to start')));
    });
    const request: ConsoleRequest = { type: 'open', ...this.options };
    worker.postMessage(request);
    return this.ready;
  }

  async query(sql: string, timeoutMs: number): Promise<QueryResult> {
    if (!this.ready) await this.open();
    await this.ready;
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise<QueryResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.removeEventListener('message', onMessage);
        // A query PGlite cannot interrupt from inside: the worker goes, a fresh seeded one comes.
        this.ready = undefined;
        worker.terminate();
        reject(new QueryTimeout(`The query was stopped after ${timeoutMs / 1000} s. The database was reset to its starting data.`));
      }, timeoutMs);
      const onMessage = (event: MessageEvent<ConsoleResponse>) => {
        const response = event.data;
        if ((response.type !== 'result' && response.type !== 'query-failed') || response.id !== id) return;
        clearTimeout(timer);
        worker.removeEventListener('message', onMessage);
        if (response.type === 'result') resolve(response.result);
        else reject(new Error(response.message));
      };
      worker.addEventListener('message', onMessage);
      const request: ConsoleRequest = { type: 'query', id, sql };
      worker.postMessage(request);
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.ready = undefined;
  }
}
