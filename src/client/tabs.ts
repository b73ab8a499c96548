/**
 * A row of tabs (role="tab" buttons in a role="tablist"): a click or Enter selects one, the
 * arrow keys and Home/End move between them with the focus, and only the selected tab is in
 * the Tab order (the WAI-ARIA tabs pattern). What a selection shows is the caller's.
 */
export function setUpTabs(list: HTMLElement, onSelect: (tab: HTMLButtonElement) => void): { select(tab: HTMLButtonElement): void } {
  const tabs = () => [...list.querySelectorAll<HTMLButtonElement>('[role=tab]')].filter((tab) => !tab.hidden);
  const select = (tab: HTMLButtonElement) => {
    for (const other of list.querySelectorAll<HTMLButtonElement>('[role=tab]')) {
      other.setAttribute('aria-selected', String(other === tab));
      other.tabIndex = other === tab ? 0 : -1;
    }
    onSelect(tab);
  };
  list.addEventListener('click', (event) => {
    const tab = (event.target as HTMLElement).closest<HTMLButtonElement>('[role=tab]');
    if (tab && list.contains(tab)) select(tab);
  });
  list.addEventListener('keydown', (event) => {
    const all = tabs();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = all[(to + all.length) % all.length]!;
    next.focus();
    select(next);
  });
  return { select };
}
