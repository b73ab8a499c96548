/**
 * What the full environment's panel shows while the environment starts: the steps with their
 * labels and states, and the boot time limit a page asks for. The runner only reports which step
 * it is on (StartStep); how that looks is the page's business.
 */
import type { StartStep } from '../runner/index.ts';

/** The steps of starting the environment, in order, as the panel lists them. */
export const START_STEPS: readonly { id: StartStep; label: string }[] = [
  { id: 'boot', label: 'Starting the environment' },
  { id: 'install', label: 'Installing packages' },
  { id: 'ready', label: 'Ready' },
];
export type StepState = 'waiting' | 'active' | 'done' | 'failed';

/** Each step's state when `current` is under way (or has failed). Steps before it are done. */
export function stepStates(current: StartStep, failed = false): Record<StartStep, StepState> {
  const at = START_STEPS.findIndex((s) => s.id === current);
  const states = {} as Record<StartStep, StepState>;
  START_STEPS.forEach((step, i) => {
    // "Ready" has nothing to wait for: reaching it means it is done.
    const here: StepState = failed ? 'failed' : step.id === 'ready' ? 'done' : 'active';
    states[step.id] = i < at ? 'done' : i === at ? here : 'waiting';
  });
  return states;
}

/**
 * The boot time limit a page asks for: `?wc-boot-timeout-ms=N` in its address (the browser tests
 * use a short one, so a failure shows in seconds), else the `data-wc-boot-timeout-ms` attribute.
 * Undefined (the runner's own default) when neither gives a sensible number of milliseconds.
 */
export function bootTimeoutFrom(search: string, attribute: string | undefined): number | undefined {
  const raw = new URLSearchParams(search).get('wc-boot-timeout-ms') ?? attribute;
  const ms = Number(raw);
  return raw && Number.isFinite(ms) && ms >= 500 ? Math.min(ms, 600_000) : undefined;
}
