/**
 * The WebContainer runner without a browser or StackBlitz: the support check on fake globals, the
 * step list, the time limits, and start/run against a fake WebContainer. No test here boots a
 * real one (this machine cannot reach StackBlitz); the browser test covers the fallback.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WebContainer } from '@webcontainer/api';
import { loadLab } from '../../src/labs/load-lab.ts';
import { buildProjectFiles, RESULT_PATH, toFileSystemTree, type ContainerRuntime } from '../../src/runner/webcontainer/project-tree.ts';
import { bootTimeoutFrom, stepStates } from '../../src/client/full-environment-steps.ts';
import { PROGRESS_PATH, progressLine } from '../../src/runner/webcontainer/run-log.ts';
import { NOT_RUN_STOPPED, RUN_STOPPED, STOPPED_BY_YOU } from '../../src/runner/driver.ts';
import { StartError, webContainerSupport } from '../../src/runner/webcontainer/support.ts';
import { WebContainerRunner, withTimeout, type StartStep } from '../../src/runner/webcontainer/webcontainer-runner.ts';
import { buildLabResult } from '../../src/schemas/lab-result.ts';

const isolated = { isSecureContext: true, crossOriginIsolated: true, SharedArrayBuffer, Atomics, WebAssembly };

test('support: a secure, cross-origin isolated page with shared memory can run a WebContainer', () => {
  assert.deepEqual(webContainerSupport(isolated), { ok: true });
});

test('support: each missing piece gives its own reason and something the learner can do', () => {
  const cases: [Partial<typeof isolated>, RegExp, RegExp][] = [
    [{ isSecureContext: false }, /https:\/\//, /https:\/\/ address/],
    [{ WebAssembly: undefined }, /lacks features/, /current desktop Chrome, Edge or Firefox/],
    [{ crossOriginIsolated: undefined }, /lacks features/, /current desktop Chrome, Edge or Firefox/],
    [{ crossOriginIsolated: false }, /security headers .*cross-origin isolation/, /headers the README lists/],
    [{ SharedArrayBuffer: undefined }, /SharedArrayBuffer/, /current desktop Chrome, Edge or Firefox/],
  ];
  for (const [change, reason, tryThis] of cases) {
    const support = webContainerSupport({ ...isolated, ...change });
    assert.equal(support.ok, false, JSON.stringify(change));
    if (support.ok) continue;
    assert.match(support.reason, reason);
    assert.match(support.tryThis, tryThis);
  }
});

test('steps: earlier steps are done, the current one active or failed, later ones waiting; Ready is done', () => {
  assert.deepEqual(stepStates('boot'), { boot: 'active', install: 'waiting', ready: 'waiting' });
  assert.deepEqual(stepStates('install'), { boot: 'done', install: 'active', ready: 'waiting' });
  assert.deepEqual(stepStates('install', true), { boot: 'done', install: 'failed', ready: 'waiting' });
  assert.deepEqual(stepStates('ready'), { boot: 'done', install: 'done', ready: 'done' });
});

test("boot limit: read from the address, then the attribute, else the runner's default; nonsense is ignored", () => {
  assert.equal(bootTimeoutFrom('?wc-boot-timeout-ms=3000', '9000'), 3000);
  assert.equal(bootTimeoutFrom('', '9000'), 9000);
  assert.equal(bootTimeoutFrom('', undefined), undefined);
  assert.equal(bootTimeoutFrom('?wc-boot-timeout-ms=soon', undefined), undefined);
  assert.equal(bootTimeoutFrom('?wc-boot-timeout-ms=5', undefined), undefined);
});

test('withTimeout passes a value or an error through, and rejects with its own error when time is up', async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 1000, () => new Error('late')), 7);
  await assert.rejects(withTimeout(Promise.reject(new Error('boom')), 1000, () => new Error('late')), /boom/);
  await assert.rejects(withTimeout(new Promise(() => undefined), 20, () => new Error('late')), /late/);
});

// A fake WebContainer, enough for start() and run(): a file map, and processes whose output and
// exit code the test decides.
const bundle = loadLab('event-sourcing', { withoutSolution: true });
const runtime: ContainerRuntime = { files: { '.labkit/run-tests.mjs': '// runner' }, dependencies: { 'sql.js': '1.0.0' } };
const runtimeUrl = `data:application/json,${encodeURIComponent(JSON.stringify(runtime))}`;
const result = buildLabResult({
  labId: 'event-sourcing',
  labVersion: bundle.manifest.version,
  runtime: 'webcontainer',
  plan: [{ id: 'a', name: 'a', task: 1, points: 100, timeoutMs: 1000 }],
  outcomes: new Map([['a', { status: 'fail' as const, message: 'not yet', durationMs: 1 }]]),
  durationMs: 5,
});

function fakeProcess(output: string, exitCode: number) {
  return {
    exit: Promise.resolve(exitCode),
    output: new ReadableStream<string>({
      start(controller) {
        controller.enqueue(output);
        controller.close();
      },
    }),
    input: new WritableStream<string>(),
    kill() {},
    resize() {},
  };
}

interface FakeOptions {
  installExit?: number;
  /** Whether `npm test` writes its result file (default yes). */
  writesResult?: boolean;
  /** Lines `npm test` appends to its progress log. */
  progress?: string[];
  /** `npm test` never ends. */
  hangs?: boolean;
}

