/**
 * The grader's zip reader: the zip "Download my work" makes is read as is; hostile zips (paths
 * out of the folder, links, bombs, too many entries) are refused or their entries ignored.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { workZip } from '../../src/client/download-work.ts';
import { readSubmissionZip, MAX_ENTRIES } from '../../src/submissions/zip.ts';
import { loadLab } from '../../src/labs/load-lab.ts';

const bundle = loadLab('counter', { root: 'tests/fixtures/labs' });
const dir = mkdtempSync(join(tmpdir(), 'zip-'));
let n = 0;
function zipFile(bytes: Uint8Array): string {
  const path = join(dir, `s${n++}.zip`);
  writeFileSync(path, bytes);
  return path;
}
const zip = (entries: Zippable) => zipFile(zipSync(entries));

test('zip: the lab page\'s zip gives the learner\'s files, with no notes', () => {
  const path = zipFile(workZip('counter', 1, { 'src/counter.ts': 'mine' }));
  assert.deepEqual(readSubmissionZip(bundle, path), { files: { 'src/counter.ts': 'mine' }, notes: [] });
});

test('zip: one top folder is looked through; other files are ignored with a note', () => {
  const { files, notes } = readSubmissionZip(bundle, zip({ 'work/src/counter.ts': strToU8('x'), 'work/src/names.ts': strToU8('y'), 'work/README': strToU8('z') }));
  assert.deepEqual(files, { 'src/counter.ts': 'x' });
  assert.deepEqual(notes, ["ignored src/names.ts: not one of the lab's editable files", "ignored README: not one of the lab's editable files"]);
});

test('zip: a missing file and a submission.json for another lab or version are noted', () => {
  const other = readSubmissionZip(bundle, zip({ 'submission.json': strToU8('{"labId":"sagas","labVersion":1}') }));
  assert.deepEqual(other.notes, ['submission.json says this work is for the lab "sagas", not "counter"', "missing src/counter.ts: the starter's version was used"]);
  const older = readSubmissionZip(bundle, zip({ 'submission.json': strToU8('{"labId":"counter","labVersion":0}'), 'src/counter.ts': strToU8('x') }));
  assert.match(older.notes[0]!, /written against version 0 of the lab; it is graded against version 1/);
});

test('zip: paths that leave the folder or are absolute are never used', () => {
  const { files, notes } = readSubmissionZip(bundle, zip({ '../src/counter.ts': strToU8('a'), '/src/counter.ts': strToU8('b'), 'src/../src/counter.ts': strToU8('c') }));
  assert.deepEqual(files, {});
  assert.ok(notes.includes('ignored "../src/counter.ts": a path that leaves the submission (..)'), notes.join('\n'));
  assert.ok(notes.includes('ignored "/src/counter.ts": an absolute path'), notes.join('\n'));
  assert.ok(notes.includes('ignored "src/../src/counter.ts": a path that leaves the submission (..)'), notes.join('\n'));
});

test('zip: an entry marked as a symbolic link is not read', () => {
  // Unix "made by" and mode 0o120777 in the external attributes: how zip -y stores a link.
  const bytes = zipSync({ 'src/counter.ts': [strToU8('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] });
  const { files, notes } = readSubmissionZip(bundle, zipFile(bytes));
  assert.deepEqual(files, {});
  assert.deepEqual(notes, ['ignored src/counter.ts: not a regular file (a symbolic link)']);
});

test('zip: a bomb is stopped at the size cap, even when its header lies about the size', () => {
  const big = new Uint8Array(8 * 1024 * 1024).fill(32);
  const honest = readSubmissionZip(bundle, zip({ 'src/counter.ts': big }));
  assert.deepEqual(honest.notes, ['ignored src/counter.ts: larger than 256 KB']);
  // Rewrite the sizes in the central directory to claim 10 bytes.
  const bytes = zipSync({ 'src/counter.ts': big });
  const view = new DataView(bytes.buffer);
  let central = bytes.length - 4;
  while (view.getUint32(central, true) !== 0x02014b50) central--;
  view.setUint32(central + 24, 10, true);
  const started = performance.now();
  const lying = readSubmissionZip(bundle, zipFile(bytes));
  assert.deepEqual(lying.notes, ['ignored src/counter.ts: it inflates to more than 256 KB']);
  assert.ok(performance.now() - started < 2000, 'inflation stops early');
});

test('zip: too many entries, not a zip at all, or a missing file are refused with the reason', () => {
  const many: Zippable = {};
  for (let i = 0; i <= MAX_ENTRIES; i++) many[`f${i}.txt`] = strToU8('');
  assert.throws(() => readSubmissionZip(bundle, zip(many)), new RegExp(`lists ${MAX_ENTRIES + 1} entries, more than the ${MAX_ENTRIES} allowed`));
  assert.throws(() => readSubmissionZip(bundle, zipFile(strToU8('not a zip'))), /cannot be read: it is not a zip file/);
  assert.throws(() => readSubmissionZip(bundle, join(dir, 'none.zip')), /does not exist/);
});

test('zip: a file that is not UTF-8 is ignored with a note', () => {
  const { files, notes } = readSubmissionZip(bundle, zip({ 'src/counter.ts': new Uint8Array([0xff, 0xfe, 0x00, 0xc3]) }));
  assert.deepEqual(files, {});
  assert.deepEqual(notes, ['ignored src/counter.ts: not UTF-8 text']);
});
