import type { DeliveryContext } from 'labkit/bus';
import { expect, expectEqual, test } from 'labkit/test';
import { redrive, relayOnce, tracedConsumer } from '../src/messaging.ts';
import { ORDER_EVENTS_TOPIC } from '../src/shop.ts';
import type { ActiveSpan } from '../src/telemetry.ts';
import { parseTraceparent } from '../src/trace-context.ts';
import { CALLER, expectSpanId, expectTraceId, listSpans, openShop, order, spansNamed, type Shop } from './helpers.ts';

interface Row {
  id: number;
  traceparent: string | null;
  published_at: number | null;
}

/** An order placed with the caller's traceparent; returns Orders' span. */
async function placed(shop: Shop, orderId: string) {
  const res = await shop.placeOrder(order(orderId), { traceparent: CALLER.header });
  expect(res.status, `POST /orders for ${orderId}`).toBe(201);
  const span = spansNamed(shop.spans, 'POST /orders').at(-1);
  expect(span, `a span "POST /orders" (recorded: ${listSpans(shop.spans)})`).toBeDefined();
  return span!;
}

/** Subscribes a traced Shipping consumer whose handler is `handle`, and returns the spans it sees. */
function shipping(shop: Shop, handle: (payload: unknown, span: ActiveSpan, context: DeliveryContext) => unknown, maxAttempts = 5) {
  const seen: ActiveSpan[] = [];
  const consumer = tracedConsumer({ service: 'shipping', recorder: shop.ordersTelemetry.recorder, clock: shop.clock }, (payload, span, context) => {
    seen.push(span);
    return handle(payload, span, context);
  });
  shop.bus.subscribe(ORDER_EVENTS_TOPIC, 'shipping', consumer, { maxAttempts, baseDelayMs: 50 });
  return seen;
}

test('the outbox row stores the span of the request that wrote it', { task: 2, points: 4 }, async () => {
  const shop = await openShop();
  try {
    const span = await placed(shop, 'ord-1042');
    const rows = shop.db.all<Row>('SELECT id, traceparent FROM outbox ORDER BY id');
    expect(rows.length, 'outbox rows after one order').toBe(1);
    const stored = parseTraceparent(rows[0]!.traceparent ?? undefined);
    expect(stored, `the outbox row's traceparent ${JSON.stringify(rows[0]!.traceparent)} should be a valid traceparent`).toBeDefined();
    expectEqual({ traceId: stored!.traceId, spanId: stored!.spanId }, { traceId: span.traceId, spanId: span.spanId }, 'the stored traceparent names Orders\' span of POST /orders (writeOutbox(db, span, event))');
  } finally {
    await shop.close();
  }
});

test('the relay publishes the stored traceparent, not its own, once per row', { task: 2, points: 4 }, async () => {
  const shop = await openShop();
  try {
    // Rows written before tracing was deployed: no traceparent.
    shop.db.exec(`INSERT INTO outbox (id, topic, message_key, payload, traceparent) VALUES (7, 'order-events', 'ord-1007', '{"type":"OrderPlaced","orderId":"ord-1007","note":"café"}', NULL)`);
    const span = await placed(shop, 'ord-1042');
    const stored = shop.db.all<Row>('SELECT id, traceparent FROM outbox ORDER BY id');
    const published = relayOnce(shop.db, shop.bus, shop.clock.now());
    expect(published, 'relayOnce returns how many rows it published').toBe(2);
    const messages = shop.bus.published(ORDER_EVENTS_TOPIC);
    expectEqual(messages.map((m) => m.headers['traceparent']), [undefined, stored[1]!.traceparent], 'the traceparent header of each published message, oldest row first: none for the row without one, the stored one for the other');
    expectEqual(messages.map((m) => m.payload), [{ type: 'OrderPlaced', orderId: 'ord-1007', note: 'café' }, { type: 'OrderPlaced', orderId: 'ord-1042', totalCents: 2590 }], 'the payloads, as JSON values');
    expectEqual(messages.map((m) => m.key), ['ord-1007', 'ord-1042'], 'the message keys');
    expectEqual(messages.map((m) => m.id), ['outbox-7', `outbox-${stored[1]!.id}`], 'the message ids: outbox-<row id>, so a consumer can recognise a row published twice');
    expect(parseTraceparent(messages[1]!.headers['traceparent'])?.spanId, 'the published parent is Orders\' span').toBe(span.spanId);
    expect(relayOnce(shop.db, shop.bus, shop.clock.now()), 'a second relayOnce: every row is already published').toBe(0);
    expect(shop.bus.published(ORDER_EVENTS_TOPIC).length, 'messages published after two relay runs').toBe(2);
  } finally {
    await shop.close();
  }
});

