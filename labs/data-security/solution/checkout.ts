/**
 * Task 5: taking a payment and describing the configuration, without a secret in any output:
 * no card number, key or password in a log line, an error or a returned value.
 */
import { recordPayment } from './queries.ts';
import { InvalidCard, type VaultDeps } from './shop.ts';
import { sealCard } from './vault.ts';

export interface PaymentRequest {
  orderId: number;
  customerId: string;
  amountCents: number;
  cardHolder: string;
  /** Digits only, 12 to 19 of them. */
  cardNumber: string;
  /** The vault row to keep the card in. */
  cardId: number;
}

export interface PaymentReceipt {
  paymentId: number;
  cardId: number;
  last4: string;
}

/** The Luhn checksum: doubling every second digit from the right, the sum is a multiple of 10. */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Checks the card, seals it in the vault, records the payment as captured and logs it. */
export async function takePayment(deps: VaultDeps, request: PaymentRequest): Promise<PaymentReceipt> {
  const number = request.cardNumber;
  // The message says what is wrong, never the number itself.
  if (!/^[0-9]{12,19}$/.test(number)) throw new InvalidCard('the card number must be 12 to 19 digits');
  if (!passesLuhn(number)) throw new InvalidCard('the card number fails the Luhn check');
  const last4 = number.slice(-4);
  await sealCard(deps, { id: request.cardId, customerId: request.customerId, cardNumber: number });
  const paymentId = await recordPayment(deps.db, {
    orderId: request.orderId,
    customerId: request.customerId,
    amountCents: request.amountCents,
    status: 'captured',
    cardHolder: request.cardHolder,
    cardLast4: last4,
    cardId: request.cardId,
  });
  deps.log('payment.recorded', { paymentId, orderId: request.orderId, customerId: request.customerId, amountCents: request.amountCents, last4 });
  return { paymentId, cardId: request.cardId, last4 };
}

export interface ServiceConfig {
  database: { host: string; port: number; dbname: string; user: string; password: string; sslmode: string };
  kms: { endpoint: string; token: string };
}

/** What the service's health page shows of its configuration: everything but the secrets. */
export function describeConfig(config: ServiceConfig): { database: string; kms: string } {
  const { host, port, dbname, user, sslmode } = config.database;
  return { database: `host=${host} port=${port} dbname=${dbname} user=${user} sslmode=${sslmode}`, kms: config.kms.endpoint };
}
