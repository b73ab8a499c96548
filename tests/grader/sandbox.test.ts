/**
 * The grader's OS-level confinement, tested at the OS layer itself rather than through learner
 * code (which runs in an SES Compartment and cannot reach `fs` at all): a probe script is
 * started by `sandboxCommand()` exactly as the runner starts its child (same command, mounts,
 * environment, working folder, file descriptors; the real child module path, so the mounts and
 * permission flags are the runner's), except that the probe is given to Node with `-e` and,
 * where a test says so, without Node's permission model, so that only the namespaces stand
 * between it and the host. Then the grader itself, killed by a signal, must leave nothing.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadLab } from '../../src/labs/load-lab.ts';
import { ensurePgSnapshot } from '../../src/runner/node/engines.ts';
import { NodeRunner } from '../../src/runner/node/node-runner.ts';
import { childCgroup, ownCgroupDir } from '../../src/runner/node/cgroup.ts';
import { isRunning, processTree } from '../../src/runner/node/process-tree.ts';
import { DISK_QUOTA_BYTES, sandboxCommand, type SandboxInput } from '../../src/runner/node/sandbox.ts';
import { processesMentioning } from '../support/processes.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CHILD = join(ROOT, 'src/runner/node/child.ts');
const FLAGS = ['--max-old-space-size=512', '--disable-warning=ExperimentalWarning'];

/** Starts what sandboxCommand() plans, as NodeRunner does, with a probe given to Node as `-e`; resolves with what it wrote to fd 4. */
async function runProbe(script: string, options: { permission?: boolean; message?: unknown } = {}) {
  const tempDir = mkdtempSync(join(tmpdir(), 'lab-run-'));
  const snapshot = await ensurePgSnapshot();
  const input: SandboxInput = { childModule: CHILD, nodeFlags: [...FLAGS, '-e', script], snapshot, tempDir, withoutPermissionModel: options.permission === false };
  const plan = sandboxCommand(input);
  const child = spawn(plan.command, plan.args, {
    cwd: tempDir,
    env: { LAB_PG_SNAPSHOT: snapshot, NODE_ENV: 'test', TMPDIR: tempDir, HOME: tempDir },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe'],
    detached: true,
  });
  if (options.message !== undefined) child.send(options.message as object);
  const chunks: Buffer[] = [];
  let stderr = '';
  (child.stdio[4] as Readable).on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const hostFiles = readdirSync(tempDir);
  rmSync(tempDir, { recursive: true, force: true });
  const text = Buffer.concat(chunks).toString('utf8');
  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(text) as Record<string, unknown>;
  } catch {
    assert.fail(`the probe wrote no report (exit code ${code}): ${text}\n${stderr}`);
  }
  return { plan, code, report, stderr, tempDir, hostFiles };
}

/** What an attacker in the child tries, at the OS layer: every result is an error code or what it saw. */
const PROBE = String.raw`
const fs = require('node:fs'), net = require('node:net'), os = require('node:os');
const p = PARAMS;
const code = (f) => { try { const v = f(); return { ok: true, value: v }; } catch (e) { return { ok: false, code: e.code ?? String(e) }; } };
const connect = (path) => new Promise((done) => { const s = net.connect(path); s.on('connect', () => { s.destroy(); done('connected'); }); s.on('error', (e) => done(e.code)); });
(async () => {
  const r = {};
  r.ipcFd = code(() => fs.fstatSync(3).isSocket());
  r.eventFd = code(() => fs.fstatSync(4).isSocket() || fs.fstatSync(4).isFIFO());
  r.uid = process.getuid();
  r.pid = process.pid;
  for (const [name, path] of Object.entries({ labs: p.root + '/labs', tests: p.root + '/tests', git: p.root + '/.git', rootFolder: p.root, etc: '/etc', run: '/run', varRun: '/var/run', sys: '/sys', home: '/home' })) r['list_' + name] = code(() => fs.readdirSync(path));
  for (const [name, path] of Object.entries({ solution: p.solution, gitHead: p.root + '/.git/HEAD', packageJson: p.root + '/package.json', marker: p.marker, passwd: '/etc/passwd' })) r['read_' + name] = code(() => fs.readFileSync(path, 'utf8'));
  r.tmp = code(() => fs.readdirSync('/tmp'));
  r.src = code(() => fs.readdirSync(p.root + '/src').length > 0);
  // Only where bubblewrap confines it: without the permission model, on the host, these writes would land.
  if (p.confined) for (const [name, path] of Object.entries({ root: '/x', dev: '/dev/x', shm: '/dev/shm/x', src: p.root + '/src/x', nodeModules: p.root + '/node_modules/x' })) r['write_' + name] = code(() => fs.writeFileSync(path, 'x', { flag: 'wx' }));
  r.unixSocket = await connect(p.socket);
  r.abstractSocket = await connect('\0' + p.abstract);
  r.outbound = await new Promise((done) => { const s = net.connect({ host: '1.1.1.1', port: 53 }); s.on('connect', () => { s.destroy(); done('connected'); }); s.on('error', (e) => done(e.code)); setTimeout(() => { s.destroy(); done('timeout'); }, 3000); });
  r.interfaces = Object.keys(os.networkInterfaces());
  r.loopback = await new Promise((done) => { const server = net.createServer((c) => c.end('hi')).listen(0, '127.0.0.1', () => { const s = net.connect(server.address().port, '127.0.0.1'); s.on('data', (d) => { server.close(); done(String(d)); }); s.on('error', (e) => done(e.code)); }); });
  r.processes = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  r.graderProc = fs.existsSync('/proc/' + p.grader);
  r.signalGrader = code(() => process.kill(p.grader, 0));
  let written = 0;
  // Stops a little past the quota: where there is no tmpfs (the unshare path) this would fill the host's disk.
  if (p.confined) r.fill = code(() => { const chunk = Buffer.alloc(1 << 20, 1); while (written < p.quota + (8 << 20)) { fs.appendFileSync(process.cwd() + '/fill', chunk); written += chunk.length; } return 'no limit'; });
  r.written = written;
  r.cwd = process.cwd();
  fs.writeSync(4, JSON.stringify(r));
  process.exit(0);
})();
`;

