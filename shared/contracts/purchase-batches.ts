import * as z from '../zod.js';
import { doc } from './doc.js';
import { idSchema } from './common.js';
import { oneRefundKind, purchaseBodySchema, refundFields } from './earning.js';
import { MAX_PURCHASE_BATCH_BODY_BYTES, MAX_PURCHASE_BATCH_ITEMS, purchaseBatchItemStatuses, purchaseBatchStates } from './limits.js';
import { operation } from './operation.js';

export { MAX_PURCHASE_BATCH_BODY_BYTES, MAX_PURCHASE_BATCH_ITEMS, purchaseBatchItemStatuses, purchaseBatchStates };

export const batchRefundSchema = doc(z.strictObject({
  purchaseId: doc(idSchema, { description: 'The purchase refunded: recorded earlier (live or in a batch), or a purchase of this batch.' }),
  ...refundFields,
}).check(oneRefundKind), 'PurchaseBatchRefund');

const unique = (ids: readonly string[]) => new Set(ids).size === ids.length;

export const purchaseBatchInputSchema = doc(z.strictObject({
  batchId: doc(idSchema, {
    description: 'Your id for this batch, unique per store (e.g. the till and the day). The same batch sent again changes nothing and answers it as it stands; the same batchId with another body is refused (409).',
    example: 'till-3-2026-12-05',
  }),
  purchases: doc(z._default(z.array(purchaseBodySchema).check(
    z.maxLength(MAX_PURCHASE_BATCH_ITEMS, `a batch carries at most ${MAX_PURCHASE_BATCH_ITEMS} items; split it into several batches`),
    z.refine((purchases) => unique(purchases.map((p) => p.purchaseId)), { message: 'each purchaseId once in a batch' }),
  ), []), { description: 'Purchases as POST /v1/pos/purchases takes them, each with its original paidAt; all of the calling store.' }),
  refunds: doc(z._default(z.array(batchRefundSchema).check(
    z.maxLength(MAX_PURCHASE_BATCH_ITEMS, `a batch carries at most ${MAX_PURCHASE_BATCH_ITEMS} items; split it into several batches`),
    z.refine((refunds) => unique(refunds.map((r) => `${r.purchaseId}/${r.refundId}`)), { message: 'each refund (purchaseId and refundId) once in a batch' }),
  ), []), { description: 'Refunds as POST /v1/pos/purchases/{purchaseId}/refunds takes them, with the purchaseId; applied after every purchase of the batch.' }),
}).check(
  z.refine((b) => b.purchases.length + b.refunds.length >= 1, { message: 'send at least one purchase or refund', path: ['purchases'] }),
  z.refine((b) => b.purchases.length + b.refunds.length <= MAX_PURCHASE_BATCH_ITEMS, {
    message: `a batch carries at most ${MAX_PURCHASE_BATCH_ITEMS} items (purchases and refunds together); split it into several batches`,
    path: ['purchases'],
  }),
), 'PurchaseBatchInput');

const count = z.number().check(z.int());

export const purchaseBatchResultSchema = doc(z.object({
  index: doc(count, { description: 'The item\'s position in `purchases` (kind purchase) or in `refunds` (kind refund), from 0, as in validation paths.' }),
  kind: z.enum(['purchase', 'refund']),
  purchaseId: z.string(),
  refundId: doc(z.nullable(z.string()), { description: 'Refunds only.' }),
  memberId: doc(z.nullable(z.string()), { description: 'Purchases only: the member as sent.' }),
  status: doc(z.enum(purchaseBatchItemStatuses), {
    description:
      'EARNED: the purchase was recorded now. REFUNDED: the refund was applied now. DUPLICATE: it was recorded before (sent live, or in another batch) with the same details; ' +
      'nothing changed, the figures are those of that first time. REFUSED: nothing changed for this item, `problem` says why.',
  }),
  pointsEarned: doc(z.nullable(count), { description: 'Purchases (EARNED, DUPLICATE): points earned, as POST /v1/pos/purchases answers them.' }),
  pointsPending: doc(z.nullable(count), { description: 'Purchases: of pointsEarned, those pending (return window or review).' }),
  pointsWithheld: doc(z.nullable(count), { description: 'Purchases: points withheld by a daily cap (counted on the day of paidAt).' }),
  purchaseStatus: doc(z.nullable(z.enum(['RECORDED', 'PENDING_REVIEW'])), { description: 'Purchases: RECORDED, or PENDING_REVIEW above a review threshold.' }),
  amountCents: doc(z.nullable(count), { description: 'Refunds (REFUNDED, DUPLICATE): the cents refunded.' }),
  pointsClawedBack: doc(z.nullable(count), { description: 'Refunds: points taken from the available balance.' }),
  pendingPointsCancelled: doc(z.nullable(count), { description: 'Refunds: pending points cancelled.' }),
  shortfallPoints: doc(z.nullable(count), { description: 'Refunds: points owed back that the member had spent; their cash value is `shortfallCents`.' }),
  shortfallCents: z.nullable(count),
  problem: doc(z.nullable(z.object({ code: z.string(), status: count, detail: z.string() })), {
    description:
      'REFUSED: the problem the item met, as the single route would answer it (404 NOT_FOUND an unknown member or purchase, 422 PURCHASE_LIMIT_EXCEEDED over a limit ' +
      'or paid longer ago than posLimits.maxPurchaseAgeDays, 400 paidAt in the future, 403 FORBIDDEN a refund of another store\'s purchase, 409 ALREADY_REFUNDED, ' +
      '409 IDEMPOTENCY_KEY_REUSED the same id recorded before with other details).',
  }),
}), 'PurchaseBatchResult');

