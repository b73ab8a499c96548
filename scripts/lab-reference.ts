/**
 * The generated parts of README.md, so the documentation cannot drift from the data:
 *
 * - the lab table (section "Labs"), one row per lab from the course catalog (src/course/catalog.ts):
 *   its id, the strategy its lab.json names, and its `summary`;
 * - the lab.json field reference, from the schema in src/schemas/lab-manifest.ts, so it says
 *   what the loader accepts.
 *
 * `npm run docs` writes both between their markers below; a unit test fails when README.md is
 * out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { courseCatalog, type Catalog } from '../src/course/catalog.ts';
import { labManifest } from '../src/schemas/lab-manifest.ts';

export const BEGIN = '<!-- lab.json reference: generated from src/schemas/lab-manifest.ts by `npm run docs` -->';
export const END = '<!-- end of lab.json reference -->';
export const LABS_BEGIN = '<!-- lab table: generated from labs/*/lab.json by `npm run docs` -->';
export const LABS_END = '<!-- end of lab table -->';

interface JsonSchema {
  type?: string;
  description?: string;
  examples?: unknown[];
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (schema.type === 'array' && schema.items) return `array of ${typeOf(schema.items)}`;
  if (schema.type === 'integer') {
    // Zod reports "no upper bound" as the largest safe integer.
    if (schema.maximum !== undefined && schema.maximum >= Number.MAX_SAFE_INTEGER) delete schema.maximum;
    const range = schema.minimum !== undefined && schema.maximum !== undefined ? ` ${schema.minimum}-${schema.maximum}` : schema.minimum !== undefined ? ` >= ${schema.minimum}` : '';
    return `integer${range}`;
  }
  return schema.type ?? 'value';
}

function rows(schema: JsonSchema, prefix: string): string[] {
  const lines: string[] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const required = schema.required?.includes(name) && field.default === undefined ? 'yes' : `no${field.default !== undefined && typeof field.default !== 'object' ? ` (${JSON.stringify(field.default)})` : ''}`;
    const example = field.examples?.[0] !== undefined ? ` Example: \`${JSON.stringify(field.examples[0])}\`.` : '';
    lines.push(`| \`${path}\` | ${typeOf(field)} | ${required} | ${field.description ?? ''}${example} |`);
    if (field.type === 'object') lines.push(...rows(field, `${path}.`));
    if (field.type === 'array' && field.items?.type === 'object') lines.push(...rows(field.items, `${path}[].`));
  }
  return lines;
}

export function labReference(): string {
  const schema = z.toJSONSchema(labManifest, { io: 'input' }) as JsonSchema;
  return [BEGIN, '| field | type | required | meaning |', '|---|---|---|---|', ...rows(schema, ''), END].join('\n');
}

/** A table cell's text: a `|` would end the cell, a line break the row. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The README's lab table: every lab of the catalog, by strategy, with what the learner builds. */
export function labTable(catalog: Catalog = courseCatalog()): string {
  const rows = catalog.labs.map((lab) => {
    const strategy = catalog.strategies.find((s) => s.number === lab.strategy)!;
    return `| \`${lab.id}\` | ${strategy.number}. ${cell(strategy.title)} | ${cell(lab.summary ?? lab.title)} |`;
  });
  return [LABS_BEGIN, '| lab | strategy | what you build |', '|---|---|---|', ...rows, LABS_END].join('\n');
}

function replaceBetween(readme: string, begin: string, end: string, what: string, text: string): string {
  const start = readme.indexOf(begin);
  const stop = readme.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`README.md has no ${what} markers (${begin} ... ${end}).`);
  return readme.slice(0, start) + text + readme.slice(stop + end.length);
}

export function readmeWithReference(readme: string): string {
  return replaceBetween(readme, BEGIN, END, 'lab.json reference', labReference());
}

export function readmeWithLabTable(readme: string, catalog?: Catalog): string {
  return replaceBetween(readme, LABS_BEGIN, LABS_END, 'lab table', labTable(catalog));
}

/** README.md with every generated part as the data says it should be now. */
export function readmeGenerated(readme: string): string {
  return readmeWithReference(readmeWithLabTable(readme));
}

if (import.meta.main) {
  writeFileSync('README.md', readmeGenerated(readFileSync('README.md', 'utf8')));
  console.log('README.md: lab table and lab.json reference updated');
}
