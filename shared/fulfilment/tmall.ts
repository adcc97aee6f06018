/**
 * Tmall (天猫) supply-chain purchase-order API, as this adapter speaks it:
 *
 *   POST {baseUrl}/api/v1/purchase-orders
 *   Authorization: Bearer <apiToken>
 *   Idempotency-Key: <our order id>
 *   { "externalReference": "<our order id>", "lines": [{ "sku", "quantity", "title" }] }
 *
 * 201 `{ "purchaseOrder": { "id", "status" } }` on a new order; 409
 * `{ "error": "already_exists", "purchaseOrderId" }` when the idempotency key
 * was seen before; errors `{ "error", "error_description" }`.
 */
import * as z from '../zod.js';
import type { SubmitResult, SupplierAdapter, SupplierOrder } from './adapter.js';
import { supplierCredentials, supplierEndpoint } from './config.js';
import { defaultRetryPolicy, sendWithRetries, submissionOutcome, type RetryPolicy } from './http.js';

export const tmallCredentialsSchema = z.object({ apiToken: z.string().check(z.minLength(1)) });
export type TmallCredentials = z.infer<typeof tmallCredentialsSchema>;

export const TMALL_PURCHASE_ORDERS_PATH = '/api/v1/purchase-orders';

const answerSchema = z.object({
  purchaseOrder: z.optional(z.object({ id: z.string().check(z.minLength(1)) })),
  purchaseOrderId: z.optional(z.string().check(z.minLength(1))),
  error_description: z.optional(z.string()),
});

export class TmallAdapter implements SupplierAdapter {
  readonly supplierId = 'tmall';
  /** Tmall suppliers confirm purchase orders within their business day: four hours without a callback is stuck. */
  readonly callbackDeadlineMinutes = 240;

  constructor(private readonly policy: RetryPolicy = defaultRetryPolicy) {}

  async submit(order: SupplierOrder): Promise<SubmitResult> {
    const { baseUrl } = supplierEndpoint(this.supplierId);
    const credentials = await supplierCredentials(this.supplierId, tmallCredentialsSchema);
    const response = await sendWithRetries(
      {
        method: 'POST',
        url: `${baseUrl}${TMALL_PURCHASE_ORDERS_PATH}`,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${credentials.apiToken}`,
          'idempotency-key': order.orderId,
        },
        body: JSON.stringify({
          externalReference: order.orderId,
          lines: [{ sku: order.sku, quantity: order.quantity, title: order.productName }],
        }),
      },
      'Tmall',
      this.policy,
    );
    return submissionOutcome(
      'Tmall',
      response,
      (json) => {
        const answer = answerSchema.safeParse(json).data;
        return answer?.purchaseOrder?.id ?? answer?.purchaseOrderId;
      },
      (json) => answerSchema.safeParse(json).data?.error_description,
    );
  }
}