function fakeContainer(options: FakeOptions = {}) {
  const files = new Map<string, string>();
  const spawned: string[] = [];
  const watchers: ((event: string, filename: string) => void)[] = [];
  let mounted: unknown;
  const container = {
    fs: {
      writeFile: async (path: string, text: string) => void files.set(path, text),
      readFile: async (path: string) => {
        if (!files.has(path)) throw new Error(`ENOENT: ${path}`);
        return files.get(path)!;
      },
      rm: async (path: string) => void files.delete(path),
      watch: (_dir: string, listener: (event: string, filename: string) => void) => {
        watchers.push(listener);
        return { close: () => watchers.splice(watchers.indexOf(listener), 1) };
      },
    },
    mount: async (tree: unknown) => void (mounted = tree),
    spawn: async (command: string, args: string[] = []) => {
      spawned.push([command, ...args].join(' '));
      if (args[0] === 'install') return fakeProcess('added 2 packages\r\n', options.installExit ?? 0);
      for (const line of options.progress ?? []) {
        files.set(PROGRESS_PATH, (files.get(PROGRESS_PATH) ?? '') + line);
        for (const listener of [...watchers]) listener('change', PROGRESS_PATH.split('/').at(-1)!);
      }
      if (options.writesResult !== false && !options.hangs) files.set(RESULT_PATH, JSON.stringify(result));
      const process = fakeProcess('1 failed\r\n', 1);
      return options.hangs ? { ...process, exit: new Promise<number>(() => undefined) } : process;
    },
    on: () => () => undefined,
  };
  return { container, files, spawned, mounted: () => mounted };
}

function runnerFor(container: unknown, steps: StartStep[] = [], output: string[] = []) {
  return new WebContainerRunner({
    runtimeUrl,
    runTimeoutMs: 300,
    terminal: { write: (data) => void output.push(data) },
    bootTimeoutMs: 200,
    onStep: (step) => void steps.push(step),
    loadApi: async () => ({ WebContainer: { boot: async () => container as WebContainer } }),
  });
}

test('start mounts the lab with the learner\'s files, installs, and reports each step in order', async () => {
  const fake = fakeContainer();
  const steps: StartStep[] = [];
  const output: string[] = [];
  const learnerFiles = { 'src/event-store.ts': '// my edits' };
  const runner = runnerFor(fake.container, steps, output);
  await runner.prepare(bundle, learnerFiles);
  assert.deepEqual(steps, ['boot', 'install', 'ready']);
  assert.deepEqual(fake.mounted(), toFileSystemTree(buildProjectFiles(bundle, learnerFiles, runtime)));
  assert.deepEqual(fake.spawned, ['npm install']);
  assert.ok(output.join('').includes('added 2 packages'), 'npm output reaches the terminal');
  assert.equal(runner.ready, true);
});

test('run writes the changed files, runs npm test and returns the LabResult it wrote', async () => {
  const fake = fakeContainer();
  const runner = runnerFor(fake.container);
  await runner.prepare(bundle, {});
  const got = await runner.run(bundle, { 'src/event-store.ts': '// newer' });
  assert.deepEqual(got, result);
  assert.equal(fake.files.get('src/event-store.ts'), '// newer');
  assert.deepEqual(fake.spawned, ['npm install', 'npm test']);
});

test('run passes the seed, the tests and the task to npm test', async () => {
  const fake = fakeContainer();
  const runner = runnerFor(fake.container);
  await runner.prepare(bundle, {});
  await runner.run(bundle, {}, undefined, { seed: 42 });
  await runner.run(bundle, {}, undefined, { seed: 7, only: ['a', 'b'] });
  await runner.run(bundle, {}, undefined, { seed: 8, tasks: [2] });
  assert.deepEqual(fake.spawned.slice(1), ['npm test -- --seed 42', 'npm test -- --seed 7 --only a,b', 'npm test -- --seed 8 --task 2']);
});

const plan = [
  { id: 'a', name: 'a', task: 1, points: 60, timeoutMs: 1000 },
  { id: 'b', name: 'b', task: 1, points: 40, timeoutMs: 1000 },
];
const progressLog = [progressLine({ type: 'plan', tests: plan })!, progressLine({ type: 'test-end', id: 'a', outcome: { status: 'pass', message: '', durationMs: 3 } })!];

test('run reports each verdict of the progress log as it is written', async () => {
  const fake = fakeContainer({ progress: progressLog });
  const runner = runnerFor(fake.container);
  await runner.prepare(bundle, {});
  const heard: string[] = [];
  await runner.run(bundle, {}, (progress) => heard.push(progress.type === 'test-end' ? `${progress.id}:${progress.outcome.status}` : progress.type));
  assert.deepEqual(heard, ['plan', 'a:pass']);
});

