/**
 * The separators between a lab page's panes: drag one, or focus it and use the arrow keys
 * (Shift for bigger steps, Home and End for the limits), as the WAI-ARIA window splitter
 * pattern describes. The width is a CSS custom property on the layout, kept per browser, so
 * the panes open as the learner left them.
 */

const STEP_PX = 16;
const BIG_STEP_PX = 80;
const STORAGE_KEY = 'lab-pane-widths';

export interface ResizablePane {
  separator: HTMLElement;
  /** The pane whose width the separator sets. */
  pane: HTMLElement;
  /** The custom property on `layout` that holds that width. */
  property: string;
  /** Which side of the separator the pane is on: dragging toward it makes it smaller. */
  side: 'before' | 'after';
  minPx: number;
  /** The most the pane may take, as a share of the layout's width. */
  maxShare: number;
}

export function makeResizable(layout: HTMLElement, panes: ResizablePane[]): void {
  const saved = readSaved();
  for (const spec of panes) {
    const { separator, pane, property, side, minPx, maxShare } = spec;
    const limits = () => ({ min: minPx, max: Math.max(minPx, layout.clientWidth * maxShare) });
    const apply = (px: number) => {
      const { min, max } = limits();
      const width = Math.round(Math.min(max, Math.max(min, px)));
      layout.style.setProperty(property, `${width}px`);
      separator.setAttribute('aria-valuenow', String(Math.round((width / layout.clientWidth) * 100)));
      return width;
    };
    const save = () => {
      saved[property] = pane.getBoundingClientRect().width / layout.clientWidth;
      writeSaved(saved);
    };
    separator.setAttribute('aria-valuemin', '0');
    separator.setAttribute('aria-valuemax', String(Math.round(maxShare * 100)));
    if (typeof saved[property] === 'number' && layout.clientWidth > 0) apply(saved[property] * layout.clientWidth);
    else separator.setAttribute('aria-valuenow', String(Math.round((pane.getBoundingClientRect().width / Math.max(1, layout.clientWidth)) * 100)));

    separator.addEventListener('keydown', (event) => {
      const current = pane.getBoundingClientRect().width;
      const step = event.shiftKey ? BIG_STEP_PX : STEP_PX;
      const grow = side === 'before' ? 'ArrowRight' : 'ArrowLeft';
      const shrink = side === 'before' ? 'ArrowLeft' : 'ArrowRight';
      let next: number | undefined;
      if (event.key === grow) next = current + step;
      else if (event.key === shrink) next = current - step;
      else if (event.key === 'Home') next = limits().min;
      else if (event.key === 'End') next = limits().max;
      if (next === undefined) return;
      event.preventDefault();
      apply(next);
      save();
    });

    separator.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      event.preventDefault();
      separator.setPointerCapture(event.pointerId);
      separator.dataset.dragging = '';
      const startX = event.clientX;
      const startWidth = pane.getBoundingClientRect().width;
      const move = (e: PointerEvent) => apply(startWidth + (side === 'before' ? e.clientX - startX : startX - e.clientX));
      const end = () => {
        separator.removeEventListener('pointermove', move);
        delete separator.dataset.dragging;
        save();
      };
      separator.addEventListener('pointermove', move);
      separator.addEventListener('pointerup', end, { once: true });
      separator.addEventListener('pointercancel', end, { once: true });
    });
  }
}

function readSaved(): Record<string, number> {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as unknown;
    return value && typeof value === 'object' ? (value as Record<string, number>) : {};
  } catch {
    // Unreadable or no storage: the default widths.
    return {};
  }
}

function writeSaved(widths: Record<string, number>): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(widths));
  } catch {
    // Without storage the widths last until the page is left.
  }
}
