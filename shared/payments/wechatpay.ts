/**
 * WeChat Pay (微信支付) refund API, as this adapter speaks it:
 *
 *   POST {baseUrl}/v3/refund/domestic/refunds
 *   X-Mch-Id: <mchId>
 *   X-Timestamp: <Unix ms>
 *   X-Sign: hex HMAC-SHA256(apiKey, mchId + "\n" + timestamp + "\n" + body)
 *   { "out_trade_no": "<our order id>", "transaction_id": "<payment id>", "out_refund_no": "<our refund id>",
 *     "reason": "...", "amount": { "refund": <cents>, "currency": "CNY" } }
 *
 * `out_refund_no` is the idempotency reference. 200 `{ "refund_id", "status": "PROCESSING" }`
 * for a new refund; 409 `{ "code": "DUPLICATE_REFUND", "refund_id" }` when the
 * out_refund_no was seen before; errors `{ "code", "message" }`. The result
 * comes later as a signed payment callback carrying `refundId`.
 */
import { createHmac } from 'node:crypto';
import * as z from '../zod.js';
import { paymentProviders } from '../fulfilment/config.js';
import { defaultRetryPolicy, sendWithRetries, submissionOutcome, type RetryPolicy } from '../fulfilment/http.js';
import type { PaymentAdapter, RefundRequest, RefundResult } from './adapter.js';

export const wechatPayCredentialsSchema = z.object({ mchId: z.string().check(z.minLength(1)), apiKey: z.string().check(z.minLength(1)) });
export type WechatPayCredentials = z.infer<typeof wechatPayCredentialsSchema>;

export const WECHATPAY_REFUNDS_PATH = '/v3/refund/domestic/refunds';

/** The request signature WeChat Pay checks; the simulated provider computes the same. */
export function wechatPaySignature(credentials: WechatPayCredentials, timestamp: string, body: string): string {
  return createHmac('sha256', credentials.apiKey).update(`${credentials.mchId}\n${timestamp}\n${body}`).digest('hex');
}

const answerSchema = z.object({ refund_id: z.optional(z.string().check(z.minLength(1))), message: z.optional(z.string()) });

export class WechatPayAdapter implements PaymentAdapter {
  readonly provider = 'wechatpay';

  constructor(private readonly policy: RetryPolicy = defaultRetryPolicy) {}

  async refund(request: RefundRequest): Promise<RefundResult> {
    const { baseUrl } = paymentProviders.endpoint(this.provider);
    const credentials = await paymentProviders.credentials(this.provider, wechatPayCredentialsSchema);
    const body = JSON.stringify({
      out_trade_no: request.orderId,
      transaction_id: request.paymentId,
      out_refund_no: request.refundId,
      reason: request.reason.slice(0, 80),
      amount: { refund: request.amountCents, currency: 'CNY' },
    });
    const timestamp = String(Date.now());
    const response = await sendWithRetries(
      {
        method: 'POST',
        url: `${baseUrl}${WECHATPAY_REFUNDS_PATH}`,
        headers: {
          'content-type': 'application/json',
          'x-mch-id': credentials.mchId,
          'x-timestamp': timestamp,
          'x-sign': wechatPaySignature(credentials, timestamp, body),
        },
        body,
      },
      'WeChat Pay',
      this.policy,
    );
    const outcome = submissionOutcome(
      'WeChat Pay',
      response,
      (json) => answerSchema.safeParse(json).data?.refund_id,
      (json) => answerSchema.safeParse(json).data?.message,
    );
    return { providerRefundRef: outcome.supplierOrderRef, duplicate: outcome.duplicate };
  }
}
