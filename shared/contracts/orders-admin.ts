import './zod-openapi.js';
/**
 * The operators' order routes: the list of every order with filters, one
 * order's page (state history, callbacks, cash refunds, events) and the
 * refund of a delivered or failed order.
 */
import * as z from 'zod';
import { idSchema, pageOf, pageQuerySchema } from './common.js';
import { orderSchema, orderStatuses, paymentKinds } from './mall.js';
import { operation } from './operation.js';

const isoTime = (what: string) => z.iso.datetime({ message: `${what} must be an ISO-8601 UTC time such as 2026-12-12T12:00:00Z` });

export const orderListQuerySchema = pageQuerySchema
  .extend({
    status: z.enum(orderStatuses, { message: `status must be one of ${orderStatuses.join(', ')}` }).optional(),
    paymentKind: z
      .enum(paymentKinds, { message: `paymentKind must be ${paymentKinds.join(' or ')}` })
      .optional()
      .openapi({ description: 'POINTS: pure points; POINTS_CASH: points plus cash.' }),
    supplierId: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, 'supplierId is a supplier id such as "jd" or "tmall"')
      .optional()
      .openapi({ description: 'Orders of supplier goods fulfilled by this supplier.' }),
    productId: idSchema.optional(),
    memberId: idSchema.optional().openapi({ description: "One member's orders (read from the member's own list)." }),
    from: isoTime('from').optional().openapi({ description: 'Created at or after this time (inclusive). Default: 90 days before `to`; with `memberId`: no bound.' }),
    to: isoTime('to').optional().openapi({ description: 'Created before this time (exclusive). Default: now.' }),
  })
  .superRefine((query, ctx) => {
    if (query.from !== undefined && query.to !== undefined && Date.parse(query.from) >= Date.parse(query.to)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    }
  });

export const orderCallbackSchema = z
  .object({
    callbackId: z.string(),
    kind: z.enum(['SUPPLIER', 'PAYMENT', 'REFUND']).openapi({ description: 'A supplier status, a payment result, or the result of a cash refund.' }),
    sender: z.string().openapi({ description: 'The supplier or payment provider of the webhook path.' }),
    verified: z.boolean().openapi({ description: 'Signature, freshness and nonce checked and the body valid: accepted and turned into an event.' }),
    problem: z
      .string()
      .nullable()
      .openapi({ description: 'Why a refused message was refused: missing-headers, malformed-headers, stale, bad-signature, replayed, invalid-body.' }),
    receivedAt: z.string(),
    status: z.string().nullable(),
    messageId: z.string().nullable(),
    paymentId: z.string().nullable(),
    refundId: z.string().nullable(),
    trackingNo: z.string().nullable(),
    amountCents: z.number().int().nullable(),
    outcome: z
      .string()
      .nullable()
      .openapi({ description: 'What the fulfilment function made of a verified message: applied, duplicate, late, parked, ignored (null until it ran).' }),
    eventId: z.string().nullable(),
  })
  .openapi('OrderCallback');

export const cashRefundSchema = z
  .object({
    refundId: z.string().openapi({ description: 'Our refund id (the id of the CashRefundRequested event): the provider deduplicates by it.' }),
    orderId: z.string(),
    memberId: z.string(),
    provider: z.string().nullable(),
    paymentId: z.string().nullable(),
    amountCents: z.number().int(),
    reason: z.string(),
    state: z
      .enum(['REQUESTED', 'SUBMITTED', 'DONE', 'FAILED', 'REFUSED'])
      .openapi({ description: 'REQUESTED: recorded; SUBMITTED: the provider took it; DONE/FAILED: its signed callback; REFUSED: the provider refused it (settle by hand).' }),
    requestedAt: z.string(),
    submittedAt: z.string().nullable(),
    providerRefundRef: z.string().nullable(),
    settledAt: z.string().nullable(),
    problem: z.string().nullable(),
  })
  .openapi('CashRefund');

export const orderEventSchema = z
  .object({
    eventId: z.string(),
    detailType: z.string().openapi({ description: 'OrderPlaced, OrderStatusChanged, CashRefundRequested, SupplierCallbackReceived, ...' }),
    occurredAt: z.string(),
    detail: z.record(z.string(), z.unknown()),
  })
  .openapi('OrderEvent');

export const orderDetailSchema = orderSchema
  .extend({
    callbacks: z.array(orderCallbackSchema).openapi({ description: 'Callbacks received about the order, newest first (at most 100).' }),
    callbacksTruncated: z.boolean(),
    cashRefunds: z.array(cashRefundSchema).openapi({ description: 'Cash given back through the payment provider, oldest first.' }),
    events: z.array(orderEventSchema).openapi({ description: 'Events the order produced (and the callbacks turned into), oldest first (at most 100).' }),
    eventsTruncated: z.boolean(),
    refundable: z.boolean().openapi({ description: 'Whether POST .../refund would accept it now (DELIVERED, FULFILLED or FAILED).' }),
    cancellable: z.boolean().openapi({ description: 'Whether POST .../cancel would accept it now (PLACED or PENDING_PAYMENT).' }),
  })
  .openapi('OrderDetail');

export const refundInputSchema = z
  .object({
    reason: z.string().trim().min(1, 'give a reason').max(200, 'at most 200 characters').openapi({ description: "Why: recorded in the order's history and the audit log." }),
  })
  .strict()
  .openapi('RefundInput');

export const orderAdminOperations = {
  listOrdersAdmin: operation({
    summary: 'Every order, newest first, with filters (operators)',
    description:
      'One index read per month of the range, never a scan: orders are listed by the month they were created (GSI3, 8 shards merged) or, ' +
      'with `memberId`, from the member\'s own list. `status`, `paymentKind`, `supplierId` and `productId` narrow the read; a page reads at most ' +
      '600 orders, so a sparse filter can answer a short (even empty) page with a `nextCursor`: follow it until it is null.',
    tags: ['orders'],
    query: orderListQuerySchema,
    response: pageOf(orderSchema).openapi('AdminOrderPage'),
    errors: ['VALIDATION_FAILED'],
  }),
  getOrderAdmin: operation({
    summary: 'Any order with its status history, callbacks, cash refunds and events (operators)',
    description:
      'The order as GET /v1/orders/{orderId} answers its owner (a delivered virtual code masked to its last 4 characters), plus the signed ' +
      'callbacks received about it (verified, or refused and why; refused ones are kept 30 days, at most 50 per order), the cash refunds ' +
      'asked of the payment provider with their state, and the events it produced.',
    tags: ['orders'],
    params: z.object({ orderId: idSchema }),
    response: orderDetailSchema,
    errors: ['NOT_FOUND'],
  }),
  refundOrderAdmin: operation({
    summary: 'Refund a delivered, fulfilled or failed order (operators: support, admin): points back, cash asked back',
    description:
      'One transaction: status REFUNDED, a REFUND ledger entry of the order\'s points, a CashRefundRequested event for a paid cash part ' +
      '(consumed by the payment provider\'s adapter, whose signed callback marks it done), OrderStatusChanged and the audit record. ' +
      'Once per order (a second refund is 409) and once per Idempotency-Key (a repeat answers the first refund). A FAILED order had ' +
      'its points and cash given back when it failed: its refund only closes it. Delivered goods and codes stay with the member.',
    tags: ['orders'],
    params: z.object({ orderId: idSchema }),
    body: refundInputSchema,
    response: orderSchema,
    idempotency: 'required',
    errors: ['NOT_FOUND', 'CONFLICT', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED'],
  }),
};
