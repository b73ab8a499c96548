import { expect, expectEqual, expectMatch, test } from 'labkit/test';
import { describeConfig, takePayment, type PaymentRequest, type ServiceConfig } from '../src/checkout.ts';
import { listPayments } from '../src/queries.ts';
import { InvalidCard } from '../src/shop.ts';
import { openCard } from '../src/vault.ts';
import { dataKeySecrets, findSecrets, freshPayments, thrown, type Secret } from './helpers.ts';

const REQUESTS: PaymentRequest[] = [
  { orderId: 42, customerId: 'cust-7', amountCents: 4990, cardHolder: 'Mia Novák', cardNumber: '4000056655665556', cardId: 3 },
  { orderId: 44, customerId: 'cust-Zoë-Ødegård', amountCents: 700, cardHolder: 'Zoë Ødegård', cardNumber: '378282246310005', cardId: 9 },
  { orderId: 48, customerId: 'cust-東京-3', amountCents: 123_456, cardHolder: '山田 花子', cardNumber: '6304000000000000000', cardId: 17 },
];

/**
 * Numbers takePayment refuses: one digit changed (fails Luhn); 11 and 20 digits that pass Luhn;
 * spaces, a fullwidth digit, a letter before or after digits whose character codes would pass
 * a Luhn sum computed blindly.
 */
const BAD_NUMBERS = ['4000056655665557', '5555555555554445', '42424242420', '41111111111111111115', '4000 0566 5566 5556', '40000566556655５6', 'X4000056655665556', '5555555555554444X'];

export const CONFIG: ServiceConfig = {
  database: { host: 'payments-db.internal', port: 5432, dbname: 'payments', user: 'payments_service', password: 'pw-Ünïcode-s3cr3t!-2026', sslmode: 'verify-full' },
  kms: { endpoint: 'https://kms.internal/v1/payments-kek', token: 'kms-token-0c3a9e7f51d24b88' },
};

function configSecrets(config: ServiceConfig): Secret[] {
  return [
    { name: 'the database password', value: config.database.password },
    { name: 'the KMS token', value: config.kms.token },
  ];
}

test('takePayment seals the card, records the payment as captured, logs it, and refuses a bad number', { task: 5, points: 5 }, async () => {
  const s = await freshPayments();
  for (const request of REQUESTS) {
    const receipt = await takePayment(s.deps, request);
    expectMatch(receipt, { cardId: request.cardId, last4: request.cardNumber.slice(-4) }, `takePayment(order ${request.orderId})'s receipt`);
    expect(await openCard(s.deps, request.cardId, request.customerId), `the card takePayment(order ${request.orderId}) sealed, opened`).toBe(request.cardNumber);
    const [row] = await listPayments(s.db, { customerId: request.customerId });
    expectMatch(row, { id: receipt.paymentId, orderId: request.orderId, amountCents: request.amountCents, status: 'captured' }, `the payment of order ${request.orderId}`);
  }
  const recorded = s.logs.lines.filter((l) => l.event === 'payment.recorded');
  expect(recorded.length, `'payment.recorded' lines logged for ${REQUESTS.length} payments`).toBe(REQUESTS.length);
  expectMatch(recorded[2]!.fields, { orderId: 48, customerId: 'cust-東京-3', amountCents: 123_456, last4: '0000' }, "the 'payment.recorded' line of order 48");
  const { rows: before } = await s.db.query<{ n: number }>('SELECT (SELECT count(*) FROM payments.payments) + (SELECT count(*) FROM payments.card_vault) AS n');
  for (const [i, cardNumber] of BAD_NUMBERS.entries()) {
    const error = await thrown(() => takePayment(s.deps, { ...REQUESTS[0]!, cardNumber, cardId: 60 + i }), `takePayment with card number ${JSON.stringify(cardNumber)}`);
    expect(error instanceof InvalidCard, `takePayment with ${JSON.stringify(cardNumber)} threw ${String(error)}; the README asks for InvalidCard`).toBe(true);
  }
  const { rows: after } = await s.db.query<{ n: number }>('SELECT (SELECT count(*) FROM payments.payments) + (SELECT count(*) FROM payments.card_vault) AS n');
  expect(Number(after[0]!.n), 'rows in payments and card_vault after the refused payments (a refused card stores nothing)').toBe(Number(before[0]!.n));
});

test('no card number, data key, password or token shows up in a log line, an error or a returned value', { task: 5, points: 6 }, async () => {
  const s = await freshPayments();
  const outputs: { where: string; value: unknown }[] = [];
  const run = async (where: string, fn: () => unknown) => {
    try {
      outputs.push({ where: `what ${where} returned`, value: await fn() });
    } catch (error) {
      outputs.push({ where: `the error ${where} threw`, value: error });
    }
  };
  for (const request of REQUESTS) await run(`takePayment(order ${request.orderId})`, () => takePayment(s.deps, request));
  for (const cardNumber of BAD_NUMBERS) await run(`takePayment with the bad number ${cardNumber}`, () => takePayment(s.deps, { ...REQUESTS[1]!, cardNumber, cardId: 70 }));
  await run('takePayment into a card id already taken', () => takePayment(s.deps, { ...REQUESTS[0]!, orderId: 49, cardNumber: '5555555555554444' }));
  await run('openCard for the wrong customer', () => openCard(s.deps, 3, 'cust-12'));
  await run('describeConfig', () => describeConfig(CONFIG));
  s.logs.lines.forEach((line, i) => outputs.push({ where: `log line ${i + 1} (${line.event})`, value: line }));
  const cards = [...REQUESTS.map((r) => r.cardNumber), ...BAD_NUMBERS, '5555555555554444'].map((value) => ({ name: `card number ${value}`, value }));
  const finds = findSecrets(outputs, [...cards, ...dataKeySecrets(s.kms), ...configSecrets(CONFIG)]);
  expectEqual(finds, [], 'secrets found in the outputs of the run (log only ids and the last four digits; say what is wrong, not with what)');
  expect(s.logs.lines.length > 0, 'log lines written (takePayment logs payment.recorded)').toBe(true);
});

test('describeConfig shows the connection settings and the KMS endpoint, never the password or the token', { task: 5, points: 4 }, async () => {
  for (const config of [CONFIG, { database: { ...CONFIG.database, host: 'db-2.payments.internal', port: 6432, password: 'Tr0ub4dor&3', user: 'payments_rotator' }, kms: { endpoint: 'https://kms.eu/v1/k', token: 'ya29.a0AfH6SMBx-token' } }]) {
    const shown = describeConfig(config);
    const pairs = Object.fromEntries(String(shown.database).trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
    const { password: _password, ...visible } = config.database;
    expectEqual(pairs, Object.fromEntries(Object.entries(visible).map(([k, v]) => [k, String(v)])), `the keyword=value pairs of describeConfig(...).database for host ${config.database.host} (every setting but the password)`);
    expect(shown.kms, 'describeConfig(...).kms: the KMS endpoint').toBe(config.kms.endpoint);
    expectEqual(findSecrets([{ where: 'what describeConfig returned', value: shown }], configSecrets(config)), [], 'secrets in what describeConfig returned');
  }
});
