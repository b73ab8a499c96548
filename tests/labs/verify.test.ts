import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { verifyLab } from '../../src/labs/verify-lab.ts';
import { listLabIds } from '../../src/labs/list-labs.ts';
import { NodeRunner } from '../../src/runner/node/node-runner.ts';

// The solution's child starts while the starter runs.
const runner = new NodeRunner({ prestart: true });
after(() => runner.dispose());

// Without this, an empty labs/ folder would verify nothing and still pass.
test('the course has at least one lab to verify', () => {
  assert.ok(listLabIds().length > 0, 'no lab folder with a lab.json under labs/');
});

// LAB=<id> limits the run to one lab.
for (const labId of process.env.LAB ? [process.env.LAB] : listLabIds()) {
  test(`lab ${labId} verifies both ways (starter falls short, solution gets full marks)`, async () => {
    const verification = await verifyLab(labId, runner);
    assert.deepEqual(verification.problems, []);
  });
}
