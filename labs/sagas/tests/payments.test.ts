import { pgSchema } from 'labkit/db';
import { expect, test } from 'labkit/test';
import { sagaIdFor, type Command, type OrderDetails, type Reply } from '../src/messages.ts';
import { Payments } from '../src/payments.ts';
import { checkout, describeOutcome, expectEqual, expectMatch } from './helpers.ts';

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

/** Handles a command, turning a throw into a readable failure. */
async function handle(payments: Payments, command: Command, what: string): Promise<Reply> {
  const outcome = await payments.handle(command).catch((error: unknown) => error as Error);
  if (outcome instanceof Error) throw new Error(`${what}: handle(${command.type}) should answer with a reply, but ${describeOutcome(outcome)}`);
  return outcome;
}

test('a CapturePayment that comes twice charges the card once and answers ok both times', { task: 3, points: 5 }, async () => {
  const { payments } = await newPayments();
  const order = checkout('A-1');
  expectMatch(await handle(payments, capture(order), 'the first CapturePayment'), { ok: true, type: 'CapturePayment', action: 'do' }, 'the reply to the first CapturePayment');
  expectMatch(await handle(payments, capture(order), 'the second copy'), { ok: true, type: 'CapturePayment', action: 'do' }, 'the reply to a second copy: the same answer');
  expectEqual(await payments.all(), [{ sagaId: sagaIdFor('A-1'), orderId: 'A-1', amountCents: 2500, status: 'captured' }], 'the payments table: one capture');

  // Two copies handled at the same moment (two consumers took one each): both must look at the
  // payment row and decide in one transaction, or both see "no payment yet".
  const order2 = checkout('B-2');
  const replies = await Promise.all([handle(payments, capture(order2), 'one of two copies at once'), handle(payments, capture(order2), 'the other copy')]);
  expectEqual(replies.map((r) => r.ok), [true, true], 'two copies of a CapturePayment handled at the same moment both answer ok');
  expect((await payments.all()).length, 'and only one payment more is stored').toBe(2);
});

test('a RefundPayment that comes twice gives the money back once', { task: 3, points: 3 }, async () => {
  const { payments } = await newPayments();
  const order = checkout('A-1');
  await handle(payments, capture(order), 'CapturePayment');
  expectMatch(await handle(payments, refund(order), 'the first RefundPayment'), { ok: true, type: 'RefundPayment', action: 'undo' }, 'the reply to the first RefundPayment');
  expectMatch(await handle(payments, refund(order), 'the second copy'), { ok: true, type: 'RefundPayment', action: 'undo' }, 'the reply to a second copy');
  expectEqual(await payments.all(), [{ sagaId: sagaIdFor('A-1'), orderId: 'A-1', amountCents: 2500, status: 'refunded' }], 'the payments table');
  // And a capture that arrives again after the refund must not take the money a second time.
  expectMatch(await handle(payments, capture(order), 'a CapturePayment after the refund'), { ok: false }, 'a CapturePayment arriving again after the refund is refused');
  expect((await payments.payment(sagaIdFor('A-1')))?.status, 'the payment after a capture that came again').toBe('refunded');
});

test('a RefundPayment that overtakes its CapturePayment voids the payment: the late capture is refused', { task: 3, points: 5 }, async () => {
  const { payments } = await newPayments();
  const order = checkout('A-1');
  // The saga timed out waiting for the capture and compensates; the CapturePayment is still on its way.
  expectMatch(await handle(payments, refund(order), 'a RefundPayment with no capture yet'), { ok: true }, 'a refund with nothing to refund still succeeds (a compensation always does)');
  expectMatch(await handle(payments, capture(order), 'the late CapturePayment'), { ok: false, type: 'CapturePayment' }, 'the late CapturePayment is refused');
  expectMatch(await handle(payments, capture(order), 'another copy of it'), { ok: false }, 'and so is another copy of it');
  expectEqual(await payments.all(), [{ sagaId: sagaIdFor('A-1'), orderId: 'A-1', amountCents: 2500, status: 'voided' }], 'the payments table: no money taken');
});

test('a declined card gives the same answer when the command comes again', { task: 3, points: 3 }, async () => {
  const { payments } = await newPayments();
  const declined = checkout('A-1', { cardToken: 'tok_declined' });
  expectMatch(await handle(payments, capture(declined), 'CapturePayment'), { ok: false, reason: 'card declined' }, 'the reply for a declined card');
  expectMatch(await handle(payments, capture(declined), 'its second copy'), { ok: false }, 'the reply to a second copy');
  expectMatch(await handle(payments, refund(declined), 'RefundPayment'), { ok: true }, 'refunding a declined payment: nothing to do, but it succeeds');
  expectEqual(await payments.all(), [{ sagaId: sagaIdFor('A-1'), orderId: 'A-1', amountCents: 2500, status: 'declined' }], 'the payments table: one declined payment');
});
