/**
 * The loop guard: lab code's loops end themselves when a test runs out of time, so an endless
 * loop costs one test its time limit instead of the whole executor (a killed worker or child,
 * then a fresh one booting its engines for every test that calls the loop).
 *
 * `instrumentLoops` puts a call at the start of every loop body of a compiled lab file; the
 * module system hands each file its guard function as a parameter of the module wrapper, so it
 * reaches the grader's SES Compartment without a global. The executor arms the guard for each
 * test (and for loading the files); past the deadline every call throws, so a `try/catch`
 * around the loop cannot keep it alive. Promises that never settle are not loops: the driver's
 * own time limit still stops them.
 */
import { parse } from 'acorn';

/** Where a loop is, for the learner: the function it is in, its file and its line. */
export interface LoopSite {
  function: string;
  file: string;
  line: number;
}

/** The name of the guard parameter in the module wrapper; unlikely to clash with a learner's names. */
export const LOOP_GUARD_PARAM = '__labLoopGuard$';

interface AstNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number } };
  [key: string]: unknown;
}

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/**
 * Inserts `__labLoopGuard$(n);` at the start of every loop body of `code` (compiled JavaScript),
 * by splicing text only: no newline is added, so every line keeps its number. Code acorn cannot
 * parse is returned unchanged; evaluating it then reports the syntax error as before.
 */
export function instrumentLoops(code: string, file: string): { code: string; sites: LoopSite[] } {
  let ast: AstNode;
  try {
    ast = parse(code, { ecmaVersion: 'latest', sourceType: 'script', locations: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, allowHashBang: true }) as unknown as AstNode;
  } catch {
    return { code, sites: [] };
  }
  const sites: LoopSite[] = [];
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: AstNode, fn: string, parent: AstNode | undefined, className: string | undefined) => {
    let inside = fn;
    let inClass = className;
    if (FUNCTIONS.has(node.type)) inside = functionName(node, parent, className) ?? 'an anonymous function';
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') inClass = identifierName(node.id) ?? (parent ? assignedName(parent) : undefined);
    if (LOOPS.has(node.type)) {
      const body = node.body as AstNode;
      const id = sites.push({ function: inside, file, line: node.loc!.start.line }) - 1;
      const call = `${LOOP_GUARD_PARAM}(${id});`;
      if (body.type === 'BlockStatement') {
        inserts.push({ at: body.start + 1, text: call });
      } else {
        inserts.push({ at: body.start, text: `{${call}` }, { at: body.end, text: '}' });
      }
    }
    for (const key of Object.keys(node)) {
      if (key === 'loc') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const child of value) if (isNode(child)) visit(child, inside, node, inClass);
      } else if (isNode(value)) {
        visit(value, inside, node, inClass);
      }
    }
  };
  visit(ast, 'top level', undefined, undefined);
  if (inserts.length === 0) return { code, sites };
  // Stable, so text inserted at one offset keeps the order it was found in (outer before inner).
  inserts.sort((a, b) => a.at - b.at);
  let out = '';
  let from = 0;
  for (const { at, text } of inserts) {
    out += code.slice(from, at) + text;
    from = at;
  }
  return { code: out + code.slice(from), sites };
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string';
}

function identifierName(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === 'Identifier' || node.type === 'PrivateIdentifier') return node.name as string;
  if (node.type === 'Literal' && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
  return undefined;
}

/** The name a function is known by: its own, or the variable, property or method it is assigned to. */
function functionName(node: AstNode, parent: AstNode | undefined, className: string | undefined): string | undefined {
  const own = identifierName(node.id);
  if (own) return own;
  if (!parent) return undefined;
  if (parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') {
    const key = identifierName(parent.key);
    return key && className ? `${className}.${key}` : key;
  }
  return assignedName(parent);
}

function assignedName(parent: AstNode): string | undefined {
  if (parent.type === 'VariableDeclarator') return identifierName(parent.id);
  if (parent.type === 'Property') return identifierName(parent.key);
  if (parent.type === 'AssignmentExpression') {
    const left = parent.left as AstNode;
    return left.type === 'MemberExpression' ? identifierName(left.property) : identifierName(left);
  }
  return undefined;
}

/** Only errors the guard itself threw; a learner's look-alike is just an error. */
const stopErrors = new WeakSet<object>();

export function isLoopStop(error: unknown): boolean {
  return typeof error === 'object' && error !== null && stopErrors.has(error);
}

/** What the guard stopped, and the words for it. */
export interface LoopStop {
  site: LoopSite;
  message: string;
}

export interface ArmOptions {
  /** The limit as the learner knows it (the test's), for the message. */
  limitMs: number;
  /** When the guard steps in; a little under the limit, so it comes before the driver's kill. */
  budgetMs: number;
  /** The test being run; absent while the lab's files load. */
  testName?: string;
}

/** A loop site stopped earlier in the run gets this long in later tests. */
export const REPEAT_BUDGET_MS = 300;
/**
 * A stopped site's calls further apart than this are a new run of the loop, not the same one.
 * A loop that never ends calls its guard every few nanoseconds, but a loaded machine can leave
 * the process unscheduled for tens of milliseconds (a gradebook with a job per core; a unit
 * test run beside mutation testing lost its count that way): such a gap must not restart it.
 */
