/**
 * A bounded pool: runs `work` over `items` with at most `slots` at a time. Each slot gets its
 * own state (`makeSlot`), e.g. a NodeRunner, so runs never share one; results keep item order.
 */
export async function runPool<Item, Slot, Result>(
  items: readonly Item[],
  slots: number,
  makeSlot: () => Slot,
  work: (item: Item, slot: Slot) => Promise<Result>,
  disposeSlot: (slot: Slot) => void = () => {},
): Promise<Result[]> {
  const results = new Array<Result>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    const slot = makeSlot();
    try {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, slot);
      }
    } finally {
      disposeSlot(slot);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(slots, items.length)) }, lane));
  return results;
}
