/**
 * The Node runner, bundled for the full environment (a WebContainer), with the package versions
 * it needs: fetched only when a learner opens the full environment. Served at ASSET_PATHS.containerRuntime.
 */
import type { APIRoute } from 'astro';
import { containerRuntime } from '../../runner/assets.ts';

export const GET: APIRoute = async () => new Response(JSON.stringify(await containerRuntime()), { headers: { 'Content-Type': 'application/json' } });
