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
      if (table.scrollWidth > table.clientWidth) table.tabIndex = 0;
      else table.removeAttribute('tabindex');
    }
  };
  new ResizeObserver(update).observe(pane);
}
