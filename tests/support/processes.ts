/** What a grade left running, found through /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

/** Processes that mention `needle` (a folder only one grade used) in their command line or environment. */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle) || readFileSync(`/proc/${name}/environ`, 'utf8').includes(needle)) found.push(Number(name));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}
