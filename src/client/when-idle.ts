/**
 * Starts heavy work (the editor, the databases) once the page is painted and the browser is
 * idle, or at once when the learner reaches for the workspace first, so the page shows and
 * answers before megabytes of code are parsed.
 */
const IDLE_TIMEOUT_MS = 2_000;
const TOUCH_EVENTS = ['pointerdown', 'keydown', 'focusin'] as const;

export function whenIdleOrTouched(area: HTMLElement, task: () => void): void {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    for (const type of TOUCH_EVENTS) area.removeEventListener(type, start);
    task();
  };
  for (const type of TOUCH_EVENTS) area.addEventListener(type, start, { once: true });
  const afterLoad = () => {
    if ('requestIdleCallback' in window) requestIdleCallback(start, { timeout: IDLE_TIMEOUT_MS });
    else setTimeout(start, 200);
  };
  if (document.readyState === 'complete') afterLoad();
  else window.addEventListener('load', afterLoad, { once: true });
}
