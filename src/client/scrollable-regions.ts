/**
 * A box that is wider than its place scrolls sideways: a README's table in the instructions
 * pane (Starlight's markdown style makes a table its own scroll box), a lesson's code block on a
 * narrow screen or with a long line. It then takes the keyboard focus, so that a learner without
 * a mouse can scroll it too (WCAG 2.1.1; axe: scrollable-region-focusable), and gives it up when
 * it fits, so that boxes with nothing to scroll add no tab stops.
 */
export function makeScrollableFocusable(root: HTMLElement, selector: string): void {
  const boxes = [...root.querySelectorAll<HTMLElement>(selector)];
  if (boxes.length === 0) return;
  const update = () => {
    for (const box of boxes) {
      if (ownContentSkipped(box)) continue;
      if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
      else box.removeAttribute('tabindex');
    }
  };
  update();
  new ResizeObserver(update).observe(root);
  // Off screen, a block of text is not laid out (content-visibility: auto, course.css and
  // lab-page.css), and it is again when it comes near the screen, which this event says. It
  // does not bubble: a listener on the root hears it in the capture phase.
  root.addEventListener('contentvisibilityautostatechange', update, { capture: true });
}

/**
 * Off screen, a block of text is not laid out (content-visibility: auto). Measuring a box inside
 * such a block lays it out then and there, so a lesson's code block is measured right at once;
 * a box that is itself the skipped block (a README's table) measures as if it had no content
 * until it is shown, and keeps what it was given when it was last shown.
 */
function ownContentSkipped(box: HTMLElement): boolean {
  return getComputedStyle(box).contentVisibility === 'auto' && !(box.firstElementChild ?? box).checkVisibility({ contentVisibilityAuto: true });
}