/** Whether the grader's child runs under bubblewrap here (the probe is made once, so this is what runProbe gets). */
function isBwrap(): boolean {
  return sandboxCommand({ childModule: CHILD, nodeFlags: [], snapshot: '/nonexistent', tempDir: join(tmpdir(), 'lab-run-none') }).wrapper === 'bwrap';
}

function bwrapOnly(plan: { wrapper?: string; missing: string[] }): string | false {
  return plan.wrapper === 'bwrap' ? false : `bubblewrap does not run here: ${plan.missing.join('; ')}`;
}

describe('sandbox: what the child sees under bubblewrap, without the permission model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
  const marker = join(tmpdir(), `sandbox-marker-${process.pid}`);
  writeFileSync(marker, 'host tmp');
  const socket = join(dir, 'host.sock');
  const abstract = `lab-probe-${randomBytes(8).toString('hex')}`;
  let connections = 0;
  const listen = (path: string) => new Promise<Server>((done) => {
    const server = createServer((c) => {
      connections += 1;
      c.destroy();
    });
    server.listen(path, () => done(server));
  });
  const servers = [await listen(socket), await listen(`\0${abstract}`)];
  const params = { root: ROOT, solution: join(ROOT, 'tests/fixtures/labs/hostile/solution/answer.ts'), marker, socket, abstract, grader: process.pid, quota: DISK_QUOTA_BYTES, confined: isBwrap() };
  let probe: Awaited<ReturnType<typeof runProbe>>;
  try {
    probe = await runProbe(PROBE.replace('PARAMS', JSON.stringify(params)), { permission: false });
  } finally {
    // Now, not in an after() hook: a filtered run never calls it, and the servers would hold the process.
    for (const server of servers) server.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(marker, { force: true });
  }
  const r = probe.report as Record<string, any>;
  const skip = bwrapOnly(probe.plan);

  test('the IPC channel (fd 3) and the event pipe (fd 4) survive the wrapper', () => {
    assert.deepEqual(r.ipcFd, { ok: true, value: true });
    assert.deepEqual(r.eventFd, { ok: true, value: true });
  });

  test('where only unshare works, the child still has its own PID namespace and /proc, and loopback only', { skip: probe.plan.wrapper === 'unshare' ? false : 'unshare is not the wrapper here' }, () => {
    assert.ok(r.processes.every((pid: number) => pid <= 3), `it sees processes ${r.processes}`);
    assert.equal(r.graderProc, false);
    assert.deepEqual(r.signalGrader, { ok: false, code: 'ESRCH' });
    assert.deepEqual(r.interfaces, ['lo']);
    assert.equal(r.abstractSocket, 'ECONNREFUSED');
  });

  test('the child runs as an unprivileged user in a PID namespace where the grader does not exist', { skip }, () => {
    assert.equal(r.uid, 65534);
    assert.ok(r.pid <= 3, `the probe is PID ${r.pid}`);
    assert.ok(r.processes.every((pid: number) => pid <= 3), `it sees processes ${r.processes}`);
    assert.equal(r.graderProc, false);
    assert.deepEqual(r.signalGrader, { ok: false, code: 'ESRCH' });
  });

  test('labs/, tests/, .git, the checkout itself, /etc, /run, /var/run, /sys and /home are not there', { skip }, () => {
    for (const name of ['labs', 'tests', 'git', 'rootFolder', 'etc', 'run', 'varRun', 'sys', 'home']) {
      const seen = r[`list_${name}`];
      if (name === 'rootFolder') assert.deepEqual({ ...seen, value: seen.value?.sort() }, { ok: true, value: ['node_modules', 'src'] }, 'the checkout shows only src/ and node_modules/');
      else assert.deepEqual(seen, { ok: false, code: 'ENOENT' }, name);
    }
    for (const name of ['solution', 'gitHead', 'packageJson', 'marker', 'passwd']) assert.deepEqual(r[`read_${name}`], { ok: false, code: 'ENOENT' }, name);
    assert.deepEqual(r.src, { ok: true, value: true }, 'src/ is readable');
  });

  test('the host /tmp is not there: /tmp holds only the mount point of the child\'s own folder', { skip }, () => {
    // A checkout under /tmp (a CI clone) shows as the folder its src/ and node_modules/ are mounted in, and empty of all else.
    const mountedUnderTmp = [ROOT, probe.tempDir].filter((path) => dirname(path) === tmpdir() || path.startsWith(`${tmpdir()}/`)).map((path) => relative(tmpdir(), path).split('/')[0]!);
    assert.equal(r.tmp.ok, true);
    assert.deepEqual([...r.tmp.value].sort(), [...new Set(mountedUnderTmp)].sort());
    assert.equal(r.cwd, probe.tempDir);
  });

  test('nothing outside its own folder is writable: not /, /dev, /dev/shm, src/ or node_modules/', { skip }, () => {
    for (const name of ['root', 'dev', 'shm', 'src', 'nodeModules']) assert.equal(r[`write_${name}`].code, 'EROFS', name);
  });

  test('a unix socket of the host cannot be reached, by path or abstract name', { skip }, () => {
    assert.equal(r.unixSocket, 'ENOENT');
    assert.equal(r.abstractSocket, 'ECONNREFUSED');
    assert.equal(connections, 0, 'the host\'s servers saw no connection');
  });

  test('the network is loopback only, and loopback works', { skip }, () => {
    assert.deepEqual(r.interfaces, ['lo']);
    assert.equal(r.outbound, 'ENETUNREACH');
    assert.equal(r.loopback, 'hi');
  });

  test(`its folder is a tmpfs of ${DISK_QUOTA_BYTES / 1024 / 1024} MB: filling it is ENOSPC and uses no host disk`, { skip }, () => {
    assert.deepEqual(r.fill, { ok: false, code: 'ENOSPC' });
    assert.ok(r.written <= DISK_QUOTA_BYTES && r.written >= DISK_QUOTA_BYTES - (2 << 20), `wrote ${r.written} bytes`);
    assert.deepEqual(probe.hostFiles, [], 'the host folder stayed empty');
  });

  test('it mounts nothing else read-only than Node, the libraries, src/, node_modules/ and the snapshot', { skip }, async () => {
    const args = probe.plan.args;
    const sources = args.flatMap((arg, i) => (arg === '--ro-bind' || arg === '--bind' || arg === '--ro-bind-try' || arg === '--bind-try' || arg === '--dev-bind' ? [args[i + 1]!] : []));
    const allowed = new Set(['/usr/lib', '/usr/lib64', '/lib', '/lib64', join(ROOT, 'src'), join(ROOT, 'node_modules'), await ensurePgSnapshot()]);
    for (const source of sources) assert.ok(allowed.has(source) || source.endsWith('/node'), `${source} is mounted`);
    assert.ok(!args.includes('--bind') && !args.includes('--dev-bind'), 'nothing is mounted writable');
  });
});

