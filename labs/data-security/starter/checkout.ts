/**
 * Task 5: taking a payment and describing the configuration, without a secret in any output.
 */
import type { VaultDeps } from './shop.ts';

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

/** Checks the card, seals it in the vault, records the payment as captured and logs it. */
export async function takePayment(deps: VaultDeps, request: PaymentRequest): Promise<PaymentReceipt> {
  // TODO (task 5): refuse a bad number with InvalidCard, sealCard, recordPayment, log
  // 'payment.recorded', and return the receipt; no secret in any log line, error or result.
  void deps;
  throw new Error(`takePayment is not written yet (order ${request.orderId})`);
}

export interface ServiceConfig {
  database: { host: string; port: number; dbname: string; user: string; password: string; sslmode: string };
  kms: { endpoint: string; token: string };
}

/** What the service's health page shows of its configuration: everything but the secrets. */
export function describeConfig(config: ServiceConfig): { database: string; kms: string } {
  // TODO (task 5): the keyword=value settings without the password, and the KMS endpoint.
  void config;
  return { database: '', kms: '' };
}
