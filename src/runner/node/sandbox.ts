/**
 * How the grader's child process is confined, decided in the parent. Lab code is untrusted, so
 * on a grading machine the child runs inside layers that each hold on their own:
 *
 * - where bubblewrap (`bwrap`) works, in its own mount namespace that holds only what the child
 *   needs: the Node binary and the system's shared libraries, the course's `src/` and
 *   `node_modules/` and the PGlite snapshot, all read-only at their usual paths, a private
 *   tmpfs of DISK_QUOTA_BYTES at the child's temporary folder (a full disk is ENOSPC in the
 *   child, never on the host), its own /proc and a minimal /dev. No labs/, no .git, no /etc,
 *   no host /tmp, no /run and no socket of the host. New user (uid 65534 inside, no further
 *   user namespaces), network (loopback only), PID, IPC, UTS and cgroup namespaces, a session of
 *   its own, and it dies with its parent.
 * - where bubblewrap is missing or fails, `unshare` gives the same user, network and PID
 *   namespaces (own /proc, killed with `unshare`, `unshare` killed with the grader) but the
 *   host's file system, limited only by the next layer.
 * - under Node's permission model, in both cases: it may read only src/, node_modules/ and the
 *   snapshot, and write only its temporary folder. No child processes, workers, addons or WASI.
 *   The lab's files (starter, learner files, tests) reach the child over IPC, so labs/ is
 *   never readable.
 * - in a cgroup v2 of its own where the grader may create one (cgroup.ts): the kernel caps
 *   its memory (`memory.max`) when the memory controller is delegated, and the whole group is
 *   killed at once however its processes are nested. Otherwise node-runner.ts's watchdog polls
 *   the resident memory of its process tree (process-tree.ts).
 *
 * What is available is probed once per grader process; what is missing is reported as a note
 * on the run, never silently assumed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

export interface SandboxPlan {
  /** The program to start and its arguments, ending with node, its flags, the child module and its arguments. */
  command: string;
  args: string[];
  /** What could not be applied on this machine, in words for the run's notes. */
  missing: string[];
  /** The process that confines the child, when there is one: its death while the child runs is a breach. */
  wrapper?: 'bwrap' | 'unshare';
}

/** The size of the child's private temporary folder under bubblewrap. */
export const DISK_QUOTA_BYTES = 64 * 1024 * 1024;
/** The user the child runs as inside bubblewrap's user namespace ("nobody"). */
const SANDBOX_ID = '65534';

const IP_CANDIDATES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];
const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv'];
/** Where the dynamic loader finds the libraries Node links against (glibc, libstdc++); the rest of /usr stays out. */
const LIBRARY_DIRS = ['/usr/lib', '/usr/lib64', '/lib', '/lib64'];
const FILE_SYSTEM_NOTE = 'so the test process sees the whole file system, limited only by Node\'s permission model, and its temporary folder has no size limit';

interface Probed {
  permission: boolean;
  /** bwrap's path and the optional flags this version accepts. */
  bwrap?: { path: string; flags: string[] };
  /** For the unshare path: `ip`, and the optional flags that worked. */
  unshare?: { ip: string; flags: string[]; setpriv?: string };
  why: string[];
}

let probed: Probed | undefined;

