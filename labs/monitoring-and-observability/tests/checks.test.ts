import { expect, expectEqual, test } from 'labkit/test';
import { checkConsistency, consumerLag, countByInvariant, type OrderRecord, type PaymentRecord, type ReservationRecord, type ShopExports } from '../src/checks.ts';

/** Positions with gaps, as a sequence leaves them after rolled-back transactions, out of order. */
const LOG = [
  { position: 3, recordedAt: '2026-03-29T03:10:00+02:00' },
  { position: 4, recordedAt: '2026-03-29T01:11:00Z' },
  { position: 9, recordedAt: '2026-03-29T03:12:30+02:00' },
  { position: 17, recordedAt: '2026-03-28T20:13:00-05:00' },
  { position: 12, recordedAt: '2026-03-29T10:12:45+09:00' },
];
const NOW = Date.parse('2026-03-29T01:15:00Z');

test('lag counts the events after the checkpoint, across gaps', { task: 4, points: 4 }, () => {
  expectEqual(consumerLag(LOG, 4, NOW).events, 3, 'consumerLag(log, 4, now).events over positions 3, 4, 9, 12, 17 (3 after 4, though 17 − 4 = 13)');
  expectEqual(consumerLag(LOG, 5, NOW).events, 3, 'a checkpoint inside a gap (5: no event has that position)');
  expectEqual(consumerLag(LOG, 17, NOW), { events: 0, ageMs: 0 }, 'a consumer at the head');
  expectEqual(consumerLag(LOG, 40, NOW), { events: 0, ageMs: 0 }, 'a checkpoint past the head');
  expectEqual(consumerLag(LOG, null, NOW).events, 5, 'a consumer that has handled nothing yet (checkpoint null)');
  expectEqual(consumerLag([], null, NOW), { events: 0, ageMs: 0 }, 'an empty log');
  expectEqual(consumerLag([{ position: 0, recordedAt: '2026-03-29T01:14:00Z' }, { position: 2, recordedAt: '2026-03-29T01:14:30Z' }], null, NOW).events, 2, 'a log whose first position is 0, as Kafka offsets are, before the first event');
});

test('lag\'s age is that of the oldest waiting event, whatever its time zone', { task: 4, points: 3 }, () => {
  expectEqual(consumerLag(LOG, 4, NOW).ageMs, 150_000, 'consumerLag(log, 4, now).ageMs: the oldest event after 4 is position 9, recorded 01:12:30Z (03:12:30+02:00), 2.5 min before now');
  expectEqual(consumerLag(LOG, 5, NOW).ageMs, 150_000, 'after a checkpoint in a gap, the oldest waiting event is still position 9 (there is no position 6 to look up)');
  expectEqual(consumerLag(LOG, 9, NOW).ageMs, 135_000, 'after 9: positions 12 (10:12:45+09:00) and 17 (20:13:00-05:00); the oldest is 12, 01:12:45Z');
  expectEqual(consumerLag(LOG, null, NOW).ageMs, 300_000, 'before the first event: the oldest is position 3, 01:10:00Z');
});

const WATERMARK = '2026-03-29T02:45:00+01:00'; // 01:45Z
const OLD = '2026-03-29T00:30:00Z';
const NEW = '2026-03-29T03:50:00+02:00'; // 01:50Z: after the watermark

function exportsWith(orders: OrderRecord[], payments: PaymentRecord[], reservations: ReservationRecord[]): ShopExports {
  return { orders, payments, reservations };
}

/** A consistent shop: every order settled and in agreement. Ids have gaps. */
function consistent(): ShopExports {
  return exportsWith(
    [
      { orderId: 'ord-1038', status: 'shipped', totalCents: 2_490, updatedAt: OLD },
      { orderId: 'ord-1041', status: 'paid', totalCents: 4_990, updatedAt: OLD },
      { orderId: 'ord-1045', status: 'cancelled', totalCents: 3_490, updatedAt: OLD },
      { orderId: 'ord-1048', status: 'placed', totalCents: 990, updatedAt: OLD },
      { orderId: 'ord-1070', status: 'paid', totalCents: 1_500, updatedAt: OLD },
    ],
    [
      { paymentId: 'pay-1038', orderId: 'ord-1038', status: 'captured', amountCents: 2_490, updatedAt: OLD },
      { paymentId: 'pay-1041a', orderId: 'ord-1041', status: 'failed', amountCents: 4_990, updatedAt: OLD },
      { paymentId: 'pay-1041b', orderId: 'ord-1041', status: 'captured', amountCents: 4_990, updatedAt: OLD },
      { paymentId: 'pay-1045', orderId: 'ord-1045', status: 'refunded', amountCents: 3_490, updatedAt: OLD },
      { paymentId: 'pay-1070', orderId: 'ord-1070', status: 'captured', amountCents: 1_500, updatedAt: OLD },
    ],
    [
      { orderId: 'ord-1038', sku: 'MUG-陶器', status: 'consumed', updatedAt: OLD },
      { orderId: 'ord-1038', sku: 'TEE-Ø', status: 'released', updatedAt: OLD },
      { orderId: 'ord-1045', sku: 'CAFÉ-250G', status: 'released', updatedAt: OLD },
      { orderId: 'ord-1048', sku: 'MUG-陶器', status: 'reserved', updatedAt: OLD },
    ],
  );
}

