/**
 * Where `test()` calls land. The runner starts a collection, evaluates the test files (which
 * call `describe`/`test`/hooks), then reads the registered tests. One collection at a time:
 * a runtime runs one lab at a time.
 */
import type { PlannedTest } from '../../schemas/lab-result.ts';

export type TestBody = () => void | Promise<void>;
export type Hook = () => void | Promise<void>;

export interface TestOptions {
  /** The lab task this test checks, as numbered in the README. */
  task: number;
  /** What passing this test is worth. */
  points: number;
  /** This test's time limit, when it needs another than the lab's default. */
  timeoutMs?: number;
}

export interface RegisteredTest extends PlannedTest {
  body: TestBody;
  beforeEach: Hook[];
  afterEach: Hook[];
}

interface Scope {
  names: string[];
  beforeEach: Hook[];
  afterEach: Hook[];
}

export class Collector {
  readonly tests: RegisteredTest[] = [];
  private readonly scopes: Scope[] = [{ names: [], beforeEach: [], afterEach: [] }];
  private readonly defaultTimeoutMs: number;

  constructor(defaultTimeoutMs: number) {
    this.defaultTimeoutMs = defaultTimeoutMs;
  }

  describe(name: string, fn: () => void): void {
    const parent = this.scope();
    this.scopes.push({ names: [...parent.names, name], beforeEach: [...parent.beforeEach], afterEach: [...parent.afterEach] });
    try {
      fn();
    } finally {
      this.scopes.pop();
    }
  }

  test(name: string, options: TestOptions, body: TestBody): void {
    const scope = this.scope();
    const fullName = [...scope.names, name].join(' › ');
    if (!Number.isInteger(options?.task) || options.task < 1) throw new Error(`test "${fullName}": options.task must be a task number (1, 2, ...)`);
    if (typeof options.points !== 'number' || !(options.points > 0)) throw new Error(`test "${fullName}": options.points must be a positive number`);
    if (typeof body !== 'function') throw new Error(`test "${fullName}": the third argument must be the test function`);
    const id = slugify(fullName);
    if (this.tests.some((t) => t.id === id)) throw new Error(`two tests are named "${fullName}"; test names must be unique in a lab`);
    this.tests.push({
      id,
      name: fullName,
      task: options.task,
      points: options.points,
      timeoutMs: options.timeoutMs ?? this.defaultTimeoutMs,
      body,
      beforeEach: [...scope.beforeEach],
      afterEach: [...scope.afterEach],
    });
  }

  beforeEach(hook: Hook): void {
    this.scope().beforeEach.push(hook);
  }

  afterEach(hook: Hook): void {
    this.scope().afterEach.unshift(hook);
  }

  private scope(): Scope {
    return this.scopes[this.scopes.length - 1]!;
  }
}

/** "Task 1 › rejects a stale version" -> "task-1-rejects-a-stale-version": a stable id from a name. */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

let current: Collector | undefined;

export function startCollecting(defaultTimeoutMs: number): Collector {
  current = new Collector(defaultTimeoutMs);
  return current;
}

export function stopCollecting(): void {
  current = undefined;
}

export function activeCollector(what: string): Collector {
  if (!current) throw new Error(`${what}() can only be called at the top level of a test file, while the runner loads it.`);
  return current;
}
