/**
 * Collects what a test prints, so the learner sees their console.log next to the verdict
 * rather than in a devtools console they may never open.
 */
const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
const LIMIT = 4_000;

export function captureConsole(): { stop(): string } {
  const originals = METHODS.map((m) => console[m]);
  let text = '';
  for (const method of METHODS) {
    console[method] = (...args: unknown[]) => {
      if (text.length >= LIMIT) return;
      text += `${args.map(format).join(' ')}\n`;
    };
  }
  return {
    stop() {
      METHODS.forEach((m, i) => (console[m] = originals[i]!));
      return text.length > LIMIT ? `${text.slice(0, LIMIT)}\n… (output cut at ${LIMIT} characters)` : text.trimEnd();
    },
  };
}

function format(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
