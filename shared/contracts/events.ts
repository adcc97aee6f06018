import './zod-openapi.js';
/**
 * Domain events on the bus: one versioned zod schema per detail type. The
 * outbox adds `eventId`, `version` and `occurredAt` to every detail; consumers
 * deduplicate by `eventId`. A new field is optional (backward compatible); a
 * breaking change is a new version, published beside the old one until its
 * consumers have moved. docs/events.md describes each event.
 */
import * as z from 'zod';
import { orderStatuses, paymentKinds, productTypes } from './limits.js';
import { paymentCallbackSchema, supplierCallbackSchema } from './webhooks.js';

const envelope = { eventId: z.string(), version: z.number().int(), occurredAt: z.string() };
const supplier = z.object({ supplierId: z.string(), sku: z.string() }).nullable();

export const eventSchemas = {
  OrderPlaced: {
    version: 1,
    detail: z.object({
      orderId: z.string(),
      memberId: z.string(),
      productId: z.string(),
      productType: z.enum(productTypes),
      quantity: z.number().int(),
      payment: z.enum(paymentKinds),
      points: z.number().int(),
      cashCents: z.number().int(),
      status: z.enum(orderStatuses),
      supplier,
    }),
  },
  OrderStatusChanged: {
    version: 1,
    detail: z.object({
      orderId: z.string(),
      memberId: z.string(),
      productId: z.string(),
      from: z.enum(orderStatuses),
      to: z.enum(orderStatuses),
      reason: z.string(),
      supplier,
      trackingNo: z.string().optional(),
    }),
  },
  CashRefundRequested: {
    version: 1,
    detail: z.object({
      orderId: z.string(),
      memberId: z.string(),
      paymentId: z.string().nullable(),
      amountCents: z.number().int(),
      reason: z.string(),
      provider: z.string().optional().openapi({ description: 'The payment provider that took the payment (its refund API gives the cash back).' }),
    }),
  },
  AuctionWon: {
    version: 1,
    detail: z.object({
      auctionId: z.string(),
      productId: z.string(),
      memberId: z.string().openapi({ description: 'The winner.' }),
      price: z.number().int().openapi({ description: 'Points captured from the winner.' }),
      orderId: z.string().openapi({ description: 'The order created for the lot (its OrderPlaced event is written in the same transaction).' }),
      bids: z.number().int(),
      endedAt: z.string(),
    }),
  },
  AuctionCancelled: {
    version: 1,
    detail: z.object({
      auctionId: z.string(),
      productId: z.string(),
      phase: z.enum(['UPCOMING', 'OPEN', 'ENDED']).openapi({ description: 'Where the auction stood when cancelled (ENDED: past its end, not yet settled).' }),
      reason: z.string().openapi({ description: "The operator's reason." }),
      cancelledBy: z.string(),
      cancelledAt: z.string(),
      bids: z.number().int().openapi({ description: 'Bids accepted before the cancellation.' }),
      price: z.number().int().nullable().openapi({ description: 'The price reached (null without bids); nothing was sold.' }),
      released: z
        .object({ memberId: z.string(), points: z.number().int() })
        .nullable()
        .openapi({ description: "The leader's whole hold, released in the same transaction (null without bids)." }),
    }),
  },
  PointsExpired: {
    version: 1,
    detail: z.object({
      memberId: z.string(),
      currency: z.string(),
      bucket: z.string().nullable().openapi({ description: 'The expiry bucket (YYYY-MM) that expired; null for an inactivity expiry.' }),
      points: z.number().int().openapi({ description: 'Points taken from the wallet.' }),
      at: z.string().openapi({ description: 'The time the job ran as of.' }),
      cause: z.literal('inactivity').optional().openapi({ description: 'Set when the points expired under the `inactivity` policy.' }),
      lastActiveMonth: z.string().optional().openapi({ description: "Inactivity expiry only: the wallet's last month with earning or spending." }),
    }),
  },
  PointsExpiringSoon: {
    version: 1,
    detail: z.object({
      memberId: z.string(),
      currency: z.string(),
      bucket: z.string().nullable().openapi({ description: 'The expiry bucket (YYYY-MM) about to expire; null for a coming inactivity expiry.' }),
      points: z.number().int().openapi({ description: 'Points the wallet holds that will expire (a notice: the expiry job computes the real amount).' }),
      expiresAt: z.string(),
      cause: z.literal('inactivity').optional(),
      lastActiveMonth: z.string().optional().openapi({ description: "Inactivity reminders only: the wallet's last month with earning or spending." }),
    }),
  },
  SupplierCallbackReceived: { version: 1, detail: supplierCallbackSchema.extend({ sender: z.string() }) },
  PaymentCallbackReceived: { version: 1, detail: paymentCallbackSchema.extend({ sender: z.string() }) },
} as const;

export type EventType = keyof typeof eventSchemas;
export type EventDetail<T extends EventType> = z.input<(typeof eventSchemas)[T]['detail']>;

/** What consumers parse a delivered detail with (the envelope fields included). */
export const deliveredSupplierCallback = eventSchemas.SupplierCallbackReceived.detail.extend(envelope);
export const deliveredPaymentCallback = eventSchemas.PaymentCallbackReceived.detail.extend(envelope);
export const deliveredCashRefundRequest = eventSchemas.CashRefundRequested.detail.extend(envelope);