test('npm test that writes no result still gives the verdicts it logged, and the reason for the rest', async () => {
  const fake = fakeContainer({ writesResult: false, progress: progressLog });
  const runner = runnerFor(fake.container);
  await runner.prepare(bundle, {});
  const got = await runner.run(bundle, {});
  assert.equal(got.runtime, 'webcontainer');
  assert.equal(got.status, 'fail');
  assert.equal(got.score, 60);
  assert.deepEqual(got.tests.map((t) => [t.id, t.status]), [['a', 'pass'], ['b', 'error']]);
  assert.match(got.tests[1]!.message, /npm test ended \(exit code 1\) without writing a result; the terminal shows what happened/);
});

test('npm test that writes nothing at all gives a result that says why, not a thrown error', async () => {
  const fake = fakeContainer({ writesResult: false });
  const runner = runnerFor(fake.container);
  await runner.prepare(bundle, {});
  const got = await runner.run(bundle, {});
  assert.equal(got.status, 'error');
  assert.deepEqual(got.tests, []);
  assert.match(got.message, /without writing a result/);
});

test('npm test past its time limit is stopped, and the logged verdicts are kept', async () => {
  const fake = fakeContainer({ hangs: true, progress: progressLog });
  const runner = runnerFor(fake.container);
  await runner.prepare(bundle, {});
  const got = await runner.run(bundle, {});
  assert.deepEqual(got.tests.map((t) => [t.id, t.status]), [['a', 'pass'], ['b', 'error']]);
  assert.match(got.tests[1]!.message, /did not finish within 0\.3 seconds in the full environment, so they were stopped/);
});

test('Stop while npm test runs: the running test was stopped by the learner, the ones after it were not run', async () => {
  const threeTests = [...plan, { id: 'c', name: 'c', task: 1, points: 0, timeoutMs: 1000 }];
  const log = [
    progressLine({ type: 'plan', tests: threeTests })!,
    progressLine({ type: 'test-start', id: 'a' })!,
    progressLine({ type: 'test-end', id: 'a', outcome: { status: 'pass', message: '', durationMs: 3 } })!,
    progressLine({ type: 'test-start', id: 'b' })!,
  ];
  const fake = fakeContainer({ hangs: true, progress: log });
  const runner = runnerFor(fake.container);
  await runner.prepare(bundle, {});
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const got = await runner.run(bundle, {}, undefined, { signal: controller.signal });
  assert.deepEqual(
    got.tests.map((t) => [t.id, t.status, t.message]),
    [['a', 'pass', ''], ['b', 'error', STOPPED_BY_YOU], ['c', 'error', NOT_RUN_STOPPED]],
  );
  assert.equal(got.message, RUN_STOPPED);
});

test('a failed npm install stops the start with what to try', async () => {
  const runner = runnerFor(fakeContainer({ installExit: 1 }).container);
  await assert.rejects(runner.prepare(bundle, {}), (error: unknown) => {
    assert.ok(error instanceof StartError);
    assert.match(error.message, /npm install exited with code 1/);
    assert.match(error.tryThis, /reload the page/);
    return true;
  });
  assert.equal(runner.ready, false);
});

test('a boot that never finishes fails within the limit, and a second start fails at once', async () => {
  const loadApi = async () => ({ WebContainer: { boot: () => new Promise<WebContainer>(() => undefined) } });
  const make = () => new WebContainerRunner({ runtimeUrl, terminal: { write() {} }, bootTimeoutMs: 100, loadApi });
  const started = Date.now();
  await assert.rejects(make().prepare(bundle, {}), (error: unknown) => {
    assert.ok(error instanceof StartError);
    assert.match(error.message, /did not start within 0\.1 seconds\. It downloads from StackBlitz/);
    assert.match(error.tryThis, /Check your connection .*reload the page.*Your work is saved/);
    return true;
  });
  assert.ok(Date.now() - started < 2000);
  const again = Date.now();
  await assert.rejects(make().prepare(bundle, {}), /cannot be started twice on one page/);
  assert.ok(Date.now() - again < 50, 'no second wait');
});

test('writeFiles before the container is ready does nothing, and skips unchanged files after', async () => {
  const fake = fakeContainer();
  const runner = runnerFor(fake.container);
  await runner.writeFiles({ 'src/event-store.ts': 'early' });
  await runner.prepare(bundle, { 'src/event-store.ts': 'mounted' });
  let writes = 0;
  const write = fake.container.fs.writeFile;
  fake.container.fs.writeFile = async (path, text) => {
    writes++;
    return write(path, text);
  };
  await runner.writeFile('src/event-store.ts', 'mounted');
  assert.equal(writes, 0);
  await runner.writeFile('src/event-store.ts', 'saved');
  assert.equal(writes, 1);
  assert.equal(fake.files.get('src/event-store.ts'), 'saved');
});
