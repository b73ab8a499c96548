import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURE_SUBMISSIONS_DIR, fixtureSubmissions } from '../../src/labs/fixture-submissions.ts';

function withMistake(mistake: unknown, check: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'fixtures-'));
  try {
    const dir = join(root, FIXTURE_SUBMISSIONS_DIR, 'lab', 'mistakes', 'forgets-the-rule');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'mistake.json'), JSON.stringify(mistake));
    mkdirSync(join(root, FIXTURE_SUBMISSIONS_DIR, 'lab', 'correct', 'another-way'), { recursive: true });
    check(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('fixture submissions: correct ones first, then each mistake with the rule and the tests it fails', () => {
  withMistake({ rule: 3, mistake: 'counts a duplicate twice', fails: ['t2-duplicate'] }, (root) => {
    const found = fixtureSubmissions('lab', root);
    assert.deepEqual(found.map((f) => [f.kind, f.name]), [['correct', 'another-way'], ['mistake', 'forgets-the-rule']]);
    const mistake = found[1]!;
    assert.ok(mistake.kind === 'mistake');
    assert.deepEqual(mistake.mistake, { rule: 3, mistake: 'counts a duplicate twice', fails: ['t2-duplicate'] });
  });
});

test('a mistake that names no failing test is refused with its file and what to do, not a stack of schema paths', () => {
  withMistake({ rule: 3, mistake: 'counts a duplicate twice', fails: [] }, (root) => {
    assert.throws(() => fixtureSubmissions('lab', root), (error: Error) => {
      assert.match(error.message, /forgets-the-rule\/mistake\.json: fails names no test: list the ids of the tests this mistake fails/);
      return true;
    });
  });
});
