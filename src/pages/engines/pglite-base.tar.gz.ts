/**
 * The dumped PGlite data directory the browser worker starts from, made at build time so
 * no learner's browser ever runs initdb (~2.7 s).
 */
import { readFile } from 'node:fs/promises';
import type { APIRoute } from 'astro';
import { ensurePgSnapshot } from '../../runner/node/engines.ts';

export const GET: APIRoute = async () => {
  const bytes = await readFile(await ensurePgSnapshot());
  return new Response(bytes, { headers: { 'Content-Type': 'application/gzip' } });
};