function findProgram(name: string): string | undefined {
  const dirs = ['/usr/bin', '/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(delimiter)];
  return dirs.map((dir) => join(dir, name)).find((path) => path.startsWith('/') && existsSync(path));
}

function nodeBinary(): string {
  return realpathSync(process.execPath);
}

/** The read-only mounts of the libraries: a directory is bound, a merged-/usr link (`/lib -> usr/lib`) is recreated as a link. */
function libraryMounts(): string[] {
  const args: string[] = [];
  for (const dir of LIBRARY_DIRS) {
    try {
      const stat = lstatSync(dir);
      if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
      else if (stat.isDirectory()) args.push('--ro-bind', dir, dir);
    } catch {
      // Not on this system.
    }
  }
  return args;
}

interface MountInput {
  /** The course root: <root>/src and <root>/node_modules are mounted. */
  root: string;
  snapshot?: string;
  tempDir: string;
  /** Optional bwrap flags this version accepts. */
  flags: string[];
}

/** bubblewrap's arguments up to (not including) the command. */
function bwrapArgs(input: MountInput): string[] {
  const node = nodeBinary();
  const readOnly = [join(input.root, 'src'), join(input.root, 'node_modules'), ...(input.snapshot ? [input.snapshot] : [])];
  return [
    '--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup',
    ...input.flags,
    '--uid', SANDBOX_ID, '--gid', SANDBOX_ID,
    '--cap-drop', 'ALL',
    '--die-with-parent', '--new-session',
    '--hostname', 'lab',
    '--ro-bind', node, node,
    ...libraryMounts(),
    ...readOnly.flatMap((path) => ['--ro-bind', path, path]),
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(DISK_QUOTA_BYTES), '--tmpfs', input.tempDir,
    // bwrap's own root and /dev are tmpfs that would take files without a size limit.
    '--remount-ro', '/dev',
    '--remount-ro', '/',
    '--chdir', input.tempDir,
    '--',
  ];
}

/** Starts `node --version` under bubblewrap with the grader's mounts: a note when it cannot. */
function probeBwrap(root: string): { path: string; flags: string[] } | string {
  const path = findProgram('bwrap');
  if (!path) return `bubblewrap (\`bwrap\`, Debian's \`bubblewrap\`) is not installed, ${FILE_SYSTEM_NOTE}`;
  let failure = '';
  // --disable-userns (bubblewrap 0.8) keeps the child from making user namespaces of its own.
  for (const flags of [['--disable-userns'], []]) {
    const check = spawnSync(path, [...bwrapArgs({ root, tempDir: join(tmpdir(), 'lab-run-probe'), flags }), nodeBinary(), '--version'], { encoding: 'utf8', timeout: 5_000 });
    if (check.status === 0 && check.stdout.trim() === process.version) return { path, flags };
    failure ||= (check.stderr || check.error?.message || `exit code ${check.status}`).trim().split('\n')[0]!;
  }
  return `bubblewrap could not start Node in a sandbox here (${failure}), ${FILE_SYSTEM_NOTE}`;
}

/** What this machine supports; cheap after the first call (one `bwrap` probe, ~50 ms). */
function probe(root: string): Probed {
  if (probed) return probed;
  const why: string[] = [];
  const permission = process.allowedNodeEnvironmentFlags.has('--permission');
  if (!permission) why.push(`Node ${process.version} has no --permission flag, so the test process can read and write files as the grader can`);
  probed = { permission, why };
  if (process.platform !== 'linux') {
    why.push('not on Linux, so the test process sees the whole file system, keeps network access and can see other processes');
    return probed;
  }
  const bwrap = probeBwrap(root);
  if (typeof bwrap !== 'string') {
    probed.bwrap = bwrap;
    return probed;
  }
  why.push(bwrap);
  const ip = IP_CANDIDATES.find((p) => existsSync(p));
  if (!ip) {
    why.push('no `ip` command to bring up loopback in a network namespace, so the test process keeps network access');
    return probed;
  }
  // --mount-proc gives the PID namespace its own /proc, so host processes are not even listed.
  for (const flags of [['--kill-child', '--mount-proc'], ['--kill-child'], []]) {
    const check = spawnSync('unshare', ['-rn', '--pid', '--fork', ...flags, ip, 'link', 'set', 'lo', 'up'], { stdio: 'ignore', timeout: 5_000 });
    if (check.status === 0) {
      probed.unshare = { ip, flags, setpriv: SETPRIV_CANDIDATES.find((p) => existsSync(p)) };
      return probed;
    }
  }
  why.push('`unshare` cannot create user and network namespaces here, so the test process keeps network access and can signal other processes');
  return probed;
}

export interface SandboxInput {
  childModule: string;
  nodeFlags: string[];
  /** The PGlite snapshot, the one file outside src/ and node_modules/ the child reads. */
  snapshot: string;
  /** A fresh folder, the only place the child may write. */
  tempDir: string;
  /** A cgroup made for this child (ChildCgroup.dir): the wrapper moves itself in before it starts anything. */
  cgroup?: string;
  /**
   * For tests of the OS layers only: leave out Node's permission model, so that a probe shows
   * what the namespaces alone allow. Never set by the grader.
   */
  withoutPermissionModel?: boolean;
}

/** The command that starts a confined child. */
export function sandboxCommand(input: SandboxInput): SandboxPlan {
  // The child module sits in <root>/src/runner/node/; its imports are in src/ and node_modules/.
  const root = resolve(dirname(input.childModule), '..', '..', '..');
  const { permission, bwrap, unshare, why } = probe(root);
  const flags = [...input.nodeFlags];
  if (permission && !input.withoutPermissionModel) {
    flags.push(
      '--permission',
      `--allow-fs-read=${join(root, 'src')}`,
      `--allow-fs-read=${join(root, 'node_modules')}`,
      `--allow-fs-read=${input.snapshot}`,
      `--allow-fs-write=${input.tempDir}`,
    );
  }
  let plan: SandboxPlan;
  if (bwrap) {
    const node = [nodeBinary(), ...flags, input.childModule];
    plan = { command: bwrap.path, args: [...bwrapArgs({ root, snapshot: input.snapshot, tempDir: input.tempDir, flags: bwrap.flags }), ...node], missing: why, wrapper: 'bwrap' };
  } else if (unshare) {
    const node = [process.execPath, ...flags, input.childModule];
    // `--fork` makes the child PID 1 of its own PID namespace: process.kill() cannot reach the
    // grader. `sh` brings loopback up inside the namespace, then becomes node (exec keeps the
    // IPC and event pipes, which are plain inherited file descriptors). `--kill-child` ends the
    // child with `unshare`, and setpriv's parent-death signal ends `unshare` with the grader.
    const args = ['-rn', '--pid', '--fork', ...unshare.flags, '/bin/sh', '-c', `${unshare.ip} link set lo up && exec "$0" "$@"`, ...node];
    plan = unshare.setpriv
      ? { command: unshare.setpriv, args: ['--pdeathsig', 'KILL', 'unshare', ...args], missing: why, wrapper: 'unshare' }
      : { command: 'unshare', args, missing: why, wrapper: 'unshare' };
  } else {
    const node = [process.execPath, ...flags, input.childModule];
    plan = { command: node[0]!, args: node.slice(1), missing: why };
  }
  if (input.cgroup) {
    // The shell joins the cgroup, then becomes the wrapper: everything it starts is in it.
    plan = { ...plan, command: '/bin/sh', args: ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', input.cgroup, plan.command, ...plan.args] };
  }
  return plan;
}
