/**
 * The words of a failed expectation, for the learner: the test's own message (when it gave
 * one), then once what was expected and what was received.
 *
 *   mugs taken off the shelf = mugs of confirmed orders
 *   expected: 2
 *   received: 3
 *
 * Values too long for a line are compared path by path (microdiff), at most MAX_DIFF_LINES:
 *
 *   the orders
 *     [2].status: expected "CONFIRMED", received "REJECTED"
 *     … and 7 more differences
 *
 * Matchers that do not compare two values (toContain, toBeGreaterThan, toThrow, a negated
 * matcher, ...) keep their own text ("expected [ 'a' ] to include 'b'"), after the message.
 * A message that already says what differs (expectEqual's and expectMatch's, or a test's own) is
 * not repeated in other words.
 */
import diff, { type Difference } from 'microdiff';
import { MESSAGE_END } from './expect.ts';

/** Values up to this long are shown whole, each on its line. */
const SHORT = 80;
/** A long value that cannot be compared path by path is cut here. */
const LONG = 240;
/** A value inside a difference line is cut here. */
const IN_LINE = 60;
const MAX_DIFF_LINES = 6;

/** What a failed expectation carries: Chai's AssertionError, or anything shaped like it. */
export interface AssertionLike {
  message: string;
  expected?: unknown;
  actual?: unknown;
  showDiff?: boolean;
}

/** The test's message and the matcher's text, from an error's message (see MESSAGE_END in expect.ts). */
export function splitMessage(message: string): { given: string | undefined; matcher: string } {
  const end = message.lastIndexOf(MESSAGE_END);
  if (end < 0) return { given: undefined, matcher: message.trimEnd() };
  const given = message.slice(0, end).replaceAll(MESSAGE_END, '').trimEnd();
  const matcher = message.slice(end + MESSAGE_END.length).replace(/^: /, '').trimEnd();
  return { given: given === '' ? undefined : given, matcher };
}

/**
 * The lines a learner reads for a failed expectation. `message` is the error's message less
 * anything the caller shows apart (a fault seed's note); it defaults to error.message.
 */
export function failureMessage(error: AssertionLike, message = String(error.message)): string {
  const { given, matcher } = splitMessage(message);
  const lines = given === undefined ? [] : [given];
  const comparing = compares(error, matcher);
  // The message may spell out the differences itself (expectEqual, expectMatch): then they are said once, in its words.
  if (comparing && given !== undefined && alreadyCompares(given)) return lines.join('\n');
  const comparison = comparing ? compare(error.expected, error.actual, !/\sto strictly equal\s/.test(firstLine(matcher))) : undefined;
  lines.push(...(comparison ?? [matcher]));
  return lines.join('\n');
}

/** Matchers whose expected and received are two values that should have been equal. */
function compares(error: AssertionLike, matcher: string): boolean {
  if (error.showDiff !== true || !('expected' in error) || !('actual' in error)) return false;
  const line = firstLine(matcher);
  if (/\snot to\s|\sto not\s/.test(line)) return false;
  return /\sto (?:deeply equal|strictly equal|equal|match object)\s|\sto be (?:null|undefined)$|\/\/ Object\.is equality$/.test(line);
}

