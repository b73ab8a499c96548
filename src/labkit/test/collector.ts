/**
 * Where `test()` calls land. The runner starts a collection, evaluates the test files (which
 * call `describe`/`test`/hooks), then reads the registered tests. One collection at a time:
 * a runtime runs one lab at a time.
 */

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

/** What a grader-only check gets: the run's seed, and a random source drawn from it. */
export interface CheckContext {
  seed: number;
  /** A number in [0, 1), from a generator seeded with `seed`: the same seed gives the same inputs. */
  random: () => number;
}
export type CheckBody = (context: CheckContext) => void | Promise<void>;

/**
 * A test as a test file declares it. Its first five fields are the result schema's PlannedTest,
 * written out here because the labkit imports nothing outside itself (the editor loads its
 * sources alone); the executor passes these tests where a PlannedTest is expected, so the
 * compiler keeps the two in step.
 */
export interface RegisteredTest {
  /** Stable id, derived from the test's name; unique within the lab. */
  id: string;
  name: string;
  task: number;
  points: number;
  timeoutMs: number;
  body: TestBody;
  beforeEach: Hook[];
  afterEach: Hook[];
  /** Checks from the lab's CI-only test files, run after the body when it passes. */
  ciChecks: CheckBody[];
}

interface Scope {
  names: string[];
  beforeEach: Hook[];
  afterEach: Hook[];
}

export class Collector {
  readonly tests: RegisteredTest[] = [];
  private readonly pendingChecks: { testName: string; body: CheckBody }[] = [];
  private readonly scopes: Scope[] = [{ names: [], beforeEach: [], afterEach: [] }];
  private readonly defaultTimeoutMs: number;
  private readonly timeoutsById: Readonly<Record<string, number>>;

  /** `timeoutsById`: the limits a lab derives from its reference solution's times; a test's own `timeoutMs` wins. */
  constructor(defaultTimeoutMs: number, timeoutsById: Readonly<Record<string, number>> = {}) {
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.timeoutsById = timeoutsById;
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
      timeoutMs: options.timeoutMs ?? (Object.hasOwn(this.timeoutsById, id) ? this.timeoutsById[id]! : this.defaultTimeoutMs),
      body,
      beforeEach: [...scope.beforeEach],
      afterEach: [...scope.afterEach],
      ciChecks: [],
    });
  }

  ciCheck(testName: string, body: CheckBody): void {
    if (typeof body !== 'function') throw new Error(`ciCheck("${testName}"): the second argument must be the check function`);
    this.pendingChecks.push({ testName, body });
  }

  /** Attaches each CI check to the test it names, once every test file is loaded. */
  attachChecks(): void {
    for (const { testName, body } of this.pendingChecks) {
      const test = this.tests.find((t) => t.name === testName);
      if (!test) throw new Error(`ciCheck("${testName}") names no test of this lab; give the full name of a graded test, as shown in the results`);
      test.ciChecks.push(body);
    }
  }

  /** The registered tests, each frozen with its hooks and checks, in a frozen list. */
  seal(): readonly RegisteredTest[] {
    for (const test of this.tests) {
      Object.freeze(test.beforeEach);
      Object.freeze(test.afterEach);
      Object.freeze(test.ciChecks);
      Object.freeze(test);
    }
    return Object.freeze(this.tests);
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

export function startCollecting(defaultTimeoutMs: number, timeoutsById?: Readonly<Record<string, number>>): Collector {
  current = new Collector(defaultTimeoutMs, timeoutsById);
  return current;
}

export function stopCollecting(): void {
  current = undefined;
}

export function activeCollector(what: string): Collector {
  if (!current) throw new Error(`${what}() can only be called at the top level of a test file, while the runner loads it.`);
  return current;
}
