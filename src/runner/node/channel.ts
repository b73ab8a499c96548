/**
 * The event channel from the grader's child process to the parent, which the submission can
 * neither reach usefully nor forge.
 *
 * Events travel on their own pipe (file descriptor 4), never on stdout, stderr or the IPC
 * channel, which the child closes once it has its run. The submission runs in the same process
 * and can write to that pipe too, so every line starts with a key: 32 random bytes the parent
 * chose for this child and sent with the run. The key lives only in the child's closures; the
 * child's lockdown (lockdown.ts) removes the ways to read another module's memory (heap
 * snapshots, the inspector). A line without the key, malformed, or oversized is dropped and
 * counted; the driver then checks that the events that remain come in a sensible order.
 *
 * Frame format: `\n<key hex> <JSON event>\n`. The leading newline makes every event start a
 * line of its own, whatever the submission wrote before it: a byte, or megabytes without a
 * newline, end as a line of their own and are dropped, and the event after them still arrives.
 * (A length prefix would do the same only if the reader could find the start of a frame, which
 * bytes written before it would shift; the newline resynchronises by itself.)
 *
 * A channel the submission closed or replaced (closed fd 4, then opened a file that took its
 * number) is not waited out: the child checks before each write that fd 4 is still the pipe it
 * was given, and ends at once with CHANNEL_BROKEN_EXIT when it is not or a write fails; the
 * parent stops a child whose end of the pipe closed while it still runs (watchChannelEnd).
 */
import { randomBytes } from 'node:crypto';
import { fstatSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { PlannedTest, TestOutcome } from '../../schemas/lab-result.ts';
import type { ExecutorEvent, StartPhase } from '../protocol.ts';

/** File descriptor of the event pipe in the child. */
export const EVENT_FD = 4;
/** A line longer than this is not an event (a plan of 1,000 tests is ~150 KB). */
const MAX_LINE = 1024 * 1024;
/** Lines past this total mean the channel is being flooded; the child is stopped. */
export const MAX_CHANNEL_BYTES = 16 * 1024 * 1024;
/** Texts shown to learners are cut to these lengths. */
const MAX_MESSAGE = 4_000;
const MAX_OUTPUT = 5_000;

/** The child's exit code when its event channel was closed or replaced under it. */
export const CHANNEL_BROKEN_EXIT = 86;
/** What the learner is told when the channel broke. */
export const CHANNEL_BROKEN_REASON = "the submission closed or broke the grader's event channel";

// Captured when the child imports this module, before any lab code runs.
const writeBytes = writeSync;
const statFd = fstatSync;
const stringify = JSON.stringify;
const toBytes = Buffer.from.bind(Buffer) as (text: string) => Buffer;
/** Ends the process without running 'exit' listeners, which lab code may have added to hang it. */
const reallyExit: (code: number) => void =
  typeof (process as unknown as { reallyExit?: unknown }).reallyExit === 'function'
    ? (process as unknown as { reallyExit: (code: number) => void }).reallyExit.bind(process)
    : process.exit.bind(process);

export function newChannelKey(): string {
  return randomBytes(32).toString('hex');
}

export interface ChannelReader {
  /** Feeds bytes read from the pipe; calls onEvent for each valid event. */
  push(chunk: Buffer): void;
  /** How many lines were dropped (no key, not JSON, not an event). */
  readonly dropped: number;
  /** Bytes read so far. */
  readonly bytes: number;
}

/**
 * Besides executor events, the child announces its own end: `{"type":"exiting","code":N}` from
 * its first 'exit' listener. Tearing down a process with PGlite's wasm heap takes 0.5 s or more
 * (seconds on a busy machine), which a test's time limit would otherwise absorb.
 */
export function channelReader(key: string, onEvent: (event: ExecutorEvent) => void, onExiting: (code: number) => void): ChannelReader {
  const prefix = `${key} `;
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let dropped = 0;
  let bytes = 0;
  let skipping = false;
  const line = (text: string) => {
    // Every frame starts with a newline, so empty lines are the framing, not forgeries.
    if (text.length === 0) return;
    if (!text.startsWith(prefix)) {
      dropped += 1;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text.slice(prefix.length));
    } catch {
      dropped += 1;
      return;
    }
    if (isRecord(value) && value.type === 'exiting' && Number.isInteger(value.code)) {
      onExiting(value.code as number);
      return;
    }
    const event = asEvent(value);
    if (event) onEvent(event);
    else dropped += 1;
  };
  return {
    push(chunk: Buffer) {
      bytes += chunk.length;
      let start = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, i);
        start = i + 1;
        if (skipping) {
          skipping = false;
          dropped += 1;
        } else {
          line(Buffer.concat([...pending, piece]).toString('utf8'));
        }
        pending = [];
        pendingLength = 0;
      }
      if (start < chunk.length && !skipping) {
        pending.push(chunk.subarray(start));
        pendingLength += chunk.length - start;
        // An endless line is dropped as it comes, not buffered.
        if (pendingLength > MAX_LINE) {
          skipping = true;
          pending = [];
          pendingLength = 0;
        }
      }
    },
    get dropped() {
      return dropped;
    },
    get bytes() {
      return bytes;
    },
  };
}

