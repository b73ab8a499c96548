/**
 * The exact project the full environment mounts in a WebContainer, written to a temporary
 * folder and run under plain Node with the commands a learner types: `npm install`, then
 * `npm test`. StackBlitz is out of reach here, so this is what can be proven of that path: the
 * files, the install and the test run; the page reads the result with the same parser.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { solutionFiles } from '../../src/labs/bundle.ts';
import { loadLab } from '../../src/labs/load-lab.ts';
import { buildProjectFiles, RESULT_PATH, toFileSystemTree, type ContainerRuntime, type FileSystemTree } from '../../src/runner/webcontainer/project-tree.ts';
import { NodeRunner } from '../../src/runner/node/node-runner.ts';
import { parseLabResult } from '../../src/runner/webcontainer/result-file.ts';
import { PROGRESS_PATH, readProgressLog } from '../../src/runner/webcontainer/run-log.ts';
import { buildContainerRuntime } from '../../src/runner/webcontainer/runtime-bundle.ts';
import { readSubmission } from '../../src/submissions/folder.ts';

const bundle = loadLab('event-sourcing');
let runtime: ContainerRuntime;
let project: string;

/** Writes a tree the way WebContainer's mount() lays it out. */
function writeTree(tree: FileSystemTree, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, entry] of Object.entries(tree)) {
    if ('directory' in entry) writeTree(entry.directory, join(dir, name));
    else writeFileSync(join(dir, name), entry.file.contents);
  }
}

function npm(args: string[], cwd: string) {
  // A learner's environment, not ours: no variables of this test run leak into the project.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? tmpdir(), '.npm') };
  // The machine's trust store is not a variable of this test run: behind a TLS-inspecting proxy npm needs it to reach the registry.
  if (process.env.NODE_EXTRA_CA_CERTS) env.NODE_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
  return spawnSync('npm', args, { cwd, encoding: 'utf8', env, timeout: 300_000 });
}

function readResult() {
  return parseLabResult(readFileSync(join(project, RESULT_PATH), 'utf8'));
}

before(async () => {
  runtime = await buildContainerRuntime();
  project = mkdtempSync(join(tmpdir(), 'lab-project-'));
  writeTree(toFileSystemTree(buildProjectFiles(bundle, {}, runtime)), project);
});

after(() => rmSync(project, { recursive: true, force: true }));

