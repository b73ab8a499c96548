import { createClock } from 'labkit/clock';
import { expect, expectEqual, test } from 'labkit/test';
import { createLogger } from '../src/logging.ts';
import { CALLER, CUSTOMER, listSpans, openShop, order, spansNamed, START } from './helpers.ts';

function parsed(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines.map((line, i) => {
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
      return value as Record<string, unknown>;
    } catch {
      throw new Error(`log line ${i + 1} is not one JSON object: ${line.slice(0, 120)}`);
    }
  });
}

/** Every string anywhere in a value, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...strings(inner)]);
}

function expectNoPersonalData(lines: readonly string[], secrets: readonly string[]): void {
  for (const [i, line] of lines.entries()) {
    const text = [line, ...strings(JSON.parse(line))].join('\n');
    for (const secret of secrets) {
      expect(text.includes(secret), `log line ${i + 1} contains the customer's ${JSON.stringify(secret)}: ${line.slice(0, 200)}`).toBe(false);
    }
  }
}

test('every log line is a JSON object with the trace id of its request', { task: 5, points: 4 }, async () => {
  const shop = await openShop();
  try {
    shop.delays.push(25);
    const res = await shop.placeOrder(order('ord-1042'), { traceparent: CALLER.header });
    expect(res.status, 'POST /orders').toBe(201);
    expect(shop.lines.length >= 3, `the shop logs at least 3 lines for one order (placing, payment captured, placed); it wrote ${shop.lines.length}`).toBe(true);
    const lines = parsed(shop.lines);
    const [ordersSpan] = spansNamed(shop.spans, 'POST /orders');
    const [paymentsSpan] = spansNamed(shop.spans, 'POST /payments');
    expect(ordersSpan && paymentsSpan, `spans of both services (recorded: ${listSpans(shop.spans)})`).toBeTruthy();
    for (const [i, line] of lines.entries()) {
      const span = line['service'] === 'payments' ? paymentsSpan! : ordersSpan!;
      expectEqual({ traceId: line['traceId'], spanId: line['spanId'] }, { traceId: CALLER.traceId, spanId: span.spanId }, `log line ${i + 1} (${String(line['service'])}: ${String(line['message'])}): the trace id and the span id of the request it was written in`);
      expect(['info', 'error'], `log line ${i + 1}'s level`).toContain(line['level']);
      expect(line['time'], `log line ${i + 1}'s time: the clock's time in ISO 8601, UTC`).toMatch(/^2026-03-29T01:30:00\.\d{3}Z$/);
    }
    const placedLine = lines.find((line) => line['message'] === 'order placed');
    expectEqual(placedLine?.['fields'], { orderId: 'ord-1042', customer: { name: '[redacted]' } }, 'the "order placed" line keeps its fields under "fields", the name redacted');
    const logger = createLogger('analytics', (line) => shop.lines.push(line), shop.clock);
    logger.info('nightly export', { rows: 3 });
    const plain = parsed(shop.lines).at(-1)!;
    expect('traceId' in plain, `a logger without a span writes no traceId: ${JSON.stringify(plain)}`).toBe(false);
    expect(plain['time'], 'the time of a line: the clock\'s now as an ISO 8601 UTC time').toBe(new Date(shop.clock.now()).toISOString());
  } finally {
    await shop.close();
  }
});

test('no log line holds the customer\'s name or email, however deep', { task: 5, points: 5 }, async () => {
  const shop = await openShop();
  try {
    shop.delays.push(-80);
    const res = await shop.placeOrder(order('ord-1043'), { traceparent: CALLER.header });
    expect(res.status, 'POST /orders when the provider declines the card').toBe(502);
    shop.delays.push(30);
    expect((await shop.placeOrder(order('ord-1044'))).status, 'POST /orders that goes through').toBe(201);
    expect(shop.lines.length >= 5, `lines logged for the two orders: ${shop.lines.length}`).toBe(true);
    const logger = createLogger('support', (line) => shop.lines.push(line), shop.clock);
    logger.info(`ticket from ${CUSTOMER.email} about ord-1043`, {
      ticket: { orderId: 'ord-1043', contact: { primary: CUSTOMER.email, Email: 'other+x@mail.example' }, Name: CUSTOMER.name },
      history: [{ note: `mail <${CUSTOMER.email}> replied` }, 'called back'],
      coupon: null,
      attempts: 2,
    });
    logger.error('refund failed', { reason: `card of ${CUSTOMER.email} expired`, customerName: CUSTOMER.name });
    expectNoPersonalData(shop.lines, [CUSTOMER.email, CUSTOMER.name, 'other+x@mail.example', 'müller+orders']);
    const support = parsed(shop.lines).find((line) => line['service'] === 'support')!;
    expect(JSON.stringify(support['fields']).includes('ord-1043'), `what is not personal stays in the line: ${JSON.stringify(support)}`).toBe(true);
    const fields = support['fields'] as Record<string, unknown>;
    expectEqual({ history: fields['history'], coupon: fields['coupon'], attempts: fields['attempts'] }, { history: [{ note: 'mail <[email]> replied' }, 'called back'], coupon: null, attempts: 2 }, 'the support line\'s history (still an array, its email masked), coupon and attempts');
  } finally {
    await shop.close();
  }
});

test('errors are logged with their name, message and cause, without personal data', { task: 5, points: 3 }, () => {
  const lines: string[] = [];
  const clock = createClock();
  const logger = createLogger('payments', (line) => lines.push(line), clock);
  class ProviderError extends Error {
    override name = 'ProviderError';
  }
  logger.error('capture failed', new ProviderError('timeout after 3000 ms', { cause: new TypeError(`no account for ${CUSTOMER.email}`) }), { orderId: 'ord-1043' });
  logger.error('odd failure', 'a plain string was thrown');
  const [line, odd] = parsed(lines);
  expectEqual(line!['error'], { name: 'ProviderError', message: 'timeout after 3000 ms', cause: { name: 'TypeError', message: 'no account for [email]' } }, 'the "error" of the line for a ProviderError with a TypeError as cause (an email in a message is masked as [email])');
  expectEqual(line!['fields'], { orderId: 'ord-1043' }, 'the fields of the same line');
  expect(line!['level'], 'an error line\'s level').toBe('error');
  expect(odd!['error'], 'a thrown string is logged as it is').toBe('a plain string was thrown');
  expectNoPersonalData(lines, [CUSTOMER.email]);
});
