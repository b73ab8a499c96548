/**
 * CI-only checks: the same behaviours as the graded tests, on orders, positions, batch sizes
 * and attempts drawn from the run's seed, so an answer fitted to the visible examples fails in CI.
 */
import { seededRandom } from 'labkit/faults';
import { ciCheck, expect, expectEqual } from 'labkit/test';
import { retryDelayMs } from '../../src/consumer.ts';
import { RETRY_BASE_MS, RETRY_CAP_MS, TOPIC } from '../../src/messages.ts';
import { newShop, outboxRows } from '../helpers.ts';

const LETTERS = ['é', 'Ø', 'ß', '東', '🙂', "'", 'a', 'Z', ' ', '-', 'ł', 'ñ'];

ciCheck('placing an order stores it and its OrderPlaced message in the outbox', async ({ random }) => {
  const shop = await newShop();
  await shop.ordersDb.query('DELETE FROM outbox');
  await shop.ordersDb.query('DELETE FROM orders');
  const placed: { id: number; customerId: string; totalCents: number; at: number }[] = [];
  let id = 50_000;
  for (let i = 0; i < 6; i++) {
    id += 1 + Math.floor(random() * 900);
    const customerId = Array.from({ length: 1 + Math.floor(random() * 8) }, () => LETTERS[Math.floor(random() * LETTERS.length)]).join('');
    const totalCents = Math.floor(random() * 2_000_000);
    await shop.clock.advance(Math.floor(random() * 86_400_000));
    placed.push({ id, customerId, totalCents, at: shop.clock.now() });
    await shop.orders.placeOrder({ id, customerId, totalCents });
  }
  expectEqual(
    (await outboxRows(shop.ordersDb)).map((r) => ({ key: r.message_key, type: r.type, payload: r.payload, published: r.published })),
    placed.map((o) => ({ key: `order-${o.id}`, type: 'OrderPlaced', payload: { orderId: o.id, customerId: o.customerId, totalCents: o.totalCents, placedAt: new Date(o.at).toISOString() }, published: false })),
    `the outbox after placing orders ${placed.map((o) => o.id).join(', ')}`,
  );
});

ciCheck('the relay publishes every unpublished row in position order, with its message id and key, then marks it', async ({ random }) => {
  const shop = await newShop();
  await shop.ordersDb.query('DELETE FROM outbox');
  let position = 0;
  const unpublished: number[] = [];
  for (let i = 0; i < 14; i++) {
    position += 1 + Math.floor(random() * 20);
    const published = random() < 0.3;
    if (!published) unpublished.push(position);
    await shop.ordersDb.query(
      `INSERT INTO outbox (position, topic, message_key, type, payload, created_at, published_at)
       VALUES ($1, $2, $3, 'OrderPlaced', $4, now(), ${published ? 'now()' : 'NULL'})`,
      [position, TOPIC, `order-${Math.floor(random() * 5)}`, { position }],
    );
  }
  const relay = await shop.relay('relay-ci', { batchSize: 1 + Math.floor(random() * 5) });
  for (let round = 0; round < 20 && (await relay.relayOnce()) > 0; round++);
  expectEqual(
    shop.bus.published(TOPIC).map((m) => (m.payload as { position: number }).position),
    unpublished,
    'the positions the relay published, in order (the unpublished rows, each once)',
  );
});

ciCheck('retryDelayMs draws full jitter from the given random source, under a doubling ceiling with a cap', ({ random }) => {
  for (let check = 0; check < 40; check++) {
    const attempt = 1 + Math.floor(random() * 20);
    const source = seededRandom(Math.floor(random() * 2 ** 32));
    const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
    const draws = Array.from({ length: 100 }, () => retryDelayMs(attempt, source));
    const outside = draws.filter((d) => !(d >= 0 && d <= ceiling));
    expectEqual(outside.slice(0, 3), [], `retryDelayMs(${attempt}, random): values outside 0..${ceiling}`);
    expect(Math.max(...draws), `the largest of 100 draws of retryDelayMs(${attempt}) (ceiling ${ceiling})`).toBeGreaterThan(0.8 * ceiling);
  }
});