test('npm install succeeds with the pinned packages and nothing else', () => {
  const install = npm(['install', '--no-audit', '--no-fund', '--prefer-offline'], project);
  assert.equal(install.status, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`);
  const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
  assert.deepEqual(Object.keys(lock.packages).filter((p) => p !== '').sort(), Object.keys(runtime.dependencies).map((name) => `node_modules/${name}`).sort());
});

test('npm test on the starter grades it below full marks, exit code 1, and writes the LabResult', () => {
  const run = npm(['test'], project);
  assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
  const result = readResult();
  assert.equal(result.runtime, 'webcontainer');
  assert.equal(result.labId, 'event-sourcing');
  assert.ok(result.score > 0 && result.score < 100, `the starter scored ${result.score}`);
  assert.match(run.stdout, /Running \d+ tests of "An event store for the Orders service"/);
  assert.match(run.stdout, new RegExp(`Score: ${result.score}/100 \\(fail\\)`));
});

test('the solution, written into src/ as the editor saves it, gets 100 and exit code 0', () => {
  for (const [path, text] of Object.entries(solutionFiles(bundle))) writeFileSync(join(project, path), text);
  const run = npm(['test'], project);
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  const result = readResult();
  assert.equal(result.score, 100);
  assert.ok(result.tests.length > 0 && result.tests.every((t) => t.status === 'pass'));
});

test('npm start on a lab without services says so and what to run instead', () => {
  assert.equal(bundle.manifest.services, undefined);
  const start = npm(['start'], project);
  assert.equal(start.status, 0, start.stderr);
  assert.match(start.stdout, /has no services to start: its tests call the code directly\. Run `npm test` to grade your work\./);
});

test('npm test -- --seed N gives a mistake the verdicts the Node grader gives it, test by test, and logs each as it ends', async () => {
  const seed = 4242;
  const mistakes = join('tests', 'fixtures', 'lab-submissions', 'event-sourcing', 'mistakes');
  const mistake = readSubmission(bundle, join(mistakes, readdirSync(mistakes).sort()[0]!)).files;
  try {
    for (const [path, text] of Object.entries(mistake)) writeFileSync(join(project, path), text);
    const run = npm(['test', '--', '--seed', String(seed)], project);
    assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
    const inProject = readResult();
    const runner = new NodeRunner();
    const inNode = await runner.run(bundle, mistake, undefined, { seed }).finally(() => runner.dispose());
    const verdicts = (result: typeof inNode) => result.tests.map((t) => `${t.id}: ${t.status} ${t.earned}/${t.points}`);
    assert.deepEqual(verdicts(inProject), verdicts(inNode));
    assert.ok(inProject.score < inProject.maxScore, 'the mistake loses points');

    const log = readProgressLog(readFileSync(join(project, PROGRESS_PATH), 'utf8'));
    assert.equal(log[0]?.type, 'plan');
    assert.deepEqual(log.filter((e) => e.type === 'test-end').map((e) => (e.type === 'test-end' ? e.id : '')).sort(), inProject.tests.map((t) => t.id).sort());
  } finally {
    // The tests after this one grade the solution, as the editor left it.
    for (const [path, text] of Object.entries(solutionFiles(bundle))) writeFileSync(join(project, path), text);
  }
});

/** The machine's own Node when it is older than the course's: a WebContainer's Node can be too. */
function olderNode(): string | undefined {
  const version = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).stdout?.trim();
  const major = Number(version?.match(/^v(\d+)\./)?.[1]);
  return major && major < 22 ? version : undefined;
}
const older = olderNode();

test(`the bundled runner also grades under an older Node (${older ?? 'none found'}), as a WebContainer may run`, { skip: older ? false : 'no Node older than 22 at /usr/bin/node' }, () => {
  const env = { PATH: `/usr/bin:/bin`, HOME: process.env.HOME ?? tmpdir() };
  const run = spawnSync('/usr/bin/node', ['.labkit/run-tests.mjs'], { cwd: project, encoding: 'utf8', env, timeout: 300_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.equal(readResult().score, 100);
});

test("npm start serves a lab's services on ports from 3000: a checkout placed over HTTP completes its saga", async () => {
  const sagas = loadLab('sagas');
  assert.equal(sagas.manifest.services, 'src/services.ts');
  const dir = mkdtempSync(join(tmpdir(), 'lab-project-sagas-'));
  writeTree(toFileSystemTree(buildProjectFiles(sagas, solutionFiles(sagas), runtime)), dir);
  const install = npm(['install', '--no-audit', '--no-fund', '--prefer-offline'], dir);
  assert.equal(install.status, 0, install.stderr);
  // Run as npm start does, but as our own child, so the test can stop it and its services.
  const server = spawn(process.execPath, ['.labkit/start.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() } });
  let printed = '';
  server.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  server.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  try {
    const deadline = Date.now() + 60_000;
    while (!printed.includes('The services are running') && Date.now() < deadline && server.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    assert.match(printed, /checkout\s+http:\/\/127\.0\.0\.1:3000 {3}\(its endpoints: http:\/\/127\.0\.0\.1:3000\/_labkit\)/, printed);
    assert.match(printed, /shipping\s+http:\/\/127\.0\.0\.1:3004/);

    const page = await fetch('http://127.0.0.1:3000/_labkit');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /\/checkouts/);

    const order = { orderId: 'o-1', customerId: 'alice', sku: 'MUG', quantity: 2, amountCents: 2500, cardToken: 'tok_visa', country: 'DE' };
    const placed = await fetch('http://127.0.0.1:3000/checkouts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) });
    assert.equal(placed.status, 202);
    const { follow } = (await placed.json()) as { follow: string };
    let status = '';
    for (let i = 0; i < 100 && !['completed', 'compensated'].includes(status); i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = ((await (await fetch(`http://127.0.0.1:3000${follow}`)).json()) as { status: string }).status;
    }
    assert.equal(status, 'completed');
    assert.deepEqual(await (await fetch('http://127.0.0.1:3003/stock/MUG')).json(), { sku: 'MUG', available: 8 });
    const refused = await fetch('http://127.0.0.1:3000/checkouts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"orderId":"o-2"}' });
    assert.equal(refused.status, 400);
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => (server.exitCode === null ? server.once('exit', resolve) : resolve(undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
});
