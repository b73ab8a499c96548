/**
 * A lab folder that changes on disk while it is being graded (the grader never writes there, and
 * its test process cannot) is reported, never silently trusted: the grade command exits 2 and
 * names the folder; the gradebook marks the rows graded from then on as not graded. Each runs
 * on a copy of a fixture lab, changed in the middle of a run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gradeClass } from '../../src/gradebook/grade-class.ts';
import { labFingerprint, labFolderChanged } from '../../src/labs/lab-fingerprint.ts';
import { loadLab } from '../../src/labs/load-lab.ts';
import { labResult } from '../../src/schemas/lab-result.ts';

const LABS = 'tests/fixtures/labs';

/** A copy of the fixture lab `id` in a labs folder of its own. */
function copyLab(id: string): { root: string; lab: string } {
  const root = mkdtempSync(join(tmpdir(), 'lab-changed-'));
  cpSync(join(LABS, id), join(root, 'labs', id), { recursive: true });
  return { root, lab: join(root, 'labs', id) };
}

test('the fingerprint follows names, types, sizes, modes and contents, and does not follow links', () => {
  const { root, lab } = copyLab('hostile');
  try {
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'one');
    symlinkSync(outside, join(lab, 'starter', 'link.txt'));
    const first = labFingerprint(lab);
    assert.equal(labFolderChanged(lab, first), undefined);
    writeFileSync(outside, 'two, and longer');
    assert.equal(labFingerprint(lab), first, 'a link is a name and a target, not what it points to');
    const changes: [string, () => void, () => void][] = [
      ['same size, other bytes', () => writeFileSync(join(lab, 'README.md'), readFileSync(join(lab, 'README.md'), 'utf8').replace('H', 'J')), () => cpSync(join(LABS, 'hostile', 'README.md'), join(lab, 'README.md'))],
      ['a file added', () => writeFileSync(join(lab, 'tests', 'extra.txt'), ''), () => rmSync(join(lab, 'tests', 'extra.txt'))],
      ['an empty folder added', () => mkdirSync(join(lab, 'solution', 'empty')), () => rmSync(join(lab, 'solution', 'empty'), { recursive: true })],
      ['a mode changed', () => chmodSync(join(lab, 'lab.json'), 0o755), () => chmodSync(join(lab, 'lab.json'), 0o644)],
      ['a link retargeted', () => { rmSync(join(lab, 'starter', 'link.txt')); symlinkSync('/etc/hostname', join(lab, 'starter', 'link.txt')); }, () => { rmSync(join(lab, 'starter', 'link.txt')); symlinkSync(outside, join(lab, 'starter', 'link.txt')); }],
    ];
    chmodSync(join(lab, 'lab.json'), 0o644);
    const base = labFingerprint(lab);
    for (const [what, change, undo] of changes) {
      change();
      assert.notEqual(labFingerprint(lab), base, what);
      undo();
      assert.equal(labFingerprint(lab), base, `${what}, undone`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('grade: a lab folder changed during the run makes the command exit 2, naming the folder and how to restore it', async () => {
  const { root, lab } = copyLab('hostile');
  // A slow case: the last test waits 2 s, inside its 3 s limit, and passes.
  const submission = join(root, 'work');
  mkdirSync(join(submission, 'src'), { recursive: true });
  writeFileSync(join(submission, 'src', 'answer.ts'), readFileSync(join(LABS, 'hostile', 'solution', 'answer.ts'), 'utf8').replace(/setTimeout\(resolve, ms\)/, 'setTimeout(resolve, 2_000)'));
  const temp = join(root, 'tmp');
  mkdirSync(temp);
  const out = join(root, 'result.json');
  try {
    const run = new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['src/cli/grade.ts', 'hostile', '--labs', join(root, 'labs'), '--submission', submission, '--json', out], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TMPDIR: temp } }, (error, _stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
      });
    });
    // Once the test process exists (it gets a folder in TMPDIR), the run is under way.
    const until = Date.now() + 30_000;
    while (!readdirSync(temp).some((name) => name.startsWith('lab-run-')) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    appendFileSync(join(lab, 'tests', 'answer.test.ts'), '\n// changed during the run\n');
    const { code, stderr } = await run;
    assert.equal(code, 2, stderr);
    assert.match(stderr, /The lab folder .*labs\/hostile changed on disk while it was being graded/);
    assert.match(stderr, /git checkout -- .*labs\/hostile/);
    const result = labResult.parse(JSON.parse(readFileSync(out, 'utf8')));
    assert.equal(result.status, 'error');
    assert.match(result.message ?? '', /changed on disk/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('gradebook: the rows graded after a lab folder changed are not graded, with the reason; the rows before keep their scores', async () => {
  const { root, lab } = copyLab('hostile');
  const classDir = join(root, 'class');
  for (const learner of ['ann', 'ben', 'cyd']) {
    mkdirSync(join(classDir, learner, 'src'), { recursive: true });
    cpSync(join(LABS, 'hostile', 'solution', 'answer.ts'), join(classDir, learner, 'src', 'answer.ts'));
  }
  try {
    const bundle = loadLab('hostile', { root: join(root, 'labs') });
    const book = await gradeClass({
      dir: classDir,
      bundles: [bundle],
      jobs: 1,
      shard: null,
      course: { name: 'test', version: '0' },
      labsRoot: join(root, 'labs'),
      // After the first submission, while the next waits to run.
      onGraded: (done) => {
        if (done === 1) writeFileSync(join(lab, 'tests', 'answer.test.ts'), 'changed');
      },
    });
    const entries = book.learners.map((l) => [l.id, l.labs.hostile!] as const);
    assert.equal(entries[0]![1].state, 'graded');
    for (const [id, entry] of entries.slice(1)) {
      assert.equal(entry.state, 'error', id);
      assert.match(entry.state === 'error' ? entry.error : '', /lab folder .*labs\/hostile changed on disk.*git checkout/);
    }
    assert.ok(existsSync(lab));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
