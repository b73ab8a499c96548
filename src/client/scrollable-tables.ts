/**
 * A README's table that is wider than the instructions pane scrolls sideways (Starlight's
 * markdown style makes a table its own scroll box); it then takes the keyboard focus, so that a
 * learner without a mouse can scroll it too (WCAG 2.1.1; axe: scrollable-region-focusable), and
 * gives it up when it fits.
 */
export function makeTablesScrollable(pane: HTMLElement): void {
  const tables = [...pane.querySelectorAll('table')];
  if (tables.length === 0) return;
  const update = () => {
    for (const table of tables) {
      // A table the browser is not laying out measures as if it had no content; it keeps what it
      // was given when it was last shown.
      if (isSkipped(table)) continue;
      if (table.scrollWidth > table.clientWidth) table.tabIndex = 0;
      else table.removeAttribute('tabindex');
    }
  };
  new ResizeObserver(update).observe(pane);
  // Off screen, a README block is not laid out (content-visibility: auto, lab-page.css), and it
  // is again when it comes near the screen, which this event says. It does not bubble: a
  // listener on the pane hears it in the capture phase.
  pane.addEventListener('contentvisibilityautostatechange', update, { capture: true });
}

/** Whether the table's rows are skipped, by content-visibility on the table or on an ancestor. */
function isSkipped(table: HTMLTableElement): boolean {
  const row = table.rows[0];
  return row !== undefined && !row.checkVisibility({ contentVisibilityAuto: true });
}
