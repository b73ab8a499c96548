/** One line of an order: how many of a product, at what unit price. */
export interface OrderLine {
  sku: string;
  quantity: number;
  priceCents: number;
}

/** The order's total in cents. */
export function orderTotalCents(lines: readonly OrderLine[]): number {
  return lines.reduce((sum, line) => sum + line.quantity * line.priceCents, 0);
}
