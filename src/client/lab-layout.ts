/**
 * The lab page's layout: the separators between the panes, and on a narrow screen the
 * Instructions / Code / Results tabs. The workbench asks for a pane with a `lab-show-pane`
 * event (Run shows the results, a link to a line shows the code); on a wide screen every pane
 * is already in view and the event only moves nothing.
 */
import { makeResizable } from './pane-resizer.ts';
import { setUpTabs } from './tabs.ts';

export type LabPane = 'instructions' | 'code' | 'results';

/** Told on `window` when a narrow screen's tab shows a pane, so the workbench can load its editor when the Code tab is chosen. */
export const PANE_SHOWN = 'lab-pane-shown';

export function showPane(from: HTMLElement, pane: LabPane): void {
  from.dispatchEvent(new CustomEvent<LabPane>('lab-show-pane', { detail: pane, bubbles: true }));
}

export function setUpLabLayout(layout: HTMLElement): void {
  const views = layout.querySelector<HTMLElement>('[data-part="views"]')!;
  const tabs = setUpTabs(views, (tab) => {
    layout.dataset.view = tab.dataset.view;
    window.dispatchEvent(new CustomEvent(PANE_SHOWN, { detail: tab.dataset.view }));
  });
  layout.addEventListener('lab-show-pane', (event) => {
    const tab = views.querySelector<HTMLButtonElement>(`[data-view="${(event as CustomEvent<LabPane>).detail}"]`);
    if (tab && getComputedStyle(views).display !== 'none') tabs.select(tab);
  });
  const separator = (name: string) => layout.querySelector<HTMLElement>(`[data-resizes="${name}"]`)!;
  makeResizable(layout, [
    { separator: separator('instructions'), pane: layout.querySelector('[data-pane="instructions"]')!, property: '--instructions-width', side: 'before', minPx: 224, maxShare: 0.5 },
    { separator: separator('results'), pane: layout.querySelector('[data-pane="results"]')!, property: '--results-width', side: 'after', minPx: 240, maxShare: 0.5 },
  ]);
}
