import { pgSchema } from 'labkit/db';
import { describeOutcome, expect, expectEqual, expectMatch, test } from 'labkit/test';
import { sagaIdFor, type Command, type OrderDetails, type Reply } from '../src/messages.ts';
import { Payments } from '../src/payments.ts';
import { checkout } from './helpers.ts';

function capture(order: OrderDetails): Command {
  return { type: 'CapturePayment', sagaId: sagaIdFor(order.orderId), step: 'capturePayment', action: 'do', service: 'payments', order };
}

function refund(order: OrderDetails): Command {
  return { type: 'RefundPayment', sagaId: sagaIdFor(order.orderId), step: 'capturePayment', action: 'undo', service: 'payments', order };
}

async function newPayments() {
  const payments = new Payments(await pgSchema('payments'));
  await payments.init();
  return { payments };
}

/** A refusal says why: its `reason` is some text. */
function expectRefused(reply: Reply, expected: Partial<Reply>, what: string): void {
  expectMatch(reply, { ok: false, ...expected }, what);
  expect(typeof reply.reason === 'string' && reply.reason.trim() !== '', `${what}: a reply that says no says why (reason), but its reason is ${JSON.stringify(reply.reason)}`).toBe(true);
}

/** Handles a command, turning a throw into a readable failure. */
async function handle(payments: Payments, command: Command, what: string): Promise<Reply> {
  const outcome = await payments.handle(command).catch((error: unknown) => error as Error);
  if (outcome instanceof Error) throw new Error(`${what}: handle(${command.type}) should answer with a reply, but ${describeOutcome(outcome)}`);
  return outcome;
}

test('a CapturePayment that comes twice charges the card once and answers ok both times', { task: 3, points: 4 }, async () => {
  const { payments } = await newPayments();
  const order = checkout("O'Brien-Zoë-0042");
  const first = await handle(payments, capture(order), 'the first CapturePayment');
  expectMatch(first, { ok: true, type: 'CapturePayment', action: 'do' }, 'the reply to the first CapturePayment');
  expectEqual(await handle(payments, capture(order), 'the second copy'), first, 'the reply to a second copy: the same answer as the first');
  expectEqual(await payments.all(), [{ sagaId: sagaIdFor("O'Brien-Zoë-0042"), orderId: "O'Brien-Zoë-0042", amountCents: 2500, status: 'captured' }], 'the payments table: one capture');

  // Two copies handled at the same moment (two consumers took one each): both must look at the
  // payment row and decide in one transaction, or both see "no payment yet".
  const order2 = checkout('東京-0100');
  const replies = await Promise.all([handle(payments, capture(order2), 'one of two copies at once'), handle(payments, capture(order2), 'the other copy')]);
  expectEqual(replies.map((r) => r.ok), [true, true], 'two copies of a CapturePayment handled at the same moment both answer ok');
  expect((await payments.all()).length, 'and only one payment more is stored').toBe(2);
});

test('a RefundPayment that comes twice gives the money back once', { task: 3, points: 3 }, async () => {
  const { payments } = await newPayments();
  const order = checkout('Łódź-0007');
  await handle(payments, capture(order), 'CapturePayment');
  expectMatch(await handle(payments, refund(order), 'the first RefundPayment'), { ok: true, type: 'RefundPayment', action: 'undo' }, 'the reply to the first RefundPayment');
  expectMatch(await handle(payments, refund(order), 'the second copy'), { ok: true, type: 'RefundPayment', action: 'undo' }, 'the reply to a second copy');
  expectEqual(await payments.all(), [{ sagaId: sagaIdFor('Łódź-0007'), orderId: 'Łódź-0007', amountCents: 2500, status: 'refunded' }], 'the payments table');
  // And a capture that arrives again after the refund must not take the money a second time.
  expectRefused(await handle(payments, capture(order), 'a CapturePayment after the refund'), {}, 'a CapturePayment arriving again after the refund is refused');
  expect((await payments.payment(sagaIdFor('Łódź-0007')))?.status, 'the payment after a capture that came again').toBe('refunded');
});

