/**
 * How the grader's child process is confined, decided in the parent. Lab code is untrusted, so
 * on a grading machine the child runs:
 *
 * - under Node's permission model: it may read only the course's runner code (src/), the
 *   installed packages (node_modules/, where PGlite and sql.js keep their wasm and data files)
 *   and the PGlite snapshot, and write only to a fresh temporary folder. No child processes,
 *   workers, addons or WASI. The lab's files (starter, learner files, tests) reach the child
 *   over IPC, so labs/ is never readable: not the solution, not the tests folder.
 * - where `unshare` works (Linux with unprivileged user namespaces), in new user, network and
 *   PID namespaces: the network has only loopback (brought up, so labs that serve over HTTP on
 *   127.0.0.1 still work), and the child cannot see or signal any process outside its own.
 *
 * What is available is probed once per grader process; what is missing is reported as a note
 * on the run, never silently assumed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface SandboxPlan {
  /** The program to start and its arguments, ending with node, its flags, the child module and its arguments. */
  command: string;
  args: string[];
  /** What could not be applied on this machine, in words for the run's notes. */
  missing: string[];
}

const IP_CANDIDATES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

let probed: { permission: boolean; unshare: string | undefined; why: string[] } | undefined;

/** What this machine supports; cheap after the first call (one `unshare` probe, ~10 ms). */
function probe(): NonNullable<typeof probed> {
  if (probed) return probed;
  const why: string[] = [];
  const permission = process.allowedNodeEnvironmentFlags.has('--permission');
  if (!permission) why.push(`Node ${process.version} has no --permission flag, so the test process can read and write files as the grader can`);
  let unshare: string | undefined;
  const ip = IP_CANDIDATES.find((p) => existsSync(p));
  if (process.platform !== 'linux') why.push('not on Linux, so the test process keeps network access and can see other processes');
  else if (!ip) why.push('no `ip` command to bring up loopback in a network namespace, so the test process keeps network access');
  else {
    const check = spawnSync('unshare', ['-rn', '--pid', '--fork', ip, 'link', 'set', 'lo', 'up'], { stdio: 'ignore', timeout: 5_000 });
    if (check.status === 0) unshare = ip;
    else why.push('`unshare` cannot create user and network namespaces here, so the test process keeps network access and can signal other processes');
  }
  probed = { permission, unshare, why };
  return probed;
}

export interface SandboxInput {
  childModule: string;
  nodeFlags: string[];
  /** The PGlite snapshot, the one file outside src/ and node_modules/ the child reads. */
  snapshot: string;
  /** A fresh folder, the only place the child may write. */
  tempDir: string;
}

/** The command that starts a confined child. */
export function sandboxCommand(input: SandboxInput): SandboxPlan {
  const { permission, unshare, why } = probe();
  const flags = [...input.nodeFlags];
  if (permission) {
    // The child module sits in <root>/src/runner/node/; its imports are in src/ and node_modules/.
    const root = resolve(dirname(input.childModule), '..', '..', '..');
    flags.push(
      '--permission',
      `--allow-fs-read=${join(root, 'src')}`,
      `--allow-fs-read=${join(root, 'node_modules')}`,
      `--allow-fs-read=${input.snapshot}`,
      `--allow-fs-write=${input.tempDir}`,
    );
  }
  const node = [process.execPath, ...flags, input.childModule];
  if (!unshare) return { command: node[0]!, args: node.slice(1), missing: why };
  // `--fork` makes the child PID 1 of its own PID namespace: process.kill() cannot reach the
  // grader. `sh` brings loopback up inside the namespace, then becomes node (exec keeps the
  // IPC and event pipes, which are plain inherited file descriptors).
  return {
    command: 'unshare',
    args: ['-rn', '--pid', '--fork', '/bin/sh', '-c', `${unshare} link set lo up && exec "$0" "$@"`, ...node],
    missing: why,
  };
}

/**
 * Resident memory of a process and everything under it, in bytes (Linux: /proc), or undefined
 * when it cannot be read (another OS, or the process is gone). Counts native memory too
 * (ArrayBuffers, wasm heaps), which the JS heap limit does not.
 */
export function residentBytes(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  let total = 0;
  const visit = (p: number, depth: number): void => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+)/.exec(status);
      if (kb) total += Number(kb[1]) * 1024;
      if (depth > 3) return;
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        for (const child of children ? children.split(/\s+/) : []) visit(Number(child), depth + 1);
      }
    } catch {
      // The process ended while we looked.
    }
  };
  visit(pid, 0);
  return total;
}