test('sandbox: the child as the grader starts it (permission model on) gets its run over IPC and answers on fd 4', async () => {
  const script = `process.once('message', (m) => { require('node:fs').writeSync(4, JSON.stringify({ echo: m, permission: process.permission?.has('fs.read', '/etc') === false })); process.exit(0); });`;
  const { report, plan } = await runProbe(script, { message: { hello: 'child' } });
  assert.deepEqual(report, { echo: { hello: 'child' }, permission: true }, plan.missing.join('; '));
});

test('sandbox: cgroup v2 paths are found from /proc/self/cgroup and the cgroup2 mount', () => {
  const mounts = '30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n';
  assert.equal(ownCgroupDir('4:memory:/x\n0::/\n', mounts), '/sys/fs/cgroup/unified');
  assert.equal(ownCgroupDir('0::/user.slice/grader.service\n', '27 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n'), '/sys/fs/cgroup/user.slice/grader.service');
  // Inside a container the mount's root is the container's cgroup.
  assert.equal(ownCgroupDir('0::/docker/abc/job\n', '27 1 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n'), '/sys/fs/cgroup/job');
  assert.equal(ownCgroupDir('1:memory:/\n', mounts), undefined, 'cgroup v1 only');
});

test('sandbox: a child cgroup, where the grader may make one, holds what is moved in and kills it all', async (t) => {
  const { cgroup, note } = childCgroup(64 * 1024 * 1024);
  if (!cgroup) return t.skip(note);
  t.diagnostic(`${cgroup.dir}; memory.max applies: ${cgroup.memoryCapped}${note ? `; ${note}` : ''}`);
  const child = spawn('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec sh -c "sleep 30 & sleep 30 & wait"', cgroup.dir], { stdio: 'ignore', detached: true });
  const closed = new Promise((done) => child.on('close', done));
  let pids: number[] = [];
  for (let i = 0; i < 50 && pids.length < 3; i++) {
    await new Promise((done) => setTimeout(done, 50));
    pids = cgroup.pids();
  }
  assert.equal(pids.length, 3, `members: ${pids}`);
  cgroup.kill();
  await closed;
  for (let i = 0; i < 50 && !cgroup.remove(); i++) await new Promise((done) => setTimeout(done, 50));
  assert.ok(!existsSync(cgroup.dir), 'removed once empty');
});

