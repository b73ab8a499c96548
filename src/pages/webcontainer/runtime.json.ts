/**
 * The Node runner, bundled for the full environment (a WebContainer), with the package versions
 * it needs: fetched only when a learner opens the full environment.
 */
import type { APIRoute } from 'astro';
import { buildContainerRuntime } from '../../runner/webcontainer/runtime-bundle.ts';

export const GET: APIRoute = async () => new Response(JSON.stringify(await buildContainerRuntime()), { headers: { 'Content-Type': 'application/json' } });