export interface ChannelWriter {
  /** Writes one frame; when the channel is closed or replaced, ends the process with CHANNEL_BROKEN_EXIT. */
  send(value: unknown): void;
  /** Writes one frame if it can, never ends the process (for the child's 'exit' listener). */
  trySend(value: unknown): boolean;
}

/**
 * The child's side of the channel on `fd`. It remembers which pipe `fd` is now (device and
 * inode), before any lab code runs, and checks it before every write: lab code that closes the
 * descriptor and opens a file (which takes the lowest free number, 4) would otherwise have the
 * events written into that file while the parent waits for them until a time limit.
 */
export function channelWriter(key: string, fd: number = EVENT_FD, onBroken: () => void = () => reallyExit(CHANNEL_BROKEN_EXIT)): ChannelWriter {
  const identity = (): string | undefined => {
    try {
      const stat = statFd(fd);
      return `${stat.dev}:${stat.ino}`;
    } catch {
      return undefined;
    }
  };
  const pipe = identity();
  const write = (value: unknown): boolean => {
    const bytes = toBytes(`\n${key} ${stringify(value)}\n`);
    if (pipe === undefined || identity() !== pipe) return false;
    try {
      // The pipe is blocking, so a write returns short only when interrupted; finish it.
      for (let done = 0; done < bytes.length; ) done += writeBytes(fd, bytes, done, bytes.length - done);
      return true;
    } catch {
      // EBADF, EPIPE: the descriptor was closed, or the parent's end is gone.
      return false;
    }
  };
  return {
    send(value) {
      if (!write(value)) onBroken();
    },
    trySend: write,
  };
}

/**
 * The parent's side: the child's end of the pipe closing while the child still runs means the
 * submission closed it (when nothing else holds a copy of it, as a wrapper process may). The
 * child gets `graceMs` to exit on its own, as it does right after its end closes when it ends
 * normally; then `onBroken` is called.
 */
export function watchChannelEnd(events: Readable, childAlive: () => boolean, onBroken: () => void, graceMs = 1_000): void {
  let fired = false;
  const ended = () => {
    if (fired) return;
    fired = true;
    const timer = setTimeout(() => {
      if (childAlive()) onBroken();
    }, graceMs);
    timer.unref();
  };
  events.once('end', ended);
  events.once('close', ended);
}

/** Text a learner will see: valid Unicode, no terminal control characters, bounded. */
export function cleanText(value: string, max: number): string {
  // C0 controls (but tab and newline), DEL and C1 controls could move a terminal's cursor or
  // recolour the report; lone surrogates (from invalid UTF-8) would make invalid JSON for some readers.
  // eslint-disable-next-line no-control-regex
  const text = value.toWellFormed().replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD');
  return text.length > max ? `${text.slice(0, max)}… (cut at ${max} characters)` : text;
}

