/**
 * JD (京东) order API, as this adapter speaks it:
 *
 *   POST {baseUrl}/jos/orders
 *   X-JD-AppKey: <appKey>
 *   X-JD-Timestamp: <Unix ms>
 *   X-JD-Sign: hex HMAC-SHA256(appSecret, appKey + "\n" + timestamp + "\n" + body)
 *   { "outOrderId": "<our order id>", "skuList": [{ "skuId", "num" }], "remark": "<product name>" }
 *
 * `outOrderId` is JD's idempotency reference. 200 `{ "code": 0, "jdOrderId" }`
 * on a new order; 409 `{ "code": "DUPLICATE_ORDER", "jdOrderId" }` when the
 * outOrderId was seen before; errors `{ "code", "message" }`.
 */
import { createHmac } from 'node:crypto';
import * as z from '../zod.js';
import type { SubmitResult, SupplierAdapter, SupplierOrder } from './adapter.js';
import { supplierCredentials, supplierEndpoint } from './config.js';
import { defaultRetryPolicy, sendWithRetries, submissionOutcome, type RetryPolicy } from './http.js';

export const jdCredentialsSchema = z.object({ appKey: z.string().check(z.minLength(1)), appSecret: z.string().check(z.minLength(1)) });
export type JdCredentials = z.infer<typeof jdCredentialsSchema>;

export const JD_ORDERS_PATH = '/jos/orders';

/** The request signature JD checks; the simulated JD computes the same. */
export function jdSignature(credentials: JdCredentials, timestamp: string, body: string): string {
  return createHmac('sha256', credentials.appSecret).update(`${credentials.appKey}\n${timestamp}\n${body}`).digest('hex');
}

const answerSchema = z.object({ jdOrderId: z.optional(z.string().check(z.minLength(1))), message: z.optional(z.string()) });

export class JdAdapter implements SupplierAdapter {
  readonly supplierId = 'jd';
  /** JD acknowledges an order within minutes; two hours without a callback is stuck. */
  readonly callbackDeadlineMinutes = 120;

  constructor(private readonly policy: RetryPolicy = defaultRetryPolicy) {}

  async submit(order: SupplierOrder): Promise<SubmitResult> {
    const { baseUrl } = supplierEndpoint(this.supplierId);
    const credentials = await supplierCredentials(this.supplierId, jdCredentialsSchema);
    const body = JSON.stringify({
      outOrderId: order.orderId,
      skuList: [{ skuId: order.sku, num: order.quantity }],
      remark: order.productName,
    });
    // Signed once: a retry resends the same request, which JD deduplicates by outOrderId.
    const timestamp = String(Date.now());
    const response = await sendWithRetries(
      {
        method: 'POST',
        url: `${baseUrl}${JD_ORDERS_PATH}`,
        headers: {
          'content-type': 'application/json',
          'x-jd-appkey': credentials.appKey,
          'x-jd-timestamp': timestamp,
          'x-jd-sign': jdSignature(credentials, timestamp, body),
        },
        body,
      },
      'JD',
      this.policy,
    );
    return submissionOutcome(
      'JD',
      response,
      (json) => answerSchema.safeParse(json).data?.jdOrderId,
      (json) => answerSchema.safeParse(json).data?.message,
    );
  }
}
