/**
 * A small CommonJS-style module system for one run of a lab: lab files compiled by
 * `compileModule`, and host modules (the labkit) provided by the runtime.
 *
 * Lab code under src/ is loaded lazily: `require` returns a namespace that evaluates the file on
 * first use. So the test files can be read (and the test plan known) without running any of the
 * learner's code, and a learner file that fails to load fails each test that uses it, with the
 * reason, instead of failing the whole run.
 */
import type { FileMap } from '../../labs/bundle.ts';
import { CompileError, compileModule, type CompiledModule } from './compile.ts';
import { checkLabCode } from './lab-code-rules.ts';
import { HIDDEN_GLOBALS, hiddenGlobalStandIns } from './hidden-globals.ts';
import { LOOP_GUARD_PARAM, type LoopGuard } from './loop-guard.ts';

/** Stack frames of lab code read `lab:///src/order.ts:12:5`, which error messages point at. */
export const SOURCE_URL_PREFIX = 'lab:///';

type ModuleState =
  | { status: 'new' }
  | { status: 'loading'; exports: Record<string, unknown> }
  | { status: 'loaded'; exports: Record<string, unknown> }
  | { status: 'failed'; error: unknown };

export class ModuleLoadError extends Error {
  readonly file: string;
  readonly cause: unknown;

  constructor(file: string, cause: unknown) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`${file} could not be loaded. ${reason}`);
    this.name = 'ModuleLoadError';
    this.file = file;
    this.cause = cause;
  }
}

/**
 * Evaluates a lab file's compiled code (one function expression, ending in its sourceURL
 * comment) and returns the function. The grader's child passes one that evaluates in an SES
 * Compartment (node/learner-compartment.ts); elsewhere lab code is evaluated like the tests.
 */
export type LabCodeEvaluator = (code: string) => unknown;

export interface ModuleSystemOptions {
  sources: FileMap;
  hostModules: Record<string, unknown>;
  /** How files under src/ are evaluated; test files always run in the executor's own realm. */
  evaluateLabCode?: LabCodeEvaluator;
  /** Told before a lab file is evaluated, so a watchdog can name a file that never finishes. */
  onEvaluate?: (path: string) => void;
  /** Stops lab code's loops at the executor's deadlines; without one, a loop's guard calls do nothing. */
  loopGuard?: LoopGuard;
}

const noGuard = Object.freeze((_id: number): void => {});

// Indirect eval runs in global scope, so lab code sees only globals and the wrapper's parameters.
const globalEval: LabCodeEvaluator = eval;

/** Host modules for the lab's tests only: lab code that could reach the test API could register or change tests. */
const TEST_ONLY_MODULES = new Set(['labkit/test']);

export class ModuleSystem {
  private readonly states = new Map<string, ModuleState>();
  private readonly namespaces = new Map<string, object>();
  private readonly options: ModuleSystemOptions;
  /** While true, lab code may be imported but not used: the test files are being read. */
  private planning = false;

  constructor(options: ModuleSystemOptions) {
    this.options = options;
  }

  /** Evaluates test files eagerly, with lab code imported but not yet run. */
  loadTestFiles(paths: string[]): void {
    this.planning = true;
    try {
      for (const path of paths) this.evaluate(path);
    } finally {
      this.planning = false;
    }
    for (const path of paths) {
      const state = this.states.get(path)!;
      if (state.status === 'failed') throw state.error;
    }
  }

  /**
   * Compiles every lab file under src/ without running any of it, and returns those that do not
   * compile, so each can be reported once instead of on every test that needs it.
   */
  compileLabFiles(): CompileError[] {
    const failed: CompileError[] = [];
    for (const path of Object.keys(this.options.sources)) {
      if (!path.startsWith('src/')) continue;
      try {
        this.compile(path);
      } catch (error) {
        if (error instanceof CompileError) failed.push(error);
      }
    }
    return failed;
  }

  /** Evaluates every lab file under src/ now, so load errors and endless top-level loops surface before the tests. */
  loadLabFiles(): void {
    for (const path of Object.keys(this.options.sources)) {
      if (path.startsWith('src/')) this.evaluate(path);
    }
  }

  /**
   * What `import` gives a file. Lab code (under src/) may import other files under src/ and
   * the labkit's modules for lab code; test files may import anything in the lab.
   */
  require(from: string, specifier: string): unknown {
    const fromLabCode = from.startsWith('src/');
    if (Object.hasOwn(this.options.hostModules, specifier)) {
      if (fromLabCode && TEST_ONLY_MODULES.has(specifier)) {
        throw new Error(`${from} imports "${specifier}", which only the lab's tests can use. Lab code can import relative files under src/ and ${this.labCodeModules().join(', ')}.`);
      }
      return this.options.hostModules[specifier];
    }
    if (!specifier.startsWith('.')) {
      const allowed = fromLabCode ? this.labCodeModules() : Object.keys(this.options.hostModules);
      throw new Error(`${from} imports "${specifier}", which is not available in this lab. Labs can import relative files and ${allowed.join(', ')}.`);
    }
    const path = this.resolve(from, specifier);
    if (path.startsWith('src/')) return this.lazyNamespace(path, from);
    if (fromLabCode) {
      throw new Error(`${from} imports "${specifier}", which is ${path}: lab code can import only files under src/, never the lab's tests.`);
    }
    return this.evaluate(path);
  }

