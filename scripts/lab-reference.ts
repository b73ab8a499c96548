/**
 * The lab.json field reference, generated from the schema in src/schemas/lab-manifest.ts, so
 * the documentation cannot drift from what the loader accepts. `npm run docs` writes it into
 * README.md between the markers below; a unit test fails when README.md is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { labManifest } from '../src/schemas/lab-manifest.ts';

export const BEGIN = '<!-- lab.json reference: generated from src/schemas/lab-manifest.ts by `npm run docs` -->';
export const END = '<!-- end of lab.json reference -->';

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

export function readmeWithReference(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`README.md has no lab.json reference markers (${BEGIN} ... ${END}).`);
  return readme.slice(0, start) + labReference() + readme.slice(end + END.length);
}

if (import.meta.main) {
  writeFileSync('README.md', readmeWithReference(readFileSync('README.md', 'utf8')));
  console.log('README.md: lab.json reference updated');
}
