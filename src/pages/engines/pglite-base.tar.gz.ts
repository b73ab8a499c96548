/**
 * The dumped PGlite data directory the browser engines start from, made at build time so no
 * learner's browser ever runs initdb (~2.7 s). Served at ASSET_PATHS.pgSnapshot.
 */
import type { APIRoute } from 'astro';
import { pgSnapshotBytes } from '../../runner/assets.ts';

export const GET: APIRoute = async () => new Response(await pgSnapshotBytes(), { headers: { 'Content-Type': 'application/gzip' } });
