import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LABS_BEGIN, LABS_END, readmeWithLabTable, readmeWithReference } from '../../scripts/lab-reference.ts';
import { courseCatalog } from '../../src/course/catalog.ts';
import { listLabIds } from '../../src/labs/list-labs.ts';

const readme = readFileSync('README.md', 'utf8');

test("README.md's lab.json reference matches the schema (run `npm run docs` after changing it)", () => {
  assert.equal(readme, readmeWithReference(readme));
  assert.match(readme, /\| `tasks\[\]\.hints` \| array of string \| no \|/);
});

test("README.md's lab table matches labs/*/lab.json (run `npm run docs` after adding a lab or changing its strategy or summary)", () => {
  assert.equal(readme, readmeWithLabTable(readme));
});

test('the lab table has one row per lab, under the strategy its lab.json names', () => {
  const table = readme.slice(readme.indexOf(LABS_BEGIN), readme.indexOf(LABS_END));
  const section = readme.slice(readme.indexOf('\n## Labs\n'), readme.indexOf('\n## ', readme.indexOf('\n## Labs\n') + 1));
  assert.ok(section.includes(LABS_BEGIN) && section.includes(LABS_END), 'the generated table sits in the section "## Labs"');
  const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` \| (\d+)\. [^|]+ \| (.+) \|$/gm)].map((m) => ({ id: m[1]!, strategy: Number(m[2]), what: m[3]! }));
  assert.deepEqual(rows.map((r) => r.id).sort(), listLabIds());
  for (const row of rows) {
    const manifest = JSON.parse(readFileSync(`labs/${row.id}/lab.json`, 'utf8')) as { strategy: number; summary?: string; title: string };
    assert.equal(row.strategy, manifest.strategy, `${row.id}: the table says strategy ${row.strategy}, its lab.json ${manifest.strategy}`);
    assert.equal(row.what, manifest.summary ?? manifest.title);
  }
  assert.ok(rows.some((r) => r.id === 'backup-recovery' && r.strategy === 11), 'backup-recovery sits under strategy 11 although its id is not the lesson slug');
});

test('a stale lab table is told apart from a fresh one', () => {
  const catalog = courseCatalog();
  const moved = { ...catalog, labs: catalog.labs.map((lab) => (lab.id === 'backup-recovery' ? { ...lab, strategy: 12 } : lab)) };
  assert.notEqual(readmeWithLabTable(readme, moved), readme, 'a lab moved to another strategy changes the table');
  const missing = { ...catalog, labs: catalog.labs.filter((lab) => lab.id !== 'sagas') };
  assert.notEqual(readmeWithLabTable(readme, missing), readme, 'a lab left out changes the table');
  const piped = { ...catalog, labs: catalog.labs.map((lab) => (lab.id === 'sagas' ? { ...lab, summary: 'a | b' } : lab)) };
  assert.match(readmeWithLabTable(readme, piped), /\| `sagas` \| 7\. Data consistency with sagas \| a \\\| b \|/, 'a | in a summary does not end the cell');
  assert.throws(() => readmeWithLabTable('# no markers\n'), /README\.md has no lab table markers/);
});
