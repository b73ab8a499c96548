/**
 * The contract of Inventory's store, one for both engines: the warehouse scanners run it on
 * SQLite (sql.js), the central Inventory service on PostgreSQL. The same domain tests run
 * against both adapters, so every rule below holds on both, whatever the engine does by default.
 */

export interface Warehouse {
  id: string;
  name: string;
}

export interface StockItem {
  /** Primary key: putting an item with the same sku again replaces it. */
  sku: string;
  name: string;
  /** Must name a warehouse that exists (a foreign key). */
  warehouseId: string;
  /** The shelf it sits on, or null while it has none. */
  bin: string | null;
  /** A whole number, 0 or more, at most MAX_INT. */
  quantity: number;
  /** The cost of one unit in whole cents, 0 or more, at most MAX_INT. */
  unitCostCents: number;
}

export interface ListOptions {
  /** Only items whose name contains this text, compared after toLowerCase() on both sides; % and _ are plain characters. */
  nameContains?: string;
  /** Only the items of this warehouse. */
  warehouseId?: string;
}

/** The largest quantity or unit cost: PostgreSQL's integer. A total of many items can be larger. */
export const MAX_INT = 2_147_483_647;

export interface InventoryRepository {
  /** Creates the tables if they are missing and sets what the connection needs; runs on every open, on a database that may hold rows. */
  init(): Promise<void>;
  /** Adds a warehouse, or renames it when its id exists. */
  addWarehouse(warehouse: Warehouse): Promise<void>;
  /** Inserts or replaces the item with this sku; rejects an item that breaks a rule, storing nothing. */
  put(item: StockItem): Promise<void>;
  get(sku: string): Promise<StockItem | undefined>;
  /** By bin in character-code order, items without a bin last, then by sku. */
  list(options?: ListOptions): Promise<StockItem[]>;
  /** True when an item was removed. */
  remove(sku: string): Promise<boolean>;
  /** The sum of quantity × unitCostCents, exactly, over all items or one warehouse's; 0 when there are none. */
  totalValueCents(warehouseId?: string): Promise<number>;
}