/** A chain of `depth` shells, each waiting on the next, the last one sleeping. */
function chain(depth: number): { child: ChildProcess; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-chain-'));
  const script = join(dir, 'chain.sh');
  writeFileSync(script, '#!/bin/sh\nif [ "$1" -gt 0 ]; then sh "$0" $(($1 - 1)) & wait; else exec sleep 30; fi\n');
  chmodSync(script, 0o755);
  return { child: spawn('/bin/sh', [script, String(depth)], { stdio: 'ignore', detached: true }), dir };
}

test('sandbox: the watchdog counts a process tree however deep, and a process that left it', async () => {
  const { child, dir } = chain(12);
  try {
    let tree = processTree(child.pid!);
    for (let i = 0; i < 100 && tree.members.size < 13; i++) {
      await new Promise((done) => setTimeout(done, 50));
      tree = processTree(child.pid!);
    }
    assert.equal(tree.members.size, 13, 'twelve shells and the sleep, not only the first levels');
    assert.ok(tree.rss > 0);
    const again = processTree(child.pid!, [child.pid!, ...tree.members.keys(), ...tree.members]);
    assert.equal(again.members.size, 13, 'each process is counted once');
    // Kill one in the middle: the shells above it end, the ones below are orphans, out of the tree.
    const middle = [...tree.members.keys()].sort((a, b) => a - b)[6]!;
    process.kill(middle, 'SIGKILL');
    await new Promise((done) => setTimeout(done, 300));
    const orphans = [...tree.members].filter(([pid, start]) => isRunning(pid, start)).map(([pid]) => pid);
    assert.ok(orphans.length >= 5, `orphans: ${orphans}`);
    assert.ok(orphans.every((pid) => !processTree(child.pid!).members.has(pid)), 'the orphans are out of the tree');
    // Known by PID and start time, they are still counted.
    const tracked = processTree(child.pid!, tree.members);
    assert.deepEqual([...tracked.members.keys()].sort(), orphans.sort());
    for (const pid of orphans) process.kill(pid, 'SIGKILL');
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Gone.
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

function descendants(pid: number): Map<number, string> {
  const tree = processTree(pid);
  tree.members.delete(pid);
  return tree.members;
}

const NEVER_RESOLVES = 'tests/fixtures/hostile/never-resolves/submission';
const GRADE = ['src/cli/grade.ts', 'hostile', '--labs', 'tests/fixtures/labs', '--submission', NEVER_RESOLVES];
/** A class of two learners who both hand in a test that never resolves, graded two at a time. */
function gradebookOfTwo(tmp: string): string[] {
  for (const learner of ['ann', 'ben']) cpSync(NEVER_RESOLVES, join(tmp, 'class', learner), { recursive: true });
  return ['src/cli/gradebook.ts', join(tmp, 'class'), '--lab', 'hostile', '--labs', 'tests/fixtures/labs', '--out', join(tmp, 'out'), '--jobs', '2'];
}

for (const [command, signal, exitCode] of [['grade', 'SIGTERM', 143], ['grade', 'SIGINT', 130], ['grade', 'SIGHUP', 129], ['gradebook', 'SIGTERM', 143]] as const) {
  test(`sandbox: a ${command} stopped by ${signal} kills its sandboxes, removes its temporary folders and exits ${exitCode}`, { timeout: 60_000 }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sandbox-grade-'));
    const grade = spawn(process.execPath, command === 'grade' ? GRADE : gradebookOfTwo(tmp), {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((done) => grade.on('exit', (code) => done(code)));
    try {
      const started = Date.now();
      let seen = new Map<number, string>();
      // The grade is running a test that never resolves: its sandbox is up.
      while (Date.now() - started < 30_000) {
        seen = descendants(grade.pid!);
        if (seen.size >= (command === 'grade' ? 2 : 4) && Date.now() - started >= 2_000) break;
        await new Promise((done) => setTimeout(done, 100));
      }
      assert.ok(seen.size >= 2, `the grade started no sandbox: ${[...seen.keys()]}`);
      const cgroups = readCgroupsOf(grade.pid!);
      grade.kill(signal);
      assert.equal(await exited, exitCode);
      const until = Date.now() + 5_000;
      let left: number[] = [];
      do {
        left = [...seen].filter(([pid, start]) => isRunning(pid, start)).map(([pid]) => pid);
        left.push(...processesMentioning(tmp).filter((pid) => pid !== process.pid));
        if (left.length === 0) break;
        await new Promise((done) => setTimeout(done, 100));
      } while (Date.now() < until);
      assert.deepEqual(left, [], 'no process of the grade remains');
      assert.deepEqual(readdirSync(tmp).filter((name) => name.startsWith('lab-run-')), [], 'no temporary folder remains');
      if (command === 'gradebook') assert.ok(seen.size >= 4, 'both learners were being graded');
      for (const dir of cgroups) assert.ok(!existsSync(dir), `${dir} remains`);
    } finally {
      grade.kill('SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

/** The cgroups a grader made (lab-run-<pid>-*), where it could make them. */
function readCgroupsOf(pid: number): string[] {
  const { cgroup } = childCgroup(1);
  if (!cgroup) return [];
  const base = join(cgroup.dir, '..');
  cgroup.remove();
  return readdirSync(base).filter((name) => name.startsWith(`lab-run-${pid}-`)).map((name) => join(base, name));
}

test('sandbox: a wrapper killed while the tests run is a verdict, and nothing it confined survives', { timeout: 60_000 }, async (t) => {
  const bundle = loadLab('hostile', { root: join(ROOT, 'tests/fixtures/labs') });
  const files = { 'src/answer.ts': readFileSync(join(ROOT, NEVER_RESOLVES, 'src/answer.ts'), 'utf8') };
  const runner = new NodeRunner();
  let seen = new Map<number, string>();
  let wrapper = 0;
  let waiting = false;
  const running = runner.run(bundle, files, (progress) => {
    if (progress.type === 'test-start' && progress.id === 'waits-at-least-100-ms-timed-with-date-now') waiting = true;
  });
  const started = Date.now();
  while (Date.now() - started < 30_000) {
    await new Promise((done) => setTimeout(done, 100));
    if (!waiting) continue;
    seen = descendants(process.pid);
    const candidates = [...seen.keys()].filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === process.pid && /^(bwrap|unshare)$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
      } catch {
        return false;
      }
    });
    if (candidates.length > 0 && seen.size >= 2) {
      wrapper = Math.min(...candidates);
      break;
    }
  }
  if (!wrapper) {
    await running;
    runner.dispose();
    return t.skip('no wrapper (bwrap or unshare) runs here');
  }
  process.kill(wrapper, 'SIGKILL');
  const result = await running;
  runner.dispose();
  const stopped = result.tests.find((test) => test.status === 'error' && /its sandbox, (bwrap|unshare), (was killed by SIGKILL|ended) while the tests still ran|killed by SIGKILL/.test(test.message ?? ''));
  t.diagnostic(`${stopped?.id}: ${stopped?.message}`);
  assert.ok(stopped, `${result.message}\n${JSON.stringify(result.tests.map((test) => [test.id, test.status, test.message]))}`);
  await new Promise((done) => setTimeout(done, 500));
  assert.deepEqual([...seen].filter(([pid, start]) => isRunning(pid, start)).map(([pid]) => pid), [], 'nothing of that sandbox runs');
});
