/**
 * CI-only checks: the grader runs them, the site never ships them. They try the visible tests'
 * behaviour on inputs drawn from the run's seed, so an upcaster that maps the five example
 * amounts to the right cents, and nothing else, loses the test in CI.
 */
import { ciCheck, expect } from 'labkit/test';
import { upcast } from '../../src/upcasters.ts';

ciCheck('converts euro amounts to whole cents without floating-point drift', ({ random }) => {
  const wrong: string[] = [];
  for (let i = 0; i < 300 && wrong.length < 5; i++) {
    const cents = Math.floor(random() * 10_000_000);
    // The amount as the old service stored it: a float with two decimals, drift included.
    const amount = Number((cents / 100).toFixed(2));
    const result = upcast({ type: 'OrderPlaced', schemaVersion: 1, data: { orderId: `ci-${i}`, customerId: 'erin', amount } });
    if (result.data.totalCents !== cents) wrong.push(`${amount} euros gave ${String(result.data.totalCents)}, not ${cents}`);
  }
  expect(wrong.length, `amount in euros -> totalCents:\n    ${wrong.join('\n    ')}\n  `).toBe(0);
});
