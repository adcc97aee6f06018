import './zod-openapi.js';
import * as z from 'zod';
import { operation } from './operation.js';

const orderId = z.string().min(1).max(64);

export const supplierCallbackSchema = z
  .object({
    messageId: z.string().min(1).max(128).openapi({ description: "The supplier's id of this message: a repeated message changes nothing." }),
    orderId,
    status: z.enum(['ACCEPTED', 'SHIPPED', 'DELIVERED', 'REJECTED']),
    trackingNo: z.string().min(1).max(64).optional(),
  })
  .strict()
  .openapi('SupplierCallback');

export const paymentCallbackSchema = z
  .object({
    paymentId: z.string().min(1).max(128),
    orderId,
    status: z.enum(['SUCCEEDED', 'FAILED']),
    amountCents: z.number().int().min(0).max(100_000_000),
    refundId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/)
      .optional()
      .openapi({ description: 'Set on the result of a cash refund: our refund id, as the refund request named it. Absent on a payment result.' }),
  })
  .strict()
  .openapi('PaymentCallback');

const receipt = z
  .object({
    received: z.literal(true),
    eventId: z.string().openapi({ description: 'Id of the event the verified message became (delivered to its consumer through the outbox).' }),
  })
  .openapi('WebhookReceipt');

const signedHeaders =
  'Headers X-Timestamp (Unix seconds, within 5 minutes of our clock), X-Nonce (8-128 characters, used once), ' +
  'X-Signature (base64 RSA-SHA256 over timestamp + "\\n" + nonce + "\\n" + body, with the sender\'s private key). ' +
  'The body is validated only after the signature; the verified message becomes an event and the answer is immediate.';

export const webhookOperations = {
  receiveSupplierCallback: operation({
    summary: 'A signed order status message from a supplier (JD, Tmall)',
    description: signedHeaders,
    tags: ['webhooks'],
    params: z.object({ supplier: z.string().min(1).max(32) }),
    signedBody: supplierCallbackSchema,
    response: receipt,
    status: 202,
    errors: ['NOT_FOUND', 'INVALID_SIGNATURE', 'REPLAYED'],
  }),
  receivePaymentCallback: operation({
    summary: 'A signed payment result from a payment provider',
    description: signedHeaders,
    tags: ['webhooks'],
    params: z.object({ provider: z.string().min(1).max(32) }),
    signedBody: paymentCallbackSchema,
    response: receipt,
    status: 202,
    errors: ['NOT_FOUND', 'INVALID_SIGNATURE', 'REPLAYED'],
  }),
};
