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
 * Line format: `<key hex> <JSON event>\n`.
 */
import { randomBytes } from 'node:crypto';
import type { PlannedTest, TestOutcome } from '../../schemas/lab-result.ts';
import type { ExecutorEvent } from '../protocol.ts';

/** File descriptor of the event pipe in the child. */
export const EVENT_FD = 4;
/** A line longer than this is not an event (a plan of 1,000 tests is ~150 KB). */
const MAX_LINE = 1024 * 1024;
/** Lines past this total mean the channel is being flooded; the child is stopped. */
export const MAX_CHANNEL_BYTES = 16 * 1024 * 1024;
/** Texts shown to learners are cut to these lengths. */
const MAX_MESSAGE = 4_000;
const MAX_OUTPUT = 5_000;

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
  const { status, message, durationMs, output } = value;
  if (typeof status !== 'string' || !STATUSES.has(status) || typeof message !== 'string' || typeof durationMs !== 'number') return undefined;
  if (output !== undefined && typeof output !== 'string') return undefined;
  return {
    status: status as TestOutcome['status'],
    message: cleanText(message, MAX_MESSAGE),
    durationMs: Number.isFinite(durationMs) && durationMs >= 0 ? durationMs : 0,
    ...(output ? { output: cleanText(output, MAX_OUTPUT) } : {}),
  };
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
    default:
      return undefined;
  }
}
