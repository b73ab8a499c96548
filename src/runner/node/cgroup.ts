/**
 * A cgroup v2 of its own for each grader child, where the grader may make one: the kernel caps
 * its memory (`memory.max`) when the memory controller is delegated, and `cgroup.kill` ends all
 * its processes at once, however they are nested. Where it may not, the watchdog in
 * node-runner.ts polls the child's process tree instead, and the run says so in a note.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A cgroup v2 made for one child: all its processes, however started, are in it. */
export interface ChildCgroup {
  dir: string;
  /** Whether the kernel holds the child to its memory cap (`memory.max`, the memory controller delegated to us). */
  memoryCapped: boolean;
  /** The processes in it now. */
  pids(): number[];
  /** Whether the kernel's OOM killer ended a process in it for going over `memory.max`. */
  oomKilled(): boolean;
  /** Kills every process in it. */
  kill(): void;
  /** Removes it; false while processes in it are still exiting. */
  remove(): boolean;
}

let cgroupProbe: { base?: string; memory: boolean; why: string } | undefined;
let cgroupCount = 0;

/** The grader's own cgroup v2 folder, from /proc/self/cgroup and the cgroup2 mount. */
export function ownCgroupDir(procCgroup: string, mountInfo: string): string | undefined {
  const own = procCgroup.split('\n').find((line) => line.startsWith('0::'))?.slice(3).trim();
  if (!own) return undefined;
  for (const line of mountInfo.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 0 || fields[dash + 1] !== 'cgroup2') continue;
    const mountRoot = fields[3]!;
    const mountPoint = fields[4]!;
    if (own === mountRoot || own.startsWith(mountRoot === '/' ? '/' : `${mountRoot}/`)) return join(mountPoint, own.slice(mountRoot === '/' ? 0 : mountRoot.length)).replace(/(.)\/+$/, '$1');
  }
  return undefined;
}

function tryWrite(path: string, text: string): boolean {
  try {
    writeFileSync(path, text);
    return true;
  } catch {
    return false;
  }
}

/** Probes once whether the grader may make cgroups under its own, and whether they get the memory controller. */
function probeCgroup(): NonNullable<typeof cgroupProbe> {
  if (cgroupProbe) return cgroupProbe;
  const watchdog = 'the test process\'s memory is capped by a watchdog that checks its processes every 100 ms, not by the kernel';
  cgroupProbe = { memory: false, why: `no cgroup v2 is delegated to the grader, so ${watchdog}` };
  if (process.platform !== 'linux') return cgroupProbe;
  let found: string | undefined;
  try {
    found = ownCgroupDir(readFileSync('/proc/self/cgroup', 'utf8'), readFileSync('/proc/self/mountinfo', 'utf8'));
    if (!found) return cgroupProbe;
    accessSync(found, constants.W_OK);
  } catch {
    return cgroupProbe;
  }
  const base = found;
  removeStaleCgroups(base);
  const subtree = () => readFileSync(join(base, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
  let memory = false;
  try {
    memory = subtree().includes('memory');
    // Enabling a controller for the subtree fails (EBUSY) where the grader's own cgroup holds processes and is not the root.
    if (!memory && readFileSync(join(base, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('memory')) memory = tryWrite(join(base, 'cgroup.subtree_control'), '+memory') && subtree().includes('memory');
  } catch {
    memory = false;
  }
  // A process must be able to move itself in, as the wrapper's shell will.
  const dir = join(base, `lab-run-${process.pid}-probe`);
  try {
    mkdirSync(dir);
    const moved = spawnSync('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs"', dir], { stdio: 'ignore', timeout: 5_000 });
    if (moved.status !== 0) return cgroupProbe;
    if (memory && !existsSync(join(dir, 'memory.max'))) memory = false;
  } catch {
    return cgroupProbe;
  } finally {
    try {
      rmdirSync(dir);
    } catch {
      // Not made, or its probe process is still exiting: removeStaleCgroups takes it next time.
    }
  }
  cgroupProbe = {
    base,
    memory,
    why: memory ? '' : `the grader's cgroup v2 (${base}) has no memory controller it may delegate, so ${watchdog}`,
  };
  return cgroupProbe;
}

/** Cgroups left by a grader that was killed before it could remove them. */
function removeStaleCgroups(base: string): void {
  try {
    for (const name of readdirSync(base)) {
      const owner = /^lab-run-(\d+)-/.exec(name)?.[1];
      if (!owner || Number(owner) === process.pid || existsSync(`/proc/${owner}`)) continue;
      tryWrite(join(base, name, 'cgroup.kill'), '1');
      try {
        rmdirSync(join(base, name));
      } catch {
        // Still exiting.
      }
    }
  } catch {
    // Nothing to clean.
  }
}

/**
 * Makes a cgroup for one child, capped at `memoryBytes` where the memory controller is ours;
 * undefined (and a note saying why) where the grader may not make cgroups.
 */
export function childCgroup(memoryBytes: number): { cgroup?: ChildCgroup; note?: string } {
  const { base, memory, why } = probeCgroup();
  if (!base) return { note: why };
  const dir = join(base, `lab-run-${process.pid}-${++cgroupCount}`);
  try {
    mkdirSync(dir);
  } catch {
    return { note: `the grader could not make a cgroup for the test process in ${base}, so its memory is capped by a watchdog that checks it every 100 ms` };
  }
  let memoryCapped = false;
  if (memory) {
    memoryCapped = tryWrite(join(dir, 'memory.max'), String(memoryBytes));
    // No swap to spill into, and an OOM ends the whole group, never half of it.
    tryWrite(join(dir, 'memory.swap.max'), '0');
    tryWrite(join(dir, 'memory.oom.group'), '1');
  }
  const pids = (): number[] => {
    const found: number[] = [];
    const walk = (folder: string) => {
      try {
        for (const line of readFileSync(join(folder, 'cgroup.procs'), 'utf8').split('\n')) if (line) found.push(Number(line));
        for (const entry of readdirSync(folder, { withFileTypes: true })) if (entry.isDirectory()) walk(join(folder, entry.name));
      } catch {
        // Removed while we looked.
      }
    };
    walk(dir);
    return found;
  };
  return {
    cgroup: {
      dir,
      memoryCapped,
      pids,
      oomKilled: () => {
        try {
          return /^oom_kill\s+[1-9]/m.test(readFileSync(join(dir, 'memory.events'), 'utf8'));
        } catch {
          return false;
        }
      },
      kill: () => {
        // cgroup.kill (Linux 5.14) kills every member at once, also one that is forking.
        if (tryWrite(join(dir, 'cgroup.kill'), '1')) return;
        tryWrite(join(dir, 'cgroup.freeze'), '1');
        for (const pid of pids()) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
      },
      remove: () => {
        try {
          rmdirSync(dir);
          return true;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code === 'ENOENT';
        }
      },
    },
    note: why || undefined,
  };
}
