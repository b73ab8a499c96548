/**
 * The processes of one grader child as Linux's /proc shows them: the tree under the wrapper
 * however deep, their resident memory together, and processes that left the tree but are still
 * the child's. The memory watchdog (node-runner.ts) reads it every 100 ms.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it. */
interface ProcessInfo {
  /** Start time in clock ticks since boot: with the PID, it names the process even after PIDs wrap. */
  start: string;
  zombie: boolean;
  rss: number;
  children: number[];
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0]!;
    const start = fields[19]!;
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    const children: number[] = [];
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
        if (list) children.push(...list.split(/\s+/).map(Number));
      } catch {
        // The thread ended while we looked.
      }
    }
    return { start, zombie: state === 'Z' || state === 'X', rss: kb ? Number(kb[1]) * 1024 : 0, children };
  } catch {
    return undefined;
  }
}

/** Whether the process that had this start time still runs (not a zombie, not a new process with a reused PID). */
export function isRunning(pid: number, start: string): boolean {
  const info = readProcess(pid);
  return info !== undefined && !info.zombie && info.start === start;
}

export interface ProcessTree {
  /** Whether the root process still runs (not gone, not a zombie). */
  rootRunning: boolean;
  /** Every running process of the tree, root included, by PID, with its start time. */
  members: Map<number, string>;
  /** Their resident memory together, in bytes. */
  rss: number;
}

/**
 * A process and everything under it however deep (Linux: /proc), plus `extra` processes that
 * belong to it although they may have left the tree: a bare PID (a member of its cgroup) is
 * always counted, a [PID, start time] pair (a process seen in it before) only while that same
 * process runs. Each process is counted once, so a cycle in what /proc reports cannot loop.
 */
export function processTree(root: number, extra: Iterable<number | readonly [number, string]> = []): ProcessTree {
  const members = new Map<number, string>();
  const visited = new Set<number>();
  let rss = 0;
  let rootRunning = false;
  const pending: (number | readonly [number, string])[] = [root, ...extra];
  while (pending.length > 0) {
    const item = pending.pop()!;
    const [pid, expected] = typeof item === 'number' ? [item, undefined] : item;
    if (visited.has(pid) || !Number.isInteger(pid) || pid <= 0) continue;
    const info = readProcess(pid);
    if (!info || info.zombie || (expected !== undefined && info.start !== expected)) continue;
    visited.add(pid);
    if (pid === root) rootRunning = true;
    members.set(pid, info.start);
    rss += info.rss;
    pending.push(...info.children);
  }
  return { rootRunning, members, rss };
}
