/**
 * When a lab page starts its heavy parts. The engines run in a worker, so they start once the
 * page is painted and idle: the main thread stays free, and a first Run finds them warm. The
 * editor is parsed and run on the main thread (over a second of blocking on a phone), so it
 * starts when the learner reaches for the workspace: a pointer over it, a touch, the focus, a
 * key, or the Code tab; meanwhile the page shows the learner's file as text.
 */
const IDLE_TIMEOUT_MS = 2_000;
const TOUCH_EVENTS = ['pointerover', 'pointerdown', 'keydown', 'focusin'] as const;

export function whenIdle(task: () => void): void {
  const afterLoad = () => {
    if ('requestIdleCallback' in window) requestIdleCallback(() => task(), { timeout: IDLE_TIMEOUT_MS });
    else setTimeout(task, 200);
  };
  if (document.readyState === 'complete') afterLoad();
  else window.addEventListener('load', afterLoad, { once: true });
}

/** Runs `task` once, on the first of those events inside `area`, or when `also` fires on `window`. */
export function whenTouched(area: HTMLElement, task: () => void, also?: string): void {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    for (const type of TOUCH_EVENTS) area.removeEventListener(type, start);
    if (also) window.removeEventListener(also, start);
    task();
  };
  for (const type of TOUCH_EVENTS) area.addEventListener(type, start);
  if (also) window.addEventListener(also, start);
}