export const purchaseBatchSchema = doc(z.object({
  batchId: z.string(),
  storeId: z.string(),
  state: doc(z.enum(purchaseBatchStates), {
    description: 'QUEUED (taken, waiting for the background run), RUNNING, DONE (every item has its result), FAILED (`error` says why; the items with a result stand).',
  }),
  itemCount: count,
  purchaseCount: count,
  refundCount: count,
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.nullable(z.string()),
  counts: doc(z.object({ done: count, earned: count, refunded: count, duplicate: count, refused: count }), { description: 'Items with a result so far, by status.' }),
  results: doc(z.array(purchaseBatchResultSchema), {
    description: 'One result per item, purchases then refunds, each in the order sent: every item in a 201 answer; a page when read with GET (see `nextCursor`); none in a 202 answer.',
  }),
  nextCursor: doc(z.nullable(z.string()), { description: 'GET only: pass it as `cursor` for the next page of results; null when this page is the last so far.' }),
  error: doc(z.nullable(z.string()), { description: 'Why the batch FAILED.' }),
}), 'PurchaseBatch');

export const purchaseBatchOperations = {
  submitPurchaseBatch: operation({
    summary: 'POS sends the purchases and refunds its till recorded while offline, with their original times (idempotent by batchId)',
    description:
      `1 to ${MAX_PURCHASE_BATCH_ITEMS} items: \`purchases\` as POST /v1/pos/purchases takes them and \`refunds\` as POST /v1/pos/purchases/{purchaseId}/refunds takes them ` +
      '(plus `purchaseId`). Every purchase must be of the calling store, else the whole batch is refused (403 FORBIDDEN) and nothing is applied. ' +
      'Purchases are applied first, in paidAt order, then refunds in the order sent (a refund of a purchase of the same batch works); each item exactly as its single ' +
      'route applies it (campaigns running at paidAt, limits, reviews), except that the daily caps count a purchase on the day of its paidAt, and a purchase paid more ' +
      'than posLimits.maxPurchaseAgeDays ago is refused. Each item answers its own result: one refused does not stop the others; an item recorded before (live, or in another ' +
      'batch) answers DUPLICATE and changes nothing. A small batch is applied at once and answered 201 with every result; a large one is answered 202 (QUEUED) with a ' +
      '`Location` and applied in the background: read GET /v1/pos/purchase-batches/{batchId} until DONE. The same batch again changes nothing and answers it as it stands ' +
      '(`idempotent-replayed: true`); the same batchId with another body is 409 CONFLICT. One audit record per batch names the POS client that sent it.',
    tags: ['pos'],
    body: purchaseBatchInputSchema,
    response: purchaseBatchSchema,
    status: 201,
    otherStatuses: [202],
    maxBodyBytes: MAX_PURCHASE_BATCH_BODY_BYTES,
    errors: ['FORBIDDEN', 'CONFLICT', 'PAYLOAD_TOO_LARGE'],
  }),
  getPurchaseBatch: operation({
    summary: 'An offline batch of this POS\'s store: its state, counts and a page of its results',
    description: 'Only the store that sent the batch reads it; for another store it does not exist (404).',
    tags: ['pos'],
    params: z.object({ batchId: idSchema }),
    query: z.object({
      limit: doc(z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(500)), 100), { description: 'Results per page, 1-500 (default 100).' }),
      cursor: doc(z.optional(z.string()), { description: '`nextCursor` of the previous page, unchanged (sealed, bound to the caller and the batch, valid 24 hours).' }),
    }),
    response: purchaseBatchSchema,
    errors: ['NOT_FOUND'],
  }),
};
