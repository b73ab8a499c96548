import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readmeWithReference } from '../../scripts/lab-reference.ts';

test("README.md's lab.json reference matches the schema (run `npm run docs` after changing it)", () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.equal(readme, readmeWithReference(readme));
  assert.match(readme, /\| `tasks\[\]\.hints` \| array of string \| no \|/);
});
