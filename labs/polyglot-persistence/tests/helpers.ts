/**
 * Helpers shared by the test files: Inventory's two engines behind one shape (so one domain
 * suite runs on both), the shop's catalog, the search index's content as a hash, and what a
 * refusal looks like.
 */
import { pgSchema, sqlite, type Pg, type Sqlite } from 'labkit/db';
import { describeOutcome, expect, showValue } from 'labkit/test';
import { Catalog } from '../src/catalog.ts';
import type { Product } from '../src/catalog-types.ts';
import type { InventoryRepository, StockItem } from '../src/inventory-repository.ts';
import { PostgresInventory } from '../src/postgres-inventory.ts';
import { SearchIndex } from '../src/search-index.ts';
import { SqliteInventory } from '../src/sqlite-inventory.ts';

/** Where the test clock starts: far past 2^32 ms, like a real clock (2026-03-29T01:30:00.011Z, the night Berlin moves its clocks). */
export const START = 1_774_747_800_011;

/** One opened Inventory store and the SQL another writer of the same database could send. */
export interface OpenStore {
  repo: InventoryRepository;
  /** Runs a statement written with `?` placeholders, as a script or a migration would, past the repository. */
  sql(statement: string, params?: (string | number | null)[]): Promise<void>;
  /** Rows of a query written with `?` placeholders. */
  rows<T>(statement: string, params?: (string | number | null)[]): Promise<T[]>;
  /** The same database opened again (SQLite: a new connection on the file's bytes; PostgreSQL: a new handle), with a new repository and init(). */
  reopen(): Promise<OpenStore>;
}

export interface Engine {
  name: 'sqlite' | 'postgres';
  task: 1 | 2;
  open(): Promise<OpenStore>;
}

function dollars(statement: string): string {
  let n = 0;
  return statement.replace(/\?/g, () => `$${++n}`);
}

async function openSqlite(db: Sqlite): Promise<OpenStore> {
  const repo = new SqliteInventory(db);
  await repo.init();
  return {
    repo,
    sql: async (statement, params = []) => void db.run(statement, params),
    rows: async <T,>(statement: string, params: (string | number | null)[] = []) => db.all<T>(statement, params),
    reopen: async () => openSqlite(await sqlite(db.export())),
  };
}

async function openPostgres(db: Pg): Promise<OpenStore> {
  const repo = new PostgresInventory(db);
  await repo.init();
  return {
    repo,
    sql: async (statement, params = []) => void (await db.query(dollars(statement), params)),
    rows: async <T,>(statement: string, params: (string | number | null)[] = []) => (await db.query<T>(dollars(statement), params)).rows,
    reopen: async () => openPostgres(await pgSchema('inventory')),
  };
}

export const ENGINES: Engine[] = [
  { name: 'sqlite', task: 1, open: async () => openSqlite(await sqlite()) },
  { name: 'postgres', task: 2, open: async () => openPostgres(await pgSchema('inventory')) },
];

export const BERLIN = { id: 'wh-berlin', name: 'Lager Berlin-Spandau' };
export const TOKYO = { id: 'wh-東京', name: '東京倉庫' };

export function item(sku: string, changes: Partial<StockItem> = {}): StockItem {
  return { sku, name: `Émile's mug ${sku}`, warehouseId: BERLIN.id, bin: 'A-01', quantity: 12, unitCostCents: 1_999, ...changes };
}

/** A store with the two warehouses in it. */
export async function openWithWarehouses(engine: Engine): Promise<OpenStore> {
  const store = await engine.open();
  await store.repo.addWarehouse(BERLIN);
  await store.repo.addWarehouse(TOKYO);
  return store;
}

/** Expects `action` to be refused (to reject or throw); says what it did instead. */
export async function expectRefused(action: () => unknown, what: string): Promise<void> {
  let outcome: unknown;
  try {
    outcome = await action();
  } catch {
    return;
  }
  throw new Error(`${what}\n  expected: refused (an error)\n  received: ${describeOutcome(outcome)}`);
}

// ---------------------------------------------------------------- the catalog and its index

export function product(sku: string, name: string, description: string, attributes: Product['attributes'], changes: Partial<Product> = {}): Product {
  return { sku, name, description, category: 'général', priceCents: 4_990, attributes, ...changes };
}

