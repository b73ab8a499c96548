/**
 * A node:test reporter that prints one line per test, the details of each failure, and ends
 * with the line `N passed, N failed` that npm test promises.
 */
import { relative } from 'node:path';

interface TestEventData {
  name: string;
  nesting: number;
  file?: string;
  skip?: boolean | string;
  todo?: boolean | string;
  details: { duration_ms: number; type?: 'suite' | 'test'; error?: Error & { cause?: unknown } };
}

type TestEvent = { type: string; data: TestEventData & { message?: string } };

export default async function* reporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures: string[] = [];
  for await (const event of source) {
    const data = event.data;
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      if (data.details.type === 'suite') continue;
      const indent = '  '.repeat(data.nesting);
      const time = `${Math.round(data.details.duration_ms)} ms`;
      const where = data.file ? relative(process.cwd(), data.file) : '';
      if (event.type === 'test:pass') {
        if (data.skip || data.todo) {
          skipped += 1;
          yield `${indent}- ${data.name} (skipped)\n`;
        } else {
          passed += 1;
          yield `${indent}✔ ${data.name} (${time})\n`;
        }
      } else {
        failed += 1;
        yield `${indent}✖ ${data.name} (${time})\n`;
        const error = data.details.error;
        const cause = error?.cause instanceof Error ? error.cause : error;
        failures.push(`✖ ${where} › ${data.name}\n${indentText(String(cause?.stack ?? cause?.message ?? error), '    ')}`);
      }
    } else if (event.type === 'test:diagnostic' && data.message && !/^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(data.message)) {
      yield `# ${data.message}\n`;
    } else if (event.type === 'test:stderr' || event.type === 'test:stdout') {
      yield data.message ?? '';
    }
  }
  if (failures.length > 0) yield `\nFailures:\n\n${failures.join('\n\n')}\n`;
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}

function indentText(text: string, prefix: string): string {
  return text.split('\n').map((l) => prefix + l).join('\n');
}
