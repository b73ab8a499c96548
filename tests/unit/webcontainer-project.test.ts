/** The project a WebContainer mounts, and the reading of the result its `npm test` writes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadLab } from '../../src/labs/load-lab.ts';
import { buildProjectFiles, BUNDLE_PATH, RESULT_PATH, toFileSystemTree, type ContainerRuntime } from '../../src/runner/webcontainer/project-tree.ts';
import { parseLabResult } from '../../src/runner/webcontainer/result-file.ts';
import { buildLabResult } from '../../src/schemas/lab-result.ts';

const bundle = loadLab('counter', { root: 'tests/fixtures/labs' });
const runtime: ContainerRuntime = { files: { '.labkit/run-tests.mjs': '// runner' }, dependencies: { 'sql.js': '1.16.0' } };

test('the project has a package.json with pinned dependencies and the test and start scripts', () => {
  const files = buildProjectFiles(bundle, {}, runtime);
  const pkg = JSON.parse(files['package.json']!);
  assert.deepEqual(pkg.dependencies, { 'sql.js': '1.16.0' });
  assert.equal(pkg.scripts.test, 'node .labkit/run-tests.mjs');
  assert.equal(pkg.scripts.start, 'node .labkit/start.mjs');
  assert.equal(pkg.type, 'module');
  assert.equal(files['.labkit/run-tests.mjs'], '// runner');
  assert.equal(files['README.md'], bundle.readme);
});

test("the learner's editable files go in as saved; read-only files and tests are always the course's", () => {
  const [editable] = bundle.manifest.files.editable;
  const [readonly] = bundle.manifest.files.readonly;
  const files = buildProjectFiles(bundle, { [editable!]: '// mine', [readonly!]: '// tampered', 'src/extra.ts': '// extra' }, runtime);
  assert.equal(files[editable!], '// mine');
  assert.equal(files[readonly!], bundle.starter[readonly!]);
  assert.equal(files['src/extra.ts'], undefined);
  for (const path of bundle.manifest.tests) assert.equal(files[path], bundle.tests[path]);
  assert.deepEqual(Object.keys(JSON.parse(files[BUNDLE_PATH]!)).sort(), ['manifest', 'readme', 'starter', 'tests']);
});

test('the solution never goes into the project, even from a bundle that has it', () => {
  assert.ok(bundle.solution, 'the fixture should carry its solution, or this test proves nothing');
  const files = buildProjectFiles(bundle, {}, runtime);
  const everything = Object.values(files).join('\n');
  for (const [path, text] of Object.entries(bundle.solution!)) {
    if (text !== bundle.starter[path]) assert.ok(!everything.includes(text), `the solution of ${path} leaked into the project`);
  }
});

test('flat paths nest into WebContainer folders; paths that escape or collide are refused', () => {
  assert.deepEqual(toFileSystemTree({ 'package.json': '{}', 'src/a.ts': 'a', 'src/db/b.ts': 'b' }), {
    'package.json': { file: { contents: '{}' } },
    src: { directory: { 'a.ts': { file: { contents: 'a' } }, db: { directory: { 'b.ts': { file: { contents: 'b' } } } } } },
  });
  assert.throws(() => toFileSystemTree({ '../outside.ts': '' }), /not a plain relative path/);
  assert.throws(() => toFileSystemTree({ '/etc/passwd': '' }), /not a plain relative path/);
  assert.throws(() => toFileSystemTree({ src: 'a file', 'src/a.ts': '' }), /needs "src" to be a folder/);
});

test('a result file is read back into the LabResult it was written from', () => {
  const result = buildLabResult({
    labId: 'counter',
    labVersion: 1,
    runtime: 'webcontainer',
    plan: [{ id: 't1', name: 'counts', task: 1, points: 100, timeoutMs: 1000 }],
    outcomes: new Map([['t1', { status: 'pass', message: '', durationMs: 3 }]]),
    durationMs: 10,
  });
  assert.deepEqual(parseLabResult(JSON.stringify(result)), result);
  assert.equal(RESULT_PATH, '.labkit/result.json');
});

test('a result file that is not JSON, or not a LabResult, is refused with a message a learner can act on', () => {
  assert.throws(() => parseLabResult('Running 3 tests...'), /wrote a result that is not JSON\. Run the tests again/);
  assert.throws(() => parseLabResult('{"version":1}'), /wrote a result this page cannot read \(labId: .*\)\. Reload the page/);
});
