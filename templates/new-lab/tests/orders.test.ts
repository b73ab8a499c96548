import { expect, test } from 'labkit/test';
import { orderTotalCents } from '../src/orders.ts';

test('adds up quantity times unit price over every line', { task: 1, points: 100 }, () => {
  const lines = [
    { sku: 'CAFÉ-ÉTHIOPIE-250G', quantity: 2, priceCents: 1_250 },
    { sku: 'MUG-陶器', quantity: 1, priceCents: 899 },
  ];
  expect(orderTotalCents(lines)).toBe(3_399);
  expect(orderTotalCents([])).toBe(0);
});
