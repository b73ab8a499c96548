/** How the console prints one value: as PostgreSQL's psql would, roughly, so learners recognise it. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
