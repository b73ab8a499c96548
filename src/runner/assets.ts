/**
 * The files the site serves for the runtimes, made at build time in Node: the dumped PGlite data
 * directory that every browser engine starts from (so no learner's browser runs initdb), and the
 * Node runner bundled for the full environment. The pages under src/pages/engines/ and
 * src/pages/webcontainer/ serve them at these paths; lab pages and SQL consoles point there.
 */
import { readFile } from 'node:fs/promises';
import { ensurePgSnapshot } from './node/engines.ts';
import type { ContainerRuntime } from './webcontainer/project-tree.ts';
import { buildContainerRuntime } from './webcontainer/runtime-bundle.ts';

/** Where each asset is served, relative to the site's base; each is the route file's own path. */
export const ASSET_PATHS = {
  pgSnapshot: 'engines/pglite-base.tar.gz',
  containerRuntime: 'webcontainer/runtime.json',
} as const;

/** An asset's URL on a site whose base is `base` (Astro's BASE_URL, with or without a trailing slash). */
export function assetUrl(base: string, asset: keyof typeof ASSET_PATHS): string {
  return `${base.replace(/\/$/, '')}/${ASSET_PATHS[asset]}`;
}

/** The gzipped tar of PGlite's data directory after initdb. */
export async function pgSnapshotBytes(): Promise<Buffer<ArrayBuffer>> {
  return readFile(await ensurePgSnapshot('gzip'));
}

/** The bundled runner files and the package versions a WebContainer project installs. */
export function containerRuntime(): Promise<ContainerRuntime> {
  return buildContainerRuntime();
}
