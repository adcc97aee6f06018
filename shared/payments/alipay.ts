/**
 * Alipay (支付宝) refund API, as this adapter speaks it:
 *
 *   POST {baseUrl}/v1/trade/refunds
 *   Authorization: Bearer <apiToken>
 *   Idempotency-Key: <our refund id>
 *   { "out_trade_no": "<our order id>", "trade_no": "<payment id>", "out_request_no": "<our refund id>",
 *     "refund_amount": "<yuan, 2 decimals>", "refund_reason": "..." }
 *
 * 201 `{ "refund": { "id", "status": "PROCESSING" } }` for a new refund; 409
 * `{ "error": "already_exists", "refundId" }` when the out_request_no was
 * seen before; errors `{ "error", "error_description" }`. The result comes
 * later as a signed payment callback carrying `refundId`.
 */
import * as z from '../zod.js';
import { paymentProviders } from '../fulfilment/config.js';
import { defaultRetryPolicy, sendWithRetries, submissionOutcome, type RetryPolicy } from '../fulfilment/http.js';
import type { PaymentAdapter, RefundRequest, RefundResult } from './adapter.js';

export const alipayCredentialsSchema = z.object({ apiToken: z.string().check(z.minLength(1)) });
export type AlipayCredentials = z.infer<typeof alipayCredentialsSchema>;

export const ALIPAY_REFUNDS_PATH = '/v1/trade/refunds';

const answerSchema = z.object({
  refund: z.optional(z.object({ id: z.string().check(z.minLength(1)) })),
  refundId: z.optional(z.string().check(z.minLength(1))),
  error_description: z.optional(z.string()),
});

/** Cents as Alipay's yuan amount string (`990` -> `"9.90"`). */
export function yuan(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

export class AlipayAdapter implements PaymentAdapter {
  readonly provider = 'alipay';

  constructor(private readonly policy: RetryPolicy = defaultRetryPolicy) {}

  async refund(request: RefundRequest): Promise<RefundResult> {
    const { baseUrl } = paymentProviders.endpoint(this.provider);
    const credentials = await paymentProviders.credentials(this.provider, alipayCredentialsSchema);
    const response = await sendWithRetries(
      {
        method: 'POST',
        url: `${baseUrl}${ALIPAY_REFUNDS_PATH}`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credentials.apiToken}`, 'idempotency-key': request.refundId },
        body: JSON.stringify({
          out_trade_no: request.orderId,
          trade_no: request.paymentId,
          out_request_no: request.refundId,
          refund_amount: yuan(request.amountCents),
          refund_reason: request.reason.slice(0, 80),
        }),
      },
      'Alipay',
      this.policy,
    );
    const outcome = submissionOutcome(
      'Alipay',
      response,
      (json) => {
        const answer = answerSchema.safeParse(json).data;
        return answer?.refund?.id ?? answer?.refundId;
      },
      (json) => answerSchema.safeParse(json).data?.error_description,
    );
    return { providerRefundRef: outcome.supplierOrderRef, duplicate: outcome.duplicate };
  }
}
