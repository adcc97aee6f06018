/**
 * Domain events on the bus: one versioned zod schema per detail type. The
 * outbox adds `eventId`, `version` and `occurredAt` to every detail; consumers
 * deduplicate by `eventId`. A new field is optional (backward compatible); a
 * breaking change is a new version, published beside the old one until its
 * consumers have moved. docs/events.md describes each event.
 */
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { orderStatuses, paymentKinds, productTypes } from './limits.js';
import { paymentCallbackSchema, supplierCallbackSchema } from './webhooks.js';

const envelope = { eventId: z.string(), version: z.number().check(z.int()), occurredAt: z.string() };
const supplier = z.nullable(z.object({ supplierId: z.string(), sku: z.string() }));

export const eventSchemas = {
  OrderPlaced: {
    version: 1,
    detail: z.object({
      orderId: z.string(),
      memberId: z.string(),
      productId: z.string(),
      productType: z.enum(productTypes),
      quantity: z.number().check(z.int()),
      payment: z.enum(paymentKinds),
      points: z.number().check(z.int()),
      cashCents: z.number().check(z.int()),
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
      trackingNo: z.optional(z.string()),
    }),
  },
  CashRefundRequested: {
    version: 1,
    detail: z.object({
      orderId: z.string(),
      memberId: z.string(),
      paymentId: z.nullable(z.string()),
      amountCents: z.number().check(z.int()),
      reason: z.string(),
      provider: doc(z.optional(z.string()), { description: 'The payment provider that took the payment (its refund API gives the cash back).' }),
    }),
  },
  AuctionWon: {
    version: 1,
    detail: z.object({
      auctionId: z.string(),
      productId: z.string(),
      memberId: doc(z.string(), { description: 'The winner.' }),
      price: doc(z.number().check(z.int()), { description: 'Points captured from the winner.' }),
      orderId: doc(z.string(), { description: 'The order created for the lot (its OrderPlaced event is written in the same transaction).' }),
      bids: z.number().check(z.int()),
      endedAt: z.string(),
    }),
  },
  AuctionCancelled: {
    version: 1,
    detail: z.object({
      auctionId: z.string(),
      productId: z.string(),
      phase: doc(z.enum(['UPCOMING', 'OPEN', 'ENDED']), { description: 'Where the auction stood when cancelled (ENDED: past its end, not yet settled).' }),
      reason: doc(z.string(), { description: "The operator's reason." }),
      cancelledBy: z.string(),
      cancelledAt: z.string(),
      bids: doc(z.number().check(z.int()), { description: 'Bids accepted before the cancellation.' }),
      price: doc(z.nullable(z.number().check(z.int())), { description: 'The price reached (null without bids); nothing was sold.' }),
      released: doc(z.nullable(z.object({ memberId: z.string(), points: z.number().check(z.int()) })), { description: "The leader's whole hold, released in the same transaction (null without bids)." }),
    }),
  },
  PointsExpired: {
    version: 1,
    detail: z.object({
      memberId: z.string(),
      currency: z.string(),
      bucket: doc(z.nullable(z.string()), { description: 'The expiry bucket (YYYY-MM) that expired; null for an inactivity expiry.' }),
      points: doc(z.number().check(z.int()), { description: 'Points taken from the wallet.' }),
      at: doc(z.string(), { description: 'The time the job ran as of.' }),
      cause: doc(z.optional(z.literal('inactivity')), { description: 'Set when the points expired under the `inactivity` policy.' }),
      lastActiveMonth: doc(z.optional(z.string()), { description: "Inactivity expiry only: the wallet's last month with earning or spending." }),
    }),
  },
  PointsExpiringSoon: {
    version: 1,
    detail: z.object({
      memberId: z.string(),
      currency: z.string(),
      bucket: doc(z.nullable(z.string()), { description: 'The expiry bucket (YYYY-MM) about to expire; null for a coming inactivity expiry.' }),
      points: doc(z.number().check(z.int()), { description: 'Points the wallet holds that will expire (a notice: the expiry job computes the real amount).' }),
      expiresAt: z.string(),
      cause: z.optional(z.literal('inactivity')),
      lastActiveMonth: doc(z.optional(z.string()), { description: "Inactivity reminders only: the wallet's last month with earning or spending." }),
    }),
  },
  SupplierCallbackReceived: { version: 1, detail: docExtend(supplierCallbackSchema, { sender: z.string() }) },
  PaymentCallbackReceived: { version: 1, detail: docExtend(paymentCallbackSchema, { sender: z.string() }) },
} as const;

export type EventType = keyof typeof eventSchemas;
export type EventDetail<T extends EventType> = z.input<(typeof eventSchemas)[T]['detail']>;

/** What consumers parse a delivered detail with (the envelope fields included). */
export const deliveredSupplierCallback = docExtend(eventSchemas.SupplierCallbackReceived.detail, envelope);
export const deliveredPaymentCallback = docExtend(eventSchemas.PaymentCallbackReceived.detail, envelope);
export const deliveredCashRefundRequest = docExtend(eventSchemas.CashRefundRequested.detail, envelope);