/** "…: expected 4, got 3", "x: not expected, got 1", "y: expected 2, but it is missing": the message says what differs. */
function alreadyCompares(given: string): boolean {
  return given.split('\n').some((line) => /\bexpected\b.*\b(?:got|received)\b|\bbut it is missing\b/.test(line));
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

function compare(expected: unknown, actual: unknown, loose: boolean): string[] | undefined {
  const show = new Shower();
  const e = show.value(expected);
  const a = show.value(actual);
  if (e.length <= SHORT && a.length <= SHORT) return e === a ? undefined : [`expected: ${e}`, `received: ${a}`];
  if (comparable(expected, actual)) {
    const differences = show.differences(expected, actual, loose);
    if (differences.length > 0) {
      const shown = differences.length <= MAX_DIFF_LINES ? differences : [...differences.slice(0, MAX_DIFF_LINES - 1), `… and ${differences.length - MAX_DIFF_LINES + 1} more differences`];
      return shown.map((line) => `  ${line}`);
    }
  }
  // Nothing to compare path by path (strings, or values whose difference microdiff cannot see).
  if (e === a) return undefined;
  const lines = [`expected: ${cut(e, LONG)}`, `received: ${cut(a, LONG)}`];
  // Where two long strings part, when the eye would have to look for it.
  const same = typeof expected === 'string' && typeof actual === 'string' ? firstDifference(expected, actual) : 0;
  if (same >= 20) lines.push(`(they differ from character ${same + 1} on)`);
  return lines;
}

function comparable(expected: unknown, actual: unknown): expected is object {
  return typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null && Array.isArray(expected) === Array.isArray(actual);
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface AsymmetricMatcher {
  asymmetricMatch(other: unknown): boolean;
  toAsymmetricMatcher?(): string;
  toString(): string;
}

function isAsymmetric(value: unknown): value is AsymmetricMatcher {
  return typeof value === 'object' && value !== null && typeof (value as Partial<AsymmetricMatcher>).asymmetricMatch === 'function';
}

/** Renders values as compact JSON-like text (what JSON.stringify gives for plain data), whatever they hold. */
class Shower {
  /** Asymmetric matchers (expect.any(String)) that did not match, stood in for by symbols in a diff. */
  private readonly placeholders = new Map<symbol, string>();

  value(value: unknown, max = 4 * LONG): string {
    const out: string[] = [];
    let length = 0;
    const seen: object[] = [];
    const write = (text: string) => {
      out.push(text);
      length += text.length;
    };
    const walk = (v: unknown): void => {
      if (length > max) return;
      if (typeof v === 'string') return write(JSON.stringify(v));
      if (typeof v === 'number') return write(Object.is(v, -0) ? '-0' : String(v));
      if (typeof v === 'bigint') return write(`${v}n`);
      if (typeof v === 'symbol') return write(this.placeholders.get(v) ?? String(v));
      if (typeof v === 'function') return write(`[Function${v.name ? ` ${v.name}` : ''}]`);
      if (v === null || typeof v !== 'object') return write(String(v));
      if (seen.includes(v)) return write('[Circular]');
      if (isAsymmetric(v)) return write(matcherText(v));
      if (v instanceof Date) return write(Number.isNaN(v.getTime()) ? 'Invalid Date' : `Date(${v.toISOString()})`);
      if (v instanceof RegExp) return write(String(v));
      if (v instanceof Error) return write(`${v.name}(${JSON.stringify(v.message)})`);
      seen.push(v);
      const each = <T>(items: Iterable<T>, open: string, close: string, item: (x: T) => void) => {
        write(open);
        let first = true;
        for (const x of items) {
          if (length > max) break;
          if (!first) write(',');
          first = false;
          item(x);
        }
        write(close);
      };
      if (Array.isArray(v)) each(v, '[', ']', walk);
      else if (v instanceof Map) each(v, 'Map {', '}', ([k, x]) => (walk(k), write(' => '), walk(x)));
      else if (v instanceof Set) each(v, 'Set [', ']', walk);
      else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) each(v as unknown as Iterable<unknown>, `${v.constructor.name} [`, ']', walk);
      else {
        const name = Object.getPrototypeOf(v)?.constructor?.name;
        const prefix = name && name !== 'Object' ? `${name} ` : '';
        each(Object.keys(v), `${prefix}{`, '}', (key) => {
          write(`${JSON.stringify(key)}:`);
          walk((v as Record<string, unknown>)[key]);
        });
      }
      seen.pop();
    };
    try {
      walk(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
    const text = out.join('');
    return text.length > max ? `${text.slice(0, max)}…` : text;
  }

  /** One line per path where `actual` differs from `expected`. `loose`: a key whose value is undefined counts as absent (toEqual). */
  differences(expected: object, actual: unknown, loose: boolean): string[] {
    const normalized = this.withMatchers(expected, actual, []) as object;
    let found: Difference[];
    try {
      found = diff(normalized as Record<string, unknown>, actual as Record<string, unknown>);
    } catch {
      return [];
    }
    return found
      .filter((d) => !(loose && d.type !== 'CHANGE' && (d.type === 'CREATE' ? d.value : d.oldValue) === undefined))
      .map((d) => {
        const at = formatPath(d.path);
        if (d.type === 'CREATE') return `${at}: not expected, received ${this.short(d.value)}`;
        if (d.type === 'REMOVE') return `${at}: expected ${this.short(d.oldValue)}, but it is missing`;
        return `${at}: expected ${this.short(d.oldValue)}, received ${this.short(d.value)}`;
      });
  }

  private short(value: unknown): string {
    return cut(this.value(value, IN_LINE), IN_LINE);
  }

  /**
   * `expected` with each asymmetric matcher replaced: by the received value where it matches
   * (no difference there), by a placeholder symbol where it does not (one difference, shown
   * as the matcher). Subtrees without a matcher are kept as they are.
   */
  private withMatchers(expected: unknown, actual: unknown, seen: object[]): unknown {
    if (isAsymmetric(expected)) {
      let matches = false;
      try {
        matches = expected.asymmetricMatch(actual);
      } catch {
        // A matcher that throws does not match.
      }
      if (matches) return actual;
      const symbol = Symbol('matcher');
      this.placeholders.set(symbol, matcherText(expected));
      return symbol;
    }
    if (typeof expected !== 'object' || expected === null || seen.includes(expected)) return expected;
    const plain = Array.isArray(expected) || Object.getPrototypeOf(expected) === Object.prototype || Object.getPrototypeOf(expected) === null;
    if (!plain) return expected;
    seen.push(expected);
    const other = (typeof actual === 'object' && actual !== null ? actual : {}) as Record<string, unknown>;
    let changed = false;
    const copy: Record<string, unknown> | unknown[] = Array.isArray(expected) ? [] : {};
    for (const key of Object.keys(expected)) {
      const before = (expected as Record<string, unknown>)[key];
      const after = this.withMatchers(before, other[key], seen);
      if (after !== before) changed = true;
      (copy as Record<string, unknown>)[key] = after;
    }
    seen.pop();
    return changed ? copy : expected;
  }
}

function matcherText(matcher: AsymmetricMatcher): string {
  try {
    return typeof matcher.toAsymmetricMatcher === 'function' ? matcher.toAsymmetricMatcher() : String(matcher);
  } catch {
    return '[asymmetric matcher]';
  }
}

/** ["orders", 2, "status"] -> orders[2].status; a key that is no identifier is quoted: ["a b"]. */
function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(the value)';
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      if (/^[A-Za-z_$][\w$]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}