  private labCodeModules(): string[] {
    return Object.keys(this.options.hostModules).filter((name) => !TEST_ONLY_MODULES.has(name));
  }

  private resolve(from: string, specifier: string): string {
    const parts = from.split('/').slice(0, -1);
    for (const part of specifier.split('/')) {
      if (part === '..') parts.pop();
      else if (part !== '.') parts.push(part);
    }
    const base = parts.join('/');
    const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
    const found = candidates.find((c) => Object.hasOwn(this.options.sources, c));
    if (!found) throw new Error(`${from} imports "${specifier}", but there is no file ${base.endsWith('.ts') ? base : `${base}.ts`} in this lab.`);
    return found;
  }

  private evaluate(path: string): Record<string, unknown> {
    const state = this.states.get(path) ?? { status: 'new' };
    if (state.status === 'loaded' || state.status === 'loading') return state.exports;
    if (state.status === 'failed') throw new ModuleLoadError(path, state.error);

    const module = { exports: {} as Record<string, unknown> };
    this.states.set(path, { status: 'loading', exports: module.exports });
    try {
      this.options.onEvaluate?.(path);
      const { wrapped, loopSites } = this.compile(path);
      const labCode = path.startsWith('src/');
      const evaluateCode = labCode ? (this.options.evaluateLabCode ?? globalEval) : globalEval;
      const evaluated = evaluateCode(wrapped) as (...args: unknown[]) => unknown;
      const factory = (this.hidesHostGlobals(path) ? evaluated(...hiddenGlobalStandIns()) : evaluated) as (...args: unknown[]) => void;
      const guard = labCode && this.options.loopGuard ? this.options.loopGuard.guardFor(loopSites) : noGuard;
      factory.call(undefined, module.exports, (specifier: string) => this.require(path, specifier), module, guard);
      this.states.set(path, { status: 'loaded', exports: module.exports });
      return module.exports;
    } catch (error) {
      this.states.set(path, { status: 'failed', error });
      throw new ModuleLoadError(path, error);
    }
  }

  /**
   * Whether the file's module function is made inside one whose parameters hide the host's
   * globals: lab code, outside the grader's Compartment (which has none of them).
   */
  private hidesHostGlobals(path: string): boolean {
    return path.startsWith('src/') && !this.options.evaluateLabCode;
  }

  /** A file's code in its module wrapper, checked against the grader's rules when it is lab code; throws CompileError. */
  private compile(path: string): { wrapped: string; loopSites: CompiledModule['loopSites'] } {
    const { code, loopSites } = compileModule(path, this.options.sources[path]!);
    const labCode = path.startsWith('src/');
    // The guard is a parameter, not a global, so it reaches lab code in the grader's Compartment too.
    const params = labCode ? `exports, require, module, ${LOOP_GUARD_PARAM}` : 'exports, require, module';
    const hide = this.hidesHostGlobals(path);
    const open = hide ? `(function (${HIDDEN_GLOBALS.join(', ')}) { return function (${params}) {` : `(function (${params}) {`;
    const close = hide ? '\n} })' : '\n})';
    const wrapped = `${open}${code}${close}\n//# sourceURL=${SOURCE_URL_PREFIX}${path}`;
    if (labCode) {
      try {
        checkLabCode(wrapped);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new CompileError(path, message, Number(/^Line (\d+)/.exec(message)?.[1]) || undefined);
      }
    }
    return { wrapped, loopSites };
  }

  /** A stand-in for a lab module's exports that loads the module on first use. */
  private lazyNamespace(path: string, importer: string): object {
    const cached = this.namespaces.get(path);
    if (cached) return cached;
    const load = (): Record<string, unknown> => {
      if (this.planning) {
        throw new Error(`${importer} uses ${path} while it is being loaded. Test files may use lab code only inside tests and hooks.`);
      }
      return this.evaluate(path);
    };
    const namespace = new Proxy(Object.create(null) as object, {
      get: (_target, key) => {
        if (key === '__esModule') return true;
        if (typeof key === 'symbol') return undefined;
        const exports = load();
        if (!(key in exports) && key !== 'then' && key !== 'default') {
          throw new Error(`${path} has no export named "${key}". Check its name and that it is exported (export function / export class ...).`);
        }
        return exports[key];
      },
      has: (_target, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_target, key) => {
        const exports = load();
        return key in exports ? { value: exports[key as string], enumerable: true, configurable: true, writable: false } : undefined;
      },
    });
    this.namespaces.set(path, namespace);
    return namespace;
  }
}
