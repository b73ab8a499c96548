/**
 * Where Monaco's CSS goes on a lab page: its modules hand it over as they load (the build plugin
 * in src/build/monaco-styles-plugin.ts explains why it is not in the page's <head>). The pieces
 * of one chunk arrive together and are written to the page at once: a <style> element whose text
 * grows piece by piece would be parsed again for each of the hundred-odd pieces.
 */
let style: HTMLStyleElement | undefined;
let pending: string[] = [];

export function addMonacoStyle(css: string): void {
  if (pending.length === 0) queueMicrotask(flush);
  pending.push(css);
}

function flush(): void {
  if (!style) {
    style = document.createElement('style');
    style.dataset.monaco = '';
    document.head.append(style);
  }
  style.append(pending.join('\n'));
  pending = [];
}
