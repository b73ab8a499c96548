/**
 * A README's table that is wider than the instructions pane scrolls sideways inside a wrapper;
 * the wrapper then takes the keyboard focus, so that a learner without a mouse can scroll it
 * too (WCAG 2.1.1; axe: scrollable-region-focusable), and gives it up when the table fits.
 */
export function makeTablesScrollable(pane: HTMLElement): void {
  const wrappers = [...pane.querySelectorAll('table')].map((table) => {
    const wrapper = document.createElement('div');
    wrapper.className = 'table-scroll';
    wrapper.setAttribute('role', 'region');
    wrapper.setAttribute('aria-label', table.querySelector('caption')?.textContent?.trim() || 'Table');
    table.before(wrapper);
    wrapper.append(table);
    return wrapper;
  });
  if (wrappers.length === 0) return;
  const update = () => {
    for (const wrapper of wrappers) {
      if (wrapper.scrollWidth > wrapper.clientWidth) wrapper.tabIndex = 0;
      else wrapper.removeAttribute('tabindex');
    }
  };
  new ResizeObserver(update).observe(pane);
}
