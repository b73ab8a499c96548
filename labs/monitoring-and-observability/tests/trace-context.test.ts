import { expect, expectEqual, test } from 'labkit/test';
import { continueTrace, formatTraceparent, parseTraceparent, traceHeaders } from '../src/trace-context.ts';
import { CALLER, expectSpanId, expectTraceId, listSpans, openShop, order, spansNamed } from './helpers.ts';

const T = '0af7651916cd43dd8448eb211c80319c';
const P = 'b7ad6b7169203331';

function refused(header: string, why: string): void {
  expect(parseTraceparent(header), `parseTraceparent(${JSON.stringify(header)}) should be undefined: ${why}`).toBeUndefined();
}

test('reads the trace id, parent id and flags of a version 00 header', { task: 1, points: 2 }, () => {
  expectEqual(parseTraceparent(`00-${T}-${P}-01`), { traceId: T, spanId: P, flags: '01' }, `parseTraceparent("00-${T}-${P}-01")`);
  expectEqual(parseTraceparent(`00-${T}-${P}-00`), { traceId: T, spanId: P, flags: '00' }, 'a header whose flags say "not sampled" is still valid');
  expect(parseTraceparent(undefined), 'parseTraceparent(undefined): no header at all').toBeUndefined();
  expect(parseTraceparent(''), 'parseTraceparent("")').toBeUndefined();
});

test('refuses version ff and all-zero ids', { task: 1, points: 3 }, () => {
  refused(`ff-${T}-${P}-01`, 'version ff is invalid');
  refused(`00-${'0'.repeat(32)}-${P}-01`, 'a trace id of all zeros is invalid');
  refused(`00-${T}-${'0'.repeat(16)}-01`, 'a parent id of all zeros is invalid');
});

test('refuses uppercase, non-hex and wrong lengths', { task: 1, points: 3 }, () => {
  refused(`00-${T.toUpperCase()}-${P}-01`, 'hex digits must be lowercase');
  refused(`00-${T}-${P.toUpperCase()}-01`, 'hex digits must be lowercase in the parent id too');
  refused(`00-${T}-${P}-0A`, 'flags are lowercase hex');
  refused(`00-${T.slice(1)}-${P}-01`, 'the trace id has 32 hex digits, this one 31');
  refused(`00-${T}0-${P}-01`, 'the trace id has 32 hex digits, this one 33');
  refused(`00-${T}-${P.slice(2)}-01`, 'the parent id has 16 hex digits, this one 14');
  refused(`00-${T}-${P}-1`, 'flags are two hex digits');
  refused(`0-${T}-${P}-01`, 'the version is two hex digits');
  refused(`00-${T.slice(0, 31)}g-${P}-01`, 'g is not a hex digit');
  refused(`00-${T}-${P}`, 'the flags are missing');
  refused(`00_${T}_${P}_01`, 'fields are separated by "-"');
});

test('reads a later version and ignores its extra fields, but not in version 00', { task: 1, points: 2 }, () => {
  expectEqual(parseTraceparent(`01-${T}-${P}-01-d4f2`), { traceId: T, spanId: P, flags: '01' }, `parseTraceparent("01-${T}-${P}-01-d4f2"): a later version may add fields`);
  refused(`00-${T}-${P}-01-d4f2`, 'version 00 has exactly four fields');
  refused(`01-${T}-${P}`, 'a later version still has at least four fields');
  refused('01', 'a later version still has at least four fields');
});

test('continues a trace with a new span and the caller as parent', { task: 1, points: 3 }, () => {
  const child = continueTrace(`00-${T}-${P}-01`);
  expect(child.traceId, 'continueTrace keeps the caller\'s trace id').toBe(T);
  expect(child.parentId, 'continueTrace: the parent is the caller\'s span (the header\'s parent id)').toBe(P);
  expectSpanId(child.spanId, 'the new span id');
  expect(child.spanId, 'the new span has an id of its own, not the caller\'s').not.toBe(P);
  expect(child.flags, 'the flags are handed on as they came').toBe('01');
  const again = continueTrace(`00-${T}-${P}-00`);
  expect(again.spanId, 'two spans never share an id').not.toBe(child.spanId);
  expect(again.flags, 'a "not sampled" caller stays not sampled').toBe('00');
  const header = formatTraceparent(child);
  expect(header, 'formatTraceparent(span) hands this span on as the next parent').toBe(`00-${T}-${child.spanId}-01`);
  expectEqual(traceHeaders(child), { traceparent: header }, 'traceHeaders(span)');
  const fresh = continueTrace(undefined);
  expectTraceId(fresh.traceId, 'continueTrace(undefined): a new trace id');
  expectSpanId(fresh.spanId, 'continueTrace(undefined): a new span id');
  expect(fresh.parentId, 'a new trace has no parent').toBeUndefined();
  expect(fresh.flags, 'a new trace is sampled: flags 01').toBe('01');
  expect(parseTraceparent(formatTraceparent(fresh)), 'a new span formats to a header that parses').toBeDefined();
});

