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

export async function serveBuiltSite(): Promise<Site> {
  if (!existsSync('dist/index.html')) throw new Error('dist/ has no site: run `npm run build` first (npm test does it for you).');
  const port = 4500 + Math.floor(Math.random() * 400);
  const server = await preview({ root: process.cwd(), logLevel: 'error', server: { port, host: '127.0.0.1' } });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
}