const STATUSES = new Set(['pass', 'fail', 'error', 'timeout']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asPlannedTest(value: unknown): PlannedTest | undefined {
  if (!isRecord(value)) return undefined;
  const { id, name, task, points, timeoutMs } = value;
  if (typeof id !== 'string' || typeof name !== 'string' || !Number.isInteger(task) || typeof points !== 'number' || typeof timeoutMs !== 'number') return undefined;
  if (!(points >= 0) || !(timeoutMs > 0)) return undefined;
  return { id, name, task: task as number, points, timeoutMs };
}

function asOutcome(value: unknown): TestOutcome | undefined {
  if (!isRecord(value)) return undefined;
  const { status, message, durationMs, output, stoppedIn, blockedBy } = value;
  if (typeof status !== 'string' || !STATUSES.has(status) || typeof message !== 'string' || typeof durationMs !== 'number') return undefined;
  if (output !== undefined && typeof output !== 'string') return undefined;
  const loop = asLoopSite(stoppedIn);
  return {
    status: status as TestOutcome['status'],
    message: cleanText(message, MAX_MESSAGE),
    durationMs: Number.isFinite(durationMs) && durationMs >= 0 ? durationMs : 0,
    ...(output ? { output: cleanText(output, MAX_OUTPUT) } : {}),
    ...(loop ? { stoppedIn: loop } : {}),
    ...(typeof blockedBy === 'string' && blockedBy ? { blockedBy: cleanText(blockedBy, 200) } : {}),
  };
}

function asLoopSite(value: unknown): TestOutcome['stoppedIn'] {
  if (!isRecord(value)) return undefined;
  const { function: name, file, line } = value;
  if (typeof name !== 'string' || typeof file !== 'string' || !isLine(line)) return undefined;
  return { function: cleanText(name, 200), file: cleanText(file, 200), line };
}

function isLine(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 10_000_000;
}

const START_PHASES = new Set<string>(['process-start', 'modules-loaded', 'run-received', 'sandbox-ready', 'databases-ready', 'tests-loaded', 'lab-compiled'] satisfies StartPhase[]);

/** Which test ids each test file declared: strings only, at most as many as a lab could have. */
function asTestFiles(value: Record<string, unknown>): Record<string, string[]> {
  const files: Record<string, string[]> = {};
  for (const [file, ids] of Object.entries(value).slice(0, 200)) {
    if (Array.isArray(ids)) files[cleanText(file, 200)] = ids.filter((id): id is string => typeof id === 'string').slice(0, 1_000);
  }
  return files;
}

/** The event, rebuilt from known fields only, or undefined when it is not a well-formed one. */
export function asEvent(value: unknown): ExecutorEvent | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'plan': {
      if (!Array.isArray(value.tests)) return undefined;
      const tests = value.tests.map(asPlannedTest);
      return tests.every((t) => t !== undefined) ? { type: 'plan', tests: tests as PlannedTest[] } : undefined;
    }
    case 'evaluating':
      return typeof value.file === 'string' ? { type: 'evaluating', file: cleanText(value.file, 200) } : undefined;
    case 'compile-error': {
      if (typeof value.file !== 'string' || typeof value.message !== 'string') return undefined;
      const at = isLine(value.line) && value.line >= 1 ? { line: value.line, ...(isLine(value.column) && value.column >= 1 ? { column: value.column } : {}) } : {};
      return { type: 'compile-error', file: cleanText(value.file, 200), ...at, message: cleanText(value.message, MAX_MESSAGE) };
    }
    case 'lab-loaded':
    case 'done':
      return { type: value.type };
    case 'test-start':
      return typeof value.id === 'string' ? { type: 'test-start', id: value.id } : undefined;
    case 'test-end': {
      const outcome = asOutcome(value.outcome);
      return typeof value.id === 'string' && outcome ? { type: 'test-end', id: value.id, outcome } : undefined;
    }
    case 'fatal':
      return typeof value.message === 'string' ? { type: 'fatal', message: cleanText(value.message, MAX_MESSAGE) } : undefined;
    case 'phase': {
      if (typeof value.phase !== 'string' || !START_PHASES.has(value.phase) || typeof value.at !== 'number' || !Number.isFinite(value.at)) return undefined;
      return { type: 'phase', phase: value.phase as StartPhase, at: value.at, ...(isRecord(value.testFiles) ? { testFiles: asTestFiles(value.testFiles) } : {}) };
    }
    default:
      return undefined;
  }
}