test('an invalid header starts a new trace and the request still succeeds', { task: 1, points: 3 }, async () => {
  const shop = await openShop();
  try {
    for (const [i, header] of [`ff-${T}-${P}-01`, `00-${'0'.repeat(32)}-${P}-01`, 'garbage'].entries()) {
      const res = await shop.placeOrder(order(`ord-${1040 + i * 7}`), { traceparent: header });
      expect(res.status, `POST /orders with traceparent ${JSON.stringify(header)}: an invalid header starts a new trace, it does not fail the request`).toBe(201);
    }
    const served = spansNamed(shop.spans, 'POST /orders');
    expect(served.length, `spans named "POST /orders" after three orders (recorded: ${listSpans(shop.spans)})`).toBe(3);
    for (const span of served) {
      expectTraceId(span.traceId, 'the trace id of a request with an invalid header');
      expect(span.traceId, 'a new trace, not the invalid header\'s').not.toBe(T);
      expect(span.parentId, 'a request with an invalid header starts a trace: no parent').toBeUndefined();
    }
    expect(new Set(served.map((span) => span.traceId)).size, 'each request started a trace of its own').toBe(3);
  } finally {
    await shop.close();
  }
});

test('one trace across Orders and Payments over HTTP', { task: 1, points: 4 }, async () => {
  const shop = await openShop();
  try {
    shop.delays.push(120);
    const res = await shop.placeOrder(order('ord-1042'), { traceparent: CALLER.header });
    expect(res.status, 'POST /orders with a valid traceparent').toBe(201);
    const [ordersSpan] = spansNamed(shop.spans, 'POST /orders');
    const [paymentsSpan] = spansNamed(shop.spans, 'POST /payments');
    expect(ordersSpan, `a span "POST /orders" from the tracing middleware (recorded: ${listSpans(shop.spans)})`).toBeDefined();
    expect(paymentsSpan, `a span "POST /payments" (recorded: ${listSpans(shop.spans)})`).toBeDefined();
    expectEqual({ traceId: ordersSpan!.traceId, parentId: ordersSpan!.parentId, service: ordersSpan!.service, status: ordersSpan!.status }, { traceId: CALLER.traceId, parentId: CALLER.spanId, service: 'orders', status: 'ok' }, 'Orders\' span continues the caller\'s traceparent');
    expectEqual({ traceId: paymentsSpan!.traceId, parentId: paymentsSpan!.parentId, service: paymentsSpan!.service }, { traceId: CALLER.traceId, parentId: ordersSpan!.spanId, service: 'payments' }, 'Payments\' span: same trace, its parent is Orders\' span (the traceparent Orders sent)');
    expect(paymentsSpan!.endMs - paymentsSpan!.startMs, 'Payments\' span lasts as long as its handler, 120 ms on the test clock').toBe(120);
    expect(ordersSpan!.startMs <= paymentsSpan!.startMs && ordersSpan!.endMs >= paymentsSpan!.endMs, 'Orders\' span encloses the call to Payments').toBe(true);
    shop.delays.push(-60);
    expect((await shop.placeOrder(order('ord-1043'))).status, 'POST /orders when the provider fails').toBe(502);
    expect((await shop.pay({ orderId: 'ord-1044', amountCents: -5, email: 'x@y.io' })).status, 'POST /payments with a negative amount').toBe(400);
    const broken = await shop.network.call('orders', '/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"orderId": ' });
    expect(broken.status, 'POST /orders with a body that is not JSON: the handler throws').toBe(500);
    expectEqual(shop.spans.slice(2).map((span) => `${span.service} ${span.name} ${span.status}`), ['payments POST /payments error', 'orders POST /orders error', 'payments POST /payments ok', 'orders POST /orders error'], 'the spans of the failed checkout (503 at Payments, 502 at Orders: 5xx is an error), of the 400 (a 4xx is not) and of the 500');
  } finally {
    await shop.close();
  }
});
