/**
 * A broken lab folder must fail with a message that names the lab, the file or field, and the
 * fix. The message text is the product here, so it is asserted word for word.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LabFormatError } from '../../src/labs/lab-format-error.ts';
import { loadLab } from '../../src/labs/load-lab.ts';

/** A copy of the counter fixture lab, changed by `edit`, then loaded; returns the error message. */
function loadBroken(edit: (dir: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'labs-'));
  const dir = join(root, 'counter');
  cpSync('tests/fixtures/labs/counter', dir, { recursive: true });
  edit(dir);
  try {
    loadLab('counter', { root });
  } catch (error) {
    assert.ok(error instanceof LabFormatError, `expected a LabFormatError, got ${error}`);
    return error.message;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.fail('the broken lab loaded without an error');
}

function editManifest(dir: string, change: (manifest: Record<string, unknown>) => void): void {
  const path = join(dir, 'lab.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  change(manifest);
  writeFileSync(path, JSON.stringify(manifest));
}

test('the counter fixture lab loads into a bundle with src/ and tests/ paths', () => {
  const bundle = loadLab('counter', { root: 'tests/fixtures/labs' });
  assert.deepEqual(Object.keys(bundle.starter).sort(), ['src/counter.ts', 'src/names.ts']);
  assert.deepEqual(Object.keys(bundle.tests), ['tests/counter.test.ts']);
  assert.ok(bundle.solution?.['src/counter.ts']?.includes('ON CONFLICT'));
  assert.equal(loadLab('counter', { root: 'tests/fixtures/labs', withoutSolution: true }).solution, undefined);
});

test('an unknown field in lab.json is named, with the fix', () => {
  const message = loadBroken((dir) => editManifest(dir, (m) => (m.difficulty = 'hard')));
  assert.equal(message, 'Lab "counter" is not valid (1 problem):\n  - lab.json: unknown field "difficulty"\n    Fix: remove it, or check its spelling against the lab.json reference in README.md ("Writing a lab")');
});

test('a missing required field names its path', () => {
  const message = loadBroken((dir) => editManifest(dir, (m) => delete m.version));
  assert.equal(message, 'Lab "counter" is not valid (1 problem):\n  - lab.json › version: this required field is missing\n    Fix: add it (expected number)');
});

test('a badly formed editable path says what a path looks like', () => {
  const message = loadBroken((dir) => editManifest(dir, (m) => ((m.files as { editable: string[] }).editable = ['counter.ts'])));
  assert.match(message, /- lab\.json › files\.editable\[0\]: got "counter\.ts"\n    Fix: write a path like "src\/event-store\.ts" \(lower case, ending in \.ts\)/);
});

test('a value of the wrong type says what was expected and what came', () => {
  const message = loadBroken((dir) => editManifest(dir, (m) => (m.strategy = 'three')));
  assert.match(message, /- lab\.json › strategy: expected number, got "three"\n    Fix: give it a value of type number/);
});

test('invalid JSON in lab.json is reported as such', () => {
  const message = loadBroken((dir) => writeFileSync(join(dir, 'lab.json'), '{ "id": "counter", }'));
  assert.match(message, /- lab\.json: not valid JSON \(.+\)\n    Fix: correct the JSON syntax; a trailing comma or a missing quote is the usual cause/);
});

test('an unexpected file in the lab folder is named, with the fix', () => {
  const message = loadBroken((dir) => writeFileSync(join(dir, 'notes.txt'), 'hi'));
  assert.equal(message, 'Lab "counter" is not valid (1 problem):\n  - notes.txt: unexpected file in the lab folder\n    Fix: a lab folder holds only lab.json, README.md, rules.md, mutation-equivalents.json, test-times.json, starter/, solution/ and tests/; move or delete it');
});

test('a starter file that lab.json does not list is named, with the field to add it to', () => {
  const message = loadBroken((dir) => writeFileSync(join(dir, 'starter', 'extra.ts'), 'export {}'));
  assert.equal(message, 'Lab "counter" is not valid (1 problem):\n  - starter/extra.ts: not listed in lab.json\n    Fix: add "src/extra.ts" to files.editable or files.readonly in lab.json, or delete the file');
});

test('a listed file that does not exist is named', () => {
  const message = loadBroken((dir) => rmSync(join(dir, 'solution', 'names.ts')));
  assert.match(message, /- solution\/names\.ts: lab\.json lists "src\/names\.ts" but the file does not exist\n    Fix: create solution\/names\.ts, or remove "src\/names\.ts" from files\.editable or files\.readonly/);
});

test('a services module that is not one of the lab files is named', () => {
  const message = loadBroken((dir) => editManifest(dir, (manifest) => (manifest.services = 'src/services.ts')));
  assert.equal(message, 'Lab "counter" is not valid (1 problem):\n  - lab.json › services: "src/services.ts" is not one of the lab\'s files\n    Fix: list the module in files.readonly (or files.editable), or correct the path');
});

test('a read-only file that differs between starter and solution is caught', () => {
  const message = loadBroken((dir) => writeFileSync(join(dir, 'solution', 'names.ts'), "export const TABLE = 'other';\n"));
  assert.match(message, /- solution\/names\.ts: a read-only file differs between starter\/ and solution\/\n    Fix: make both copies identical, or list the file in files\.editable/);
});

test('a symbolic link is refused', () => {
  const message = loadBroken((dir) => {
    rmSync(join(dir, 'starter', 'names.ts'));
    symlinkSync('/etc/hostname', join(dir, 'starter', 'names.ts'));
  });
  assert.match(message, /- starter\/names\.ts: a symbolic link\n    Fix: replace it with a regular file/);
});

test('README task headings must match lab.json tasks', () => {
  const message = loadBroken((dir) => writeFileSync(join(dir, 'README.md'), '# Counter\n\n## Task 1: Count in Postgres\n'));
  assert.match(message, /- README\.md: task 1 is titled "Count in Postgres" but lab\.json says "Count in PostgreSQL"\n    Fix: use the same title in both places/);
  assert.match(message, /- README\.md: no heading for task 2\n    Fix: add "## Task 2: Count in SQLite"/);
});

test('a lab whose id differs from its folder is caught', () => {
  const message = loadBroken((dir) => editManifest(dir, (m) => (m.id = 'kounter')));
  assert.match(message, /- lab\.json › id: the id is "kounter" but the folder is "counter"\n    Fix: set "id" to "counter" or rename the folder/);
});

test('a CI-only test file that lab.json does not list is named, with both fields it may go in', () => {
  const message = loadBroken((dir) => writeFileSync(join(dir, 'tests', 'extra.test.ts'), 'export {}'));
  assert.equal(message, 'Lab "counter" is not valid (1 problem):\n  - tests/extra.test.ts: not listed in lab.json\n    Fix: add "tests/extra.test.ts" to tests or ciTests in lab.json, or delete the file');
});
