/**
 * The lab READMEs draw their diagrams in text (box-drawing characters in a plain code block).
 * Wider than the instructions pane, such a diagram would show only its left part; this scales
 * its font down until the whole diagram fits the pane's width (down to a floor, below which it
 * scrolls), again whenever the pane is resized, and offers the diagram at full size in a
 * dialog while it is shown smaller than its text.
 */
import { showInDialog } from './dialog.ts';

const DRAWING = /[\u2500-\u257f\u25b2-\u25c0]/;
const FLOOR_PX = 7;
/** Below this share of its own size a diagram is hard to read: it gets the full-size button. */
const READABLE_SHARE = 0.85;

export function fitTextDiagrams(pane: HTMLElement): void {
  const diagrams = [...pane.querySelectorAll<HTMLElement>('pre')].filter((pre) => DRAWING.test(pre.textContent ?? ''));
  if (diagrams.length === 0) return;
  const natural = new Map<HTMLElement, number>();
  // All writes, then all reads, then all writes: reading a size after each write would make the
  // browser lay out the page once per diagram.
  const fit = () => {
    const codes = diagrams.map((pre) => pre.querySelector<HTMLElement>('code') ?? pre);
    for (const code of codes) code.style.fontSize = '';
    const sizes = diagrams.map((pre, i) => {
      const code = codes[i]!;
      const base = natural.get(pre) ?? parseFloat(getComputedStyle(code).fontSize);
      natural.set(pre, base);
      const style = getComputedStyle(pre);
      const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const needed = code.scrollWidth;
      return { base, size: needed > room && room > 0 ? Math.max(FLOOR_PX, Math.floor(base * (room / needed) * 10) / 10) : base };
    });
    for (const [i, { base, size }] of sizes.entries()) {
      if (size < base) codes[i]!.style.fontSize = `${size}px`;
      enlargeButton(diagrams[i]!).hidden = size >= base * READABLE_SHARE;
    }
  };
  new ResizeObserver(fit).observe(pane);
}

const buttons = new WeakMap<HTMLElement, HTMLButtonElement>();

function enlargeButton(pre: HTMLElement): HTMLButtonElement {
  let button = buttons.get(pre);
  if (button) return button;
  button = document.createElement('button');
  button.type = 'button';
  button.className = 'course-button small diagram-enlarge';
  button.textContent = 'Show the diagram at full size';
  button.addEventListener('click', () => {
    const copy = document.createElement('pre');
    copy.className = 'diagram-full';
    copy.tabIndex = 0;
    // innerText, not textContent: Expressive Code puts each line in its own block, with no newline between.
    copy.textContent = pre.innerText;
    showInDialog('Diagram', copy);
  });
  // After the code block's frame (Expressive Code wraps the pre), so the button reads as its caption.
  (pre.closest('.expressive-code') ?? pre).after(button);
  buttons.set(pre, button);
  return button;
}
