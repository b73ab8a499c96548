/** One line of an order: how many of a product, at what unit price. */
export interface OrderLine {
  sku: string;
  quantity: number;
  priceCents: number;
}

/** The order's total in cents. */
export function orderTotalCents(lines: readonly OrderLine[]): number {
  // TODO (task 1): return the sum of quantity × priceCents over the lines; an order with no lines totals 0.
  return 0;
}