/** The shop's products. Skus have gaps; names and attributes carry accents, ß, 東京 and nesting. */
export const PRODUCTS: Product[] = [
  product('P-0003', 'Rain jacket', 'A light shell for city rain.', { color: 'blue', sizes: ['S', 'M', 'L'], waterproof: true, weight_g: 420 }, { category: 'jackets', priceCents: 12_900 }),
  product('P-0010', 'Softshell jacket', 'Warm and windproof. Not waterproof.', { color: 'black', sizes: ['M', 'XL'], waterproof: false, weight_g: 510 }, { category: 'jackets' }),
  product('P-0011', 'Kids raincoat', 'Jackets for rainy days at school, with reflective strips.', { color: 'blue', sizes: ['XS'], waterproof: true }),
  product('P-0100', 'Crème brûlée set', 'Six ramekins and a torch for the perfect caramel crust.', { material: 'porcelaine', pieces: 6 }),
  product('P-0101', 'Café Éthiopie 250 g', 'Whole beans, light roast, notes of jasmine.', { origin: { country: 'Ethiopia', region: 'Yirgacheffe' }, weight_g: 250 }),
  product('P-0200', 'Müsli bowl', 'A bowl for musli, porridge and ramen.', { 'größe': 'M', color: 'weiß' }),
  product('P-0201', '東京 tea cup', 'Handmade in Tokyo; holds 180 ml of tea.', { color: 'blue', capacity_ml: 180 }),
  product('P-0300', 'Running shoes', 'Shoes that run on trails and on rain-soaked roads.', { sizes: ['42', '42.5'], drop_mm: 8 }),
  product('P-0301', 'Gift card', 'Choose the amount; no jacket included.', {}),
];

export interface Shop {
  catalogDb: Pg;
  searchDb: Pg;
  catalog: Catalog;
  index: SearchIndex;
  /** What the catalog should hold: the test's own record of every write that went through. */
  model: Map<string, Product>;
}

export async function newShop(products: Product[] = PRODUCTS): Promise<Shop> {
  const catalogDb = await pgSchema('catalog');
  const searchDb = await pgSchema('search');
  const catalog = new Catalog(catalogDb);
  await catalog.init();
  const index = new SearchIndex(searchDb, catalog);
  await index.init();
  const model = new Map<string, Product>();
  for (const p of products) {
    await catalog.upsert(p);
    model.set(p.sku, p);
  }
  return { catalogDb, searchDb, catalog, index, model };
}

interface DocumentRow {
  sku: string;
  title: string;
  body: string;
}

function documentLines(rows: DocumentRow[]): string[] {
  return rows.map((r) => JSON.stringify([r.sku, r.title, r.body])).sort();
}

async function sha256(lines: string[]): Promise<string> {
  const bytes = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(lines.join('\n')));
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The search index's content (sku, title, body of every document, sorted) as a SHA-256. */
export async function indexHash(searchDb: Pg): Promise<string> {
  return sha256(documentLines(await indexRows(searchDb)));
}

async function indexRows(searchDb: Pg): Promise<DocumentRow[]> {
  return (await searchDb.query<DocumentRow>('SELECT sku, title, body FROM documents')).rows;
}

/** What the index must hold for these products, as a SHA-256. */
export async function expectedHash(model: Map<string, Product>): Promise<string> {
  return sha256(documentLines([...model.values()].map((p) => ({ sku: p.sku, title: p.name, body: p.description }))));
}

/** Compares the index with the catalog by hash and, when they differ, says which documents differ. */
export async function expectIndexMatches(shop: Shop, when: string): Promise<void> {
  const [actual, expected] = [await indexHash(shop.searchDb), await expectedHash(shop.model)];
  if (actual === expected) return;
  const rows = await indexRows(shop.searchDb);
  const held = new Map(rows.map((r) => [r.sku, r]));
  const problems: string[] = [];
  for (const p of shop.model.values()) {
    const doc = held.get(p.sku);
    if (!doc) problems.push(`${p.sku} is missing`);
    else if (doc.title !== p.name || doc.body !== p.description) problems.push(`${p.sku} is ${showValue({ title: doc.title, body: doc.body })}, the catalog has ${showValue({ title: p.name, body: p.description })}`);
  }
  for (const r of rows) if (!shop.model.has(r.sku)) problems.push(`${r.sku} is in the index but not in the catalog`);
  if (problems.length === 0) problems.push(`the index holds ${rows.length} rows for ${shop.model.size} products (a sku twice?)`);
  expect(actual, `${when}: the index's content (hash ${actual.slice(0, 12)}…) should equal the catalog's (hash ${expected.slice(0, 12)}…):\n  ${problems.slice(0, 6).join('\n  ')}`).toBe(expected);
}

export function skus(hits: { sku: string }[]): string[] {
  return hits.map((h) => h.sku);
}