test('a consumer continues the producer\'s trace as its child', { task: 2, points: 5 }, async () => {
  const shop = await openShop();
  try {
    const span = await placed(shop, 'ord-1042');
    const payloads: unknown[] = [];
    const seen = shipping(shop, async (payload) => {
      await shop.clock.sleep(35);
      payloads.push(payload);
    });
    relayOnce(shop.db, shop.bus, shop.clock.now());
    await shop.bus.drain();
    expectEqual(payloads, [{ type: 'OrderPlaced', orderId: 'ord-1042', totalCents: 2590 }], 'what the handler received');
    const consumed = spansNamed(shop.spans, 'consume order-events');
    expect(consumed.length, `spans named "consume order-events" (recorded: ${listSpans(shop.spans)})`).toBe(1);
    const [c] = consumed;
    expectEqual({ traceId: c!.traceId, parentId: c!.parentId, service: c!.service, status: c!.status }, { traceId: CALLER.traceId, parentId: span.spanId, service: 'shipping', status: 'ok' }, 'the consumer\'s span: the same trace, a child of Orders\' span');
    expectSpanId(c!.spanId, 'the consumer\'s span id');
    expect(c!.spanId, 'the consumer\'s span has a new id').not.toBe(span.spanId);
    expect(seen[0]?.spanId, 'the handler is given the consumer\'s span').toBe(c!.spanId);
    expect(c!.endMs - c!.startMs, 'the consumer\'s span lasts as long as its handler, 35 ms on the test clock').toBe(35);
  } finally {
    await shop.close();
  }
});

test('every retry of a message stays in its trace', { task: 2, points: 4 }, async () => {
  const shop = await openShop();
  try {
    const span = await placed(shop, 'ord-1042');
    let calls = 0;
    shipping(shop, () => {
      calls += 1;
      if (calls < 3) throw new Error(`label printer offline (${calls})`);
    });
    relayOnce(shop.db, shop.bus, shop.clock.now());
    await shop.bus.drain();
    expect(calls, 'deliveries: a handler that throws is retried by the bus, so the error must reach it').toBe(3);
    const consumed = spansNamed(shop.spans, 'consume order-events');
    expectEqual(consumed.map((s) => s.status), ['error', 'error', 'ok'], 'the status of the span of each delivery');
    for (const s of consumed) expectEqual({ traceId: s.traceId, parentId: s.parentId }, { traceId: CALLER.traceId, parentId: span.spanId }, 'each retry\'s span');
    expect(new Set(consumed.map((s) => s.spanId)).size, 'each delivery has a span of its own').toBe(3);
  } finally {
    await shop.close();
  }
});

test('a dead letter redriven to its topic keeps its trace', { task: 2, points: 5 }, async () => {
  const shop = await openShop();
  try {
    const span = await placed(shop, 'ord-1042');
    let fixed = false;
    const payloads: unknown[] = [];
    shipping(shop, (payload) => {
      if (!fixed) throw new Error('no carrier for Łódź');
      payloads.push(payload);
    }, 2);
    relayOnce(shop.db, shop.bus, shop.clock.now());
    await shop.bus.drain();
    const dead = shop.bus.deadLetters(ORDER_EVENTS_TOPIC, 'shipping');
    expect(dead.length, 'dead letters after two failed deliveries').toBe(1);
    fixed = true;
    const id = redrive(shop.bus, dead[0]!);
    await shop.bus.drain();
    expect(id, 'redrive returns the id it published with: the dead letter\'s, so idempotent consumers recognise it').toBe(dead[0]!.message.id);
    const again = shop.bus.published(ORDER_EVENTS_TOPIC).at(-1)!;
    expectEqual({ key: again.key, headers: again.headers }, { key: dead[0]!.message.key, headers: dead[0]!.message.headers }, 'the redriven message\'s key and headers');
    expectEqual(payloads, [{ type: 'OrderPlaced', orderId: 'ord-1042', totalCents: 2590 }], 'what the fixed handler received after the redrive');
    const consumed = spansNamed(shop.spans, 'consume order-events');
    expectEqual(consumed.map((s) => s.status), ['error', 'error', 'ok'], 'the spans of the two failed deliveries and the redriven one');
    expectEqual({ traceId: consumed[2]!.traceId, parentId: consumed[2]!.parentId }, { traceId: CALLER.traceId, parentId: span.spanId }, 'the redriven delivery\'s span: still in the order\'s trace');
  } finally {
    await shop.close();
  }
});

test('a message with an invalid traceparent starts a new trace and is handled', { task: 2, points: 3 }, async () => {
  const shop = await openShop();
  try {
    shop.db.exec(`INSERT INTO outbox (id, topic, message_key, payload, traceparent) VALUES
      (12, 'order-events', 'ord-1049', '{"type":"OrderCancelled","orderId":"ord-1049"}', '00-00000000000000000000000000000000-6e0c63257de34c92-01'),
      (15, 'order-events', 'ord-1053', '{"type":"OrderPlaced","orderId":"ord-1053"}', 'ff-5c1e7d2f9a4b6c8d0e1f2a3b4c5d6e7f-7a2b3c4d5e6f7081-00')`);
    let handled = 0;
    shipping(shop, () => {
      handled += 1;
    });
    relayOnce(shop.db, shop.bus, shop.clock.now());
    await shop.bus.drain();
    expect(handled, 'messages handled: an invalid traceparent must not stop the handler').toBe(2);
    const consumed = spansNamed(shop.spans, 'consume order-events');
    expect(consumed.length, `spans named "consume order-events" (recorded: ${listSpans(shop.spans)})`).toBe(2);
    for (const s of consumed) {
      expectTraceId(s.traceId, 'the trace id of a message whose traceparent is invalid');
      expect(s.parentId, 'a message with an invalid traceparent starts a new trace: no parent').toBeUndefined();
      expect(s.status, 'its span\'s status').toBe('ok');
    }
  } finally {
    await shop.close();
  }
});
