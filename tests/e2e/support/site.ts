/**
 * Serves the built site (dist/) with `astro preview`, the same server `npm start` uses,
 * including its cross-origin isolation headers.
 */
import { existsSync } from 'node:fs';
import { preview } from 'astro';

export interface Site {
  url: string;
  stop(): Promise<void>;
}

/** SITE_DIR serves another build than dist/ (for a build made with `astro build --outDir`). */
export async function serveBuiltSite(outDir = process.env.SITE_DIR ?? 'dist'): Promise<Site> {
  if (!existsSync(`${outDir}/index.html`)) throw new Error(`${outDir}/ has no site: run \`npm run build\` first (npm test does it for you).`);
  const port = 4500 + Math.floor(Math.random() * 400);
  const server = await preview({ root: process.cwd(), outDir, logLevel: 'error', server: { port, host: '127.0.0.1' } });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
}
