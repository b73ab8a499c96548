/**
 * How much JavaScript a built page makes the browser download before any dynamic import:
 * its module scripts and, transitively, their static imports, measured gzipped.
 * Used by the size budget test and by the benchmark.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface PageWeight {
  files: string[];
  rawBytes: number;
  gzipBytes: number;
}

/** `page` is a path under the site, like `/lessons/event-sourcing/`. */
export function initialJavaScript(distDir: string, page: string): PageWeight {
  const html = readFileSync(join(distDir, page, 'index.html'), 'utf8');
  const seen = new Set<string>();
  let rawBytes = 0;
  let gzipBytes = 0;
  const add = (code: string) => {
    rawBytes += Buffer.byteLength(code);
    gzipBytes += gzipSync(code).length;
  };
  const visit = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    add(code);
    for (const match of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g)) {
      visit(resolve(dirname(file), match[1]!));
    }
  };
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const attributes = match[1]!;
    if (/type="application\/(ld\+)?json"/.test(attributes)) continue;
    const src = /src="([^"]+)"/.exec(attributes)?.[1];
    if (src) visit(join(distDir, src));
    else if (match[2]!.trim()) {
      add(match[2]!);
      for (const inner of match[2]!.matchAll(/import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g)) visit(join(distDir, inner[1]!));
    }
  }
  return { files: [...seen].map((f) => f.slice(distDir.length)), rawBytes, gzipBytes };
}