test('a RefundPayment that overtakes its CapturePayment voids the payment: the late capture is refused', { task: 3, points: 4 }, async () => {
  const { payments } = await newPayments();
  const order = checkout('Ōsaka-0517');
  // The saga timed out waiting for the capture and compensates; the CapturePayment is still on its way.
  expectMatch(await handle(payments, refund(order), 'a RefundPayment with no capture yet'), { ok: true }, 'a refund with nothing to refund still succeeds (a compensation always does)');
  expectMatch(await handle(payments, refund(order), 'a second copy of that RefundPayment'), { ok: true }, 'a second copy of the refund, still before any capture');
  expectEqual((await payments.all()).map((p) => p.status), ['voided'], 'the payments table after two refunds and no capture: voided, since no money was taken or given back');
  expectRefused(await handle(payments, capture(order), 'the late CapturePayment'), { type: 'CapturePayment' }, 'the late CapturePayment is refused');
  expectMatch(await handle(payments, capture(order), 'another copy of it'), { ok: false }, 'and so is another copy of it');
  expectEqual(await payments.all(), [{ sagaId: sagaIdFor('Ōsaka-0517'), orderId: 'Ōsaka-0517', amountCents: 2500, status: 'voided' }], 'the payments table: no money taken');
});

test('a declined card gives the same answer when the command comes again', { task: 3, points: 2 }, async () => {
  const { payments } = await newPayments();
  const declined = checkout('São-Paulo-0311', { cardToken: 'tok_declined' });
  const first = await handle(payments, capture(declined), 'CapturePayment');
  expectMatch(first, { ok: false, reason: 'card declined' }, 'the reply for a declined card');
  expectEqual(await handle(payments, capture(declined), 'its second copy'), first, 'the reply to a second copy: the same answer as the first');
  expectMatch(await handle(payments, refund(declined), 'RefundPayment'), { ok: true }, 'refunding a declined payment: nothing to do, but it succeeds');
  expectEqual(await payments.all(), [{ sagaId: sagaIdFor('São-Paulo-0311'), orderId: 'São-Paulo-0311', amountCents: 2500, status: 'declined' }], 'the payments table: one declined payment');

  // A command sent to Payments by mistake: refused, with a reason, and nothing changes.
  const misrouted: Command = { ...capture(checkout('Zoë-0477')), type: 'ReserveStock', step: 'reserveStock' };
  expectRefused(await handle(payments, misrouted, 'a ReserveStock sent to Payments'), { type: 'ReserveStock' }, 'the reply to a command Payments does not handle');
  expect((await payments.all()).length, 'the payments table after a command Payments does not handle: unchanged').toBe(1);
});

test('a CapturePayment and its RefundPayment at the same moment: the money is never kept after an ok refund', { task: 3, points: 3 }, async () => {
  const { payments } = await newPayments();
  // The saga gave up waiting for the capture and sent the refund, and the late capture is
  // handled at the same moment: each must read the payment row, decide and write in one transaction.
  for (const first of ['RefundPayment', 'CapturePayment'] as const) {
    const order = checkout(`Zoë-${first === 'RefundPayment' ? '0201' : '0388'}`);
    const commands = first === 'RefundPayment' ? [refund(order), capture(order)] : [capture(order), refund(order)];
    const [a, b] = await Promise.all(commands.map((c) => handle(payments, c, `a ${c.type} handled at the same moment as a ${c.type === 'CapturePayment' ? 'RefundPayment' : 'CapturePayment'}`)));
    const captured = (first === 'CapturePayment' ? a : b)!;
    const refunded = (first === 'CapturePayment' ? b : a)!;
    const rows = (await payments.all()).filter((p) => p.orderId === order.orderId);
    const context = `(${first} started first) capture answered ${captured.ok ? 'ok' : 'failed'}, refund answered ${refunded.ok ? 'ok' : 'failed'}; the payments: ${JSON.stringify(rows.map((p) => p.status))}`;
    expect(refunded.ok, `a RefundPayment always succeeds ${context}`).toBe(true);
    expect(rows.length, `one payment row per saga ${context}`).toBe(1);
    // Either the capture went first and was refunded, or the refund went first and the capture was refused.
    expect(rows[0]?.status, `after an ok refund, the money must not stay taken: "refunded" if the capture went through, "voided" if it was refused ${context}`).toBe(
      captured.ok ? 'refunded' : 'voided',
    );
  }
});
