/**
 * Payment-provider adapters: one interface, one adapter per provider, as the
 * supplier adapters in shared/fulfilment/ are. The fulfilment function calls
 * `paymentAdapterFor(provider).refund(...)` for each CashRefundRequested
 * event. A refund is idempotent at the provider: our refund id (the id of the
 * event that asked for it) is the provider's refund reference, so an event
 * delivered twice never refunds twice; the second answer is `duplicate: true`.
 *
 * The provider answers later with a signed callback on
 * `/v1/webhooks/payments/{provider}` naming the refund id, which marks the
 * refund done (shared/payments/refunds.ts).
 *
 * Errors, as the suppliers' (shared/fulfilment/errors.ts): SupplierRejectedError
 * = the provider refused the refund for good (recorded as REFUSED, not
 * retried); SupplierUnavailableError = try again later (the invocation fails,
 * the bus retries it, then its DLQ). Configuration: PAYMENT_ENDPOINTS and
 * PAYMENT_CREDENTIALS / PAYMENT_SECRET_ARNS (shared/fulfilment/config.ts).
 */
import { AlipayAdapter } from './alipay.js';
import { WechatPayAdapter } from './wechatpay.js';

export interface RefundRequest {
  /** Our refund id: the provider's idempotency reference. */
  readonly refundId: string;
  readonly orderId: string;
  /** The provider's id of the payment being refunded. */
  readonly paymentId: string;
  readonly amountCents: number;
  readonly reason: string;
}

export interface RefundResult {
  readonly providerRefundRef: string;
  readonly duplicate: boolean;
}

export interface PaymentAdapter {
  readonly provider: string;
  refund(request: RefundRequest): Promise<RefundResult>;
}

/** Every payment provider with an adapter (the same names as the payment webhooks' senders). */
const factories: Record<string, () => PaymentAdapter> = {
  wechatpay: () => new WechatPayAdapter(),
  alipay: () => new AlipayAdapter(),
};

export const supportedPaymentProviders: readonly string[] = Object.keys(factories);

const adapters = new Map<string, PaymentAdapter>();

/** The adapter of a payment provider (one per process); throws for a provider without one. */
export function paymentAdapterFor(provider: string): PaymentAdapter {
  let adapter = adapters.get(provider);
  if (!adapter) {
    const create = Object.hasOwn(factories, provider) ? factories[provider] : undefined;
    if (!create) throw new Error(`no adapter for payment provider "${provider}"; known: ${supportedPaymentProviders.join(', ')}`);
    adapter = create();
    adapters.set(provider, adapter);
  }
  return adapter;
}
