import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRulesTable, rulesTableProblems } from '../../src/labs/rules-table.ts';

const TABLE = `# Rules and the tests that check them

| # | Rule (README) | Task | Tests |
|---|---|---|---|
| 1 | append() throws when \`a || b\` holds | 1 | \`append-rejects\`, \`append-races\` |
| 2 | a snapshot is a cache | 3 | \`snapshot-cache\` |
| 3 | a rule nobody tests yet | 4 | none |
`;

test('the rules table gives each numbered row its rule and the test ids in backticks of its last cell', () => {
  assert.deepEqual(parseRulesTable(TABLE), [
    { number: '1', rule: 'append() throws when `a || b` holds', testIds: ['append-rejects', 'append-races'] },
    { number: '2', rule: 'a snapshot is a cache', testIds: ['snapshot-cache'] },
    { number: '3', rule: 'a rule nobody tests yet', testIds: [] },
  ]);
});

test('verify names a row without a test, an id that is not a test, and a missing table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  try {
    assert.match(rulesTableProblems(dir, ['x'])[0]!, /rules\.md is missing/);
    writeFileSync(join(dir, 'rules.md'), TABLE);
    const problems = rulesTableProblems(dir, ['append-rejects', 'snapshot-cache']);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0]!, /row 1 names `append-races`, which is not a test/);
    assert.match(problems[1]!, /row 3 \("a rule nobody tests yet"\) names no test/);
    assert.deepEqual(rulesTableProblems(dir, ['append-rejects', 'append-races', 'snapshot-cache']).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
