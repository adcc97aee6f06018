/**
 * The operators' order routes: the list of every order with filters, one
 * order's page (state history, callbacks, cash refunds, events) and the
 * refund of a delivered or failed order.
 */
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, pageOf, pageQuerySchema } from './common.js';
import { orderSchema, orderStatuses, paymentKinds } from './mall.js';
import { operation } from './operation.js';

const isoTime = (what: string) => z.iso.datetime({ message: `${what} must be an ISO-8601 UTC time such as 2026-12-12T12:00:00Z` });

export const orderListQuerySchema = docExtend(pageQuerySchema, {
  status: z.optional(z.enum(orderStatuses, { message: `status must be one of ${orderStatuses.join(', ')}` })),
  paymentKind: doc(z.optional(z.enum(paymentKinds, { message: `paymentKind must be ${paymentKinds.join(' or ')}` })), { description: 'POINTS: pure points; POINTS_CASH: points plus cash.' }),
  supplierId: doc(z.optional(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, 'supplierId is a supplier id such as "jd" or "tmall"'))), { description: 'Orders of supplier goods fulfilled by this supplier.' }),
  productId: z.optional(idSchema),
  memberId: doc(z.optional(idSchema), { description: "One member's orders (read from the member's own list)." }),
  from: doc(z.optional(isoTime('from')), { description: 'Created at or after this time (inclusive). Default: 90 days before `to`; with `memberId`: no bound.' }),
  to: doc(z.optional(isoTime('to')), { description: 'Created before this time (exclusive). Default: now.' }),
}).check(z.superRefine((query, ctx) => {
  if (query.from !== undefined && query.to !== undefined && Date.parse(query.from) >= Date.parse(query.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  }
}));

export const orderCallbackSchema = doc(z.object({
  callbackId: z.string(),
  kind: doc(z.enum(['SUPPLIER', 'PAYMENT', 'REFUND']), { description: 'A supplier status, a payment result, or the result of a cash refund.' }),
  sender: doc(z.string(), { description: 'The supplier or payment provider of the webhook path.' }),
  verified: doc(z.boolean(), { description: 'Signature, freshness and nonce checked and the body valid: accepted and turned into an event.' }),
  problem: doc(z.nullable(z.string()), { description: 'Why a refused message was refused: missing-headers, malformed-headers, stale, bad-signature, replayed, invalid-body.' }),
  receivedAt: z.string(),
  status: z.nullable(z.string()),
  messageId: z.nullable(z.string()),
  paymentId: z.nullable(z.string()),
  refundId: z.nullable(z.string()),
  trackingNo: z.nullable(z.string()),
  amountCents: z.nullable(z.number().check(z.int())),
  outcome: doc(z.nullable(z.string()), { description: 'What the fulfilment function made of a verified message: applied, duplicate, late, parked, ignored (null until it ran).' }),
  eventId: z.nullable(z.string()),
}), 'OrderCallback');

export const cashRefundSchema = doc(z.object({
  refundId: doc(z.string(), { description: 'Our refund id (the id of the CashRefundRequested event): the provider deduplicates by it.' }),
  orderId: z.string(),
  memberId: z.string(),
  provider: z.nullable(z.string()),
  paymentId: z.nullable(z.string()),
  amountCents: z.number().check(z.int()),
  reason: z.string(),
  state: doc(z.enum(['REQUESTED', 'SUBMITTED', 'DONE', 'FAILED', 'REFUSED']), { description: 'REQUESTED: recorded; SUBMITTED: the provider took it; DONE/FAILED: its signed callback; REFUSED: the provider refused it (settle by hand).' }),
  requestedAt: z.string(),
  submittedAt: z.nullable(z.string()),
  providerRefundRef: z.nullable(z.string()),
  settledAt: z.nullable(z.string()),
  problem: z.nullable(z.string()),
}), 'CashRefund');

export const orderEventSchema = doc(z.object({
  eventId: z.string(),
  detailType: doc(z.string(), { description: 'OrderPlaced, OrderStatusChanged, CashRefundRequested, SupplierCallbackReceived, ...' }),
  occurredAt: z.string(),
  detail: z.record(z.string(), z.unknown()),
}), 'OrderEvent');

export const orderDetailSchema = doc(docExtend(orderSchema, {
  callbacks: doc(z.array(orderCallbackSchema), { description: 'Callbacks received about the order, newest first (at most 100).' }),
  callbacksTruncated: z.boolean(),
  cashRefunds: doc(z.array(cashRefundSchema), { description: 'Cash given back through the payment provider, oldest first.' }),
  events: doc(z.array(orderEventSchema), { description: 'Events the order produced (and the callbacks turned into), oldest first (at most 100).' }),
  eventsTruncated: z.boolean(),
  refundable: doc(z.boolean(), { description: 'Whether POST .../refund would accept it now (DELIVERED, FULFILLED or FAILED).' }),
  cancellable: doc(z.boolean(), { description: 'Whether POST .../cancel would accept it now (PLACED or PENDING_PAYMENT).' }),
}), 'OrderDetail');

export const refundInputSchema = doc(z.strictObject({
  reason: doc(z.string().check(z.trim(), z.minLength(1, 'give a reason'), z.maxLength(200, 'at most 200 characters')), { description: "Why: recorded in the order's history and the audit log." }),
}), 'RefundInput');

export const orderAdminOperations = {
  listOrdersAdmin: operation({
    summary: 'Every order, newest first, with filters (operators)',
    description:
      'One index read per month of the range, never a scan: orders are listed by the month they were created (GSI3, 8 shards merged) or, ' +
      'with `memberId`, from the member\'s own list. `status`, `paymentKind`, `supplierId` and `productId` narrow the read; a page reads at most ' +
      '600 orders, so a sparse filter can answer a short (even empty) page with a `nextCursor`: follow it until it is null.',
    tags: ['orders'],
    query: orderListQuerySchema,
    response: doc(pageOf(orderSchema), 'AdminOrderPage'),
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