const REPEAT_GAP_MS = 150;
/**
 * The clock is read once per this many guard calls (a power of two, minus one, as a mask):
 * performance.now() costs about 30 ns in V8, more than a tight loop's iteration, and a loop of
 * 4096 iterations of even 100 µs each still stops within half a second of its deadline.
 */
const CHECK_MASK = 4095;

const clock = performance.now.bind(performance);

/** One run's guard: armed per test by the executor, queried for what it stopped. */
export class LoopGuard {
  private deadline = Infinity;
  private armed: ArmOptions | undefined;
  private calls = 0;
  private stopped: { stop: LoopStop; error: Error } | undefined;
  /** Sites stopped earlier in this run, by key, with the test they were stopped in. */
  private readonly stoppedBefore = new Map<string, string>();
  private readonly streaks = new Map<string, { start: number; last: number }>();
  private onStop: (() => void) | undefined;

  /** The function a file's compiled code calls at each loop iteration; `sites` is that file's table. */
  guardFor(sites: readonly LoopSite[]): (id: number) => void {
    const guard = (id: number): void => {
      if (this.stopped) throw this.stopped.error;
      const site = sites[id];
      if (site && this.stoppedBefore.size > 0) {
        if (this.armed?.testName !== undefined) this.checkRepeat(site);
        else if (!this.armed) this.stopLeftover(site);
      }
      if ((++this.calls & CHECK_MASK) === 0 && clock() > this.deadline) this.stop(site, false);
    };
    return Object.freeze(guard);
  }

  /** Starts a deadline `budgetMs` from now; forgets any earlier stop. `onStop` is told the moment a loop is stopped. */
  arm(options: ArmOptions, onStop?: () => void): void {
    this.armed = options;
    this.deadline = clock() + options.budgetMs;
    this.calls = 0;
    this.stopped = undefined;
    this.streaks.clear();
    this.onStop = onStop;
  }

  /** Ends the deadline and says what was stopped under it, if anything; a stopped site gets the short budget from now on. */
  disarm(): LoopStop | undefined {
    const stopped = this.stopped?.stop;
    if (stopped && this.armed?.testName !== undefined) {
      const key = siteKey(stopped.site);
      if (!this.stoppedBefore.has(key)) this.stoppedBefore.set(key, this.armed.testName);
    }
    this.deadline = Infinity;
    this.armed = undefined;
    this.stopped = undefined;
    this.onStop = undefined;
    return stopped;
  }

  /** What has been stopped since the guard was last armed. */
  get current(): LoopStop | undefined {
    return this.stopped?.stop;
  }

  private checkRepeat(site: LoopSite): void {
    const key = siteKey(site);
    if (!this.stoppedBefore.has(key)) return;
    const now = clock();
    let streak = this.streaks.get(key);
    if (!streak || now - streak.last > REPEAT_GAP_MS) {
      streak = { start: now, last: now };
      this.streaks.set(key, streak);
    }
    streak.last = now;
    if (now - streak.start > REPEAT_BUDGET_MS) this.stop(site, true);
  }

  /**
   * Between tests only leftovers of lab code run (a timer, a message the bus delivers again while
   * a test's services close). A loop already known to be endless is stopped there at once: no
   * deadline is armed, so it would hold the executor until the driver replaced it (sagas' lab
   * lost its 40 s test that way). Nothing is recorded: the error belongs to no test.
   */
  private stopLeftover(site: LoopSite): void {
    const stoppedIn = this.stoppedBefore.get(siteKey(site));
    if (stoppedIn === undefined) return;
    const error = new Error(`Stopped: the loop in ${site.function}() (${site.file}:${site.line}) ran again after its test had ended, the same loop that was stopped in test "${stoppedIn}". ${ADVICE}`);
    error.name = 'LoopStopped';
    stopErrors.add(error);
    throw error;
  }

  private stop(site: LoopSite | undefined, repeat: boolean): never {
    const where = site ?? { function: 'top level', file: 'a lab file', line: 0 };
    const armed = this.armed ?? { limitMs: 0, budgetMs: 0 };
    const message = stopMessage(where, armed, repeat ? this.stoppedBefore.get(siteKey(where)) : undefined);
    const error = new Error(message);
    error.name = 'LoopStopped';
    stopErrors.add(error);
    this.stopped = { stop: { site: where, message }, error };
    const onStop = this.onStop;
    this.onStop = undefined;
    onStop?.();
    throw error;
  }
}

function siteKey(site: LoopSite): string {
  return `${site.file}:${site.line}:${site.function}`;
}

const ADVICE = 'Look for a loop whose condition never becomes false.';

function stopMessage(site: LoopSite, armed: ArmOptions, stoppedIn: string | undefined): string {
  const place = `${site.file}:${site.line}`;
  const loop = site.function === 'top level' ? `the loop at the top level of ${site.file} (${place})` : `the loop in ${site.function}() (${place})`;
  if (armed.testName === undefined) {
    return `Your code did not finish loading: ${site.file} was still running after ${seconds(armed.limitMs)}, in ${loop}. ${ADVICE}`;
  }
  if (stoppedIn !== undefined) {
    return `Stopped after ${seconds(REPEAT_BUDGET_MS)}: ${loop} was still running, the same loop that was stopped in test "${stoppedIn}". ${ADVICE}`;
  }
  return `Stopped after ${seconds(armed.limitMs)}: ${loop} was still running. ${ADVICE}`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
