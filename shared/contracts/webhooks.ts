import * as z from '../zod.js';
import { doc } from './doc.js';
import { operation } from './operation.js';

const orderId = z.string().check(z.minLength(1), z.maxLength(64));

export const supplierCallbackSchema = doc(z.strictObject({
  messageId: doc(z.string().check(z.minLength(1), z.maxLength(128)), { description: "The supplier's id of this message: a repeated message changes nothing." }),
  orderId,
  status: z.enum(['ACCEPTED', 'SHIPPED', 'DELIVERED', 'REJECTED']),
  trackingNo: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
}), 'SupplierCallback');

export const paymentCallbackSchema = doc(z.strictObject({
  paymentId: z.string().check(z.minLength(1), z.maxLength(128)),
  orderId,
  status: z.enum(['SUCCEEDED', 'FAILED']),
  amountCents: z.number().check(z.int(), z.gte(0), z.lte(100_000_000)),
  refundId: doc(z.optional(z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9._:-]+$/))), { description: 'Set on the result of a cash refund: our refund id, as the refund request named it. Absent on a payment result.' }),
}), 'PaymentCallback');

const receipt = doc(z.object({
  received: z.literal(true),
  eventId: doc(z.string(), { description: 'Id of the event the verified message became (delivered to its consumer through the outbox).' }),
}), 'WebhookReceipt');

const signedHeaders =
  'Headers X-Timestamp (Unix seconds, within 5 minutes of our clock), X-Nonce (8-128 characters, used once), ' +
  'X-Signature (base64 RSA-SHA256 over timestamp + "\\n" + nonce + "\\n" + body, with the sender\'s private key). ' +
  'The body is validated only after the signature; the verified message becomes an event and the answer is immediate.';

export const webhookOperations = {
  receiveSupplierCallback: operation({
    summary: 'A signed order status message from a supplier (JD, Tmall)',
    description: signedHeaders,
    tags: ['webhooks'],
    params: z.object({ supplier: z.string().check(z.minLength(1), z.maxLength(32)) }),
    signedBody: supplierCallbackSchema,
    response: receipt,
    status: 202,
    errors: ['NOT_FOUND', 'INVALID_SIGNATURE', 'REPLAYED'],
  }),
  receivePaymentCallback: operation({
    summary: 'A signed payment result from a payment provider',
    description: signedHeaders,
    tags: ['webhooks'],
    params: z.object({ provider: z.string().check(z.minLength(1), z.maxLength(32)) }),
    signedBody: paymentCallbackSchema,
    response: receipt,
    status: 202,
    errors: ['NOT_FOUND', 'INVALID_SIGNATURE', 'REPLAYED'],
  }),
};