function names(divergences: Array<{ invariant: string; orderId: string }>): string[] {
  return divergences.map((d) => `${d.invariant} ${d.orderId}`).sort();
}

test('the checker names each divergent order and the invariant it breaks', { task: 4, points: 5 }, () => {
  expectEqual(checkConsistency(consistent(), WATERMARK), [], 'checkConsistency on services that agree');
  const shop = consistent();
  const broken = exportsWith(
    [...shop.orders, { orderId: 'ord-1043', status: 'paid', totalCents: 1_290, updatedAt: OLD }, { orderId: 'ord-1044', status: 'paid', totalCents: 5_990, updatedAt: OLD }, { orderId: 'ord-1039', status: 'cancelled', totalCents: 1_990, updatedAt: OLD }, { orderId: 'ord-1052', status: 'cancelled', totalCents: 700, updatedAt: OLD }, { orderId: 'ord-1046', status: 'shipped', totalCents: 2_290, updatedAt: OLD }, { orderId: 'ord-1060', status: 'paid', totalCents: 800, updatedAt: OLD }],
    [...shop.payments, { paymentId: 'pay-1043', orderId: 'ord-1043', status: 'authorized', amountCents: 1_290, updatedAt: OLD }, { paymentId: 'pay-1044', orderId: 'ord-1044', status: 'captured', amountCents: 4_990, updatedAt: OLD }, { paymentId: 'pay-1039', orderId: 'ord-1039', status: 'captured', amountCents: 1_990, updatedAt: OLD }],
    [...shop.reservations, { orderId: 'ord-1052', sku: 'TEE-Ø', status: 'reserved', updatedAt: OLD }, { orderId: 'ord-1052', sku: 'CAFÉ-250G', status: 'released', updatedAt: OLD }, { orderId: 'ord-1046', sku: 'MUG-陶器', status: 'released', updatedAt: OLD }],
  );
  expectEqual(
    names(checkConsistency(broken, WATERMARK)),
    ['cancelled-order-released ord-1039', 'cancelled-order-released ord-1052', 'paid-order-captured ord-1043', 'paid-order-captured ord-1044', 'paid-order-captured ord-1060', 'shipped-order-consumed ord-1046'],
    'the divergences found (1043 only authorized, 1044 captured 49.90 of 59.90, 1060 no payment at all, 1039 cancelled but captured, 1052 cancelled with stock still reserved, 1046 shipped with its reservation released)',
  );
});

test('the checker stays silent about changes newer than the watermark', { task: 4, points: 4 }, () => {
  const shop = consistent();
  const inFlight = exportsWith(
    [...shop.orders, { orderId: 'ord-1051', status: 'paid', totalCents: 1_590, updatedAt: NEW }, { orderId: 'ord-1049', status: 'cancelled', totalCents: 4_490, updatedAt: OLD }, { orderId: 'ord-1053', status: 'shipped', totalCents: 6_490, updatedAt: OLD }, { orderId: 'ord-1055', status: 'paid', totalCents: 300, updatedAt: '2026-03-29T02:45:00+01:00' }],
    [...shop.payments, { paymentId: 'pay-1051', orderId: 'ord-1051', status: 'authorized', amountCents: 1_590, updatedAt: NEW }, { paymentId: 'pay-1049', orderId: 'ord-1049', status: 'captured', amountCents: 4_490, updatedAt: NEW }],
    [...shop.reservations, { orderId: 'ord-1053', sku: 'MUG-陶器', status: 'reserved', updatedAt: '2026-03-28T20:46:00-05:00' }],
  );
  expectEqual(
    names(checkConsistency(inFlight, WATERMARK)),
    ['paid-order-captured ord-1055'],
    `checkConsistency(exports, "${WATERMARK}"): 1051 changed after the watermark, 1049's refund and 1053's reservation are newer than it (compare instants, not text: 03:50+02:00 and 20:46-05:00 are after 01:45Z), so only 1055, updated exactly at the watermark, is settled`,
  );
});

test('counts divergences per invariant', { task: 4, points: 2 }, () => {
  const counts = countByInvariant([
    { invariant: 'paid-order-captured', orderId: 'ord-1043' },
    { invariant: 'paid-order-captured', orderId: 'ord-1060' },
    { invariant: 'shipped-order-consumed', orderId: 'ord-1046' },
  ]);
  expectEqual(counts, { 'paid-order-captured': 2, 'cancelled-order-released': 0, 'shipped-order-consumed': 1 }, 'countByInvariant: every invariant, with 0 where none diverged');
  expect(countByInvariant([])['cancelled-order-released'], 'no divergences').toBe(0);
});
