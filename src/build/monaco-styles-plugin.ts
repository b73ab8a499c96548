/**
 * Monaco's modules import their own CSS files. Astro links the CSS of every module that a page's
 * script can reach, through a dynamic import() too, in the page's <head> (withastro/astro#9495):
 * every lab page parsed and matched 175 kB of editor CSS before its first paint, though the
 * editor loads later, when the learner reaches for it. Measured on the built backup-recovery lab
 * page, unthrottled: style recalculation 56-81 ms with those links, 35-47 ms without.
 *
 * This plugin resolves each of those CSS imports to a small module that hands the file's CSS
 * (Vite's `?inline`, minified, its url()s rewritten) to src/client/monaco-styles.ts, which adds
 * it to the page. The CSS thus loads and applies with the editor's own chunks, in the order of
 * Monaco's imports, and no longer reaches the page's <head>.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const MONACO_MODULE = /[\\/]node_modules[\\/]monaco-editor[\\/]esm[\\/].*\.js$/;
const PREFIX = '\0monaco-style:';
const ADD_STYLE = fileURLToPath(new URL('../client/monaco-styles.ts', import.meta.url));

/** Whether a module of the bundle is one this plugin adds to Monaco's chunks. */
export function isMonacoStyleModule(id: string): boolean {
  return id.startsWith(PREFIX) || id === ADD_STYLE;
}

export function monacoStylesWithTheEditor(): Plugin {
  return {
    name: 'course:monaco-styles-with-the-editor',
    enforce: 'pre',
    applyToEnvironment: (environment) => environment.config.consumer === 'client',
    resolveId(source, importer) {
      if (!importer || !source.endsWith('.css') || !MONACO_MODULE.test(importer)) return null;
      // Ending in .js: an id that ends in .css would be taken for CSS by Vite's own CSS plugin.
      return `${PREFIX}${resolve(dirname(importer), source)}.js`;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const file = id.slice(PREFIX.length, -'.js'.length);
      return [
        `import css from ${JSON.stringify(`${file}?inline`)};`,
        `import { addMonacoStyle } from ${JSON.stringify(ADD_STYLE)};`,
        'addMonacoStyle(css);',
      ].join('\n');
    },
  };
}
