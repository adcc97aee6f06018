import * as z from '../zod.js';
import { doc } from './doc.js';
import { idSchema, paymentCodeSchema } from './common.js';
import { operation } from './operation.js';
import { breakdownSchema, purchaseLineSchema } from './purchase-lines.js';

export { MAX_LINE_AMOUNT_CENTS } from './purchase-lines.js';

export const purchaseBodySchema = doc(z.strictObject({
  purchaseId: idSchema,
  memberId: idSchema,
  storeId: idSchema,
  paidAt: z.iso.datetime({ message: 'paidAt must be an ISO-8601 UTC time' }),
  lines: z.array(purchaseLineSchema).check(z.minLength(1, 'a purchase has at least one line'), z.maxLength(500)),
}), 'PurchaseRequest');

export const purchaseResultSchema = doc(z.object({
  purchaseId: z.string(),
  memberId: z.string(),
  pointsEarned: z.number().check(z.int()),
  // Defaults: answers stored before pending points existed are replayed without these fields.
  pointsPending: doc(z._default(z.number().check(z.int()), 0), {
    description: 'Of pointsEarned, the points locked until the return window ends (0 when the rules have no window).',
  }),
  availableAt: doc(z._default(z.nullable(z.string()), null), { description: 'When the pending points become available; null when nothing is pending.' }),
  breakdown: breakdownSchema,
  rulesVersion: z.number().check(z.int()),
  // Defaults: answers stored before reviews existed are replayed without these fields.
  status: doc(z._default(z.enum(['RECORDED', 'PENDING_REVIEW']), 'RECORDED'), {
    description:
      'RECORDED: the points are available (or pending for the return window, see availableAt). PENDING_REVIEW: the purchase is recorded, ' +
      'its points are pending until an operator approves them (they then become available, or wait for the rest of the return window) or rejects them.',
  }),
  reviewReason: doc(z.optional(z.string()), { description: 'Why the purchase waits for review (PENDING_REVIEW only).' }),
  pointsWithheld: doc(z._default(z.number().check(z.int()), 0), {
    description: "Points the purchase would have earned beyond the member's or the store's daily cap; not credited (a `cap:daily` line in the breakdown).",
  }),
}), 'PurchaseResult');

/** The fields of a refund as the POS sends it (a batch's refunds add the purchaseId). */
export const refundFields = {
  refundId: idSchema,
  amountCents: z.optional(doc(z.number().check(z.int(), z.positive(), z.lte(10_000_000_000)), { description: 'Refund by amount: cents, spread over the lines. Send this or `lines`.' })),
  lines: z.optional(
    doc(
      z
        .array(z.strictObject({ sku: idSchema, quantity: z.number().check(z.int(), z.gte(1), z.lte(10_000)) }))
        .check(
          z.minLength(1, 'a refund by line names at least one line'),
          z.maxLength(500),
          z.refine((lines) => new Set(lines.map((l) => l.sku)).size === lines.length, { message: 'name each sku once, with the units returned' }),
        ),
      { description: 'Refund by line: the skus returned and how many units of each. Send this or `amountCents`.' },
    ),
  ),
};

/** A refund names its lines or an amount, never both. */
export const oneRefundKind = z.refine<{ amountCents?: number | undefined; lines?: readonly unknown[] | undefined }>((b) => (b.amountCents === undefined) !== (b.lines === undefined), {
  message: 'send either amountCents (a refund by amount) or lines (the items returned), not both and not neither',
});

export const refundBodySchema = doc(z.strictObject(refundFields).check(oneRefundKind), 'RefundRequest');


/** The POS operations (function `earning`); the operators' earning routes are in earning-admin.ts. */
export const earningOperations = {
  recordPurchase: operation({
    summary: 'POS reports a purchase; the member earns points (idempotent by purchaseId)',
    description:
      'Bounded by the posLimits of the earning rules: a purchase over maxPurchaseAmountCents or maxPurchasePoints answers 422 ' +
      "PURCHASE_LIMIT_EXCEEDED and writes nothing; points beyond the member's or the store's daily cap are withheld (pointsWithheld); " +
      'a purchase above a review threshold answers status PENDING_REVIEW with its points pending until an operator decides. ' +
      'The POS acts for its own store only: `storeId` must be the store its app client is bound to (else 403 FORBIDDEN).',
    tags: ['pos'],
    body: purchaseBodySchema,
    response: purchaseResultSchema,
    status: 201,
    errors: ['FORBIDDEN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'PURCHASE_LIMIT_EXCEEDED'],
  }),
  refundPurchase: operation({
    summary: 'POS reports a refund, by the lines returned or by an amount; the points those lines earned come back (idempotent by refundId)',
    description:
      'Name the returned items in `lines` (`sku` and `quantity`: they are refunded at what was paid for them, the last unit of a line ' +
      'taking what is left on it) or an `amountCents` (spread over the lines in proportion to what is still refundable on each). ' +
      'The points taken back are exactly what the refunded lines earned (base and bands, category and tier multipliers, the campaign ' +
      'points of the line), each line in proportion to the share of it refunded so far; a purchase refunded in full gives back exactly ' +
      'what it earned, whatever the order of its refunds, and the campaigns\' points that come back return to their budgets. ' +
      'More units of a sku than are left answers 409 ALREADY_REFUNDED; a sku not on the purchase, or more cents than are left, 400. ' +
      'Inside the return window the refunded share is cancelled from the pending points of the purchase (`pendingPointsCancelled`). ' +
      'After it, if the member has already spent the points, what is available is clawed back and the rest is answered as ' +
      '`shortfallPoints` with its cash value `shortfallCents`, which the cashier withholds from the cash refund. ' +
      'Only the store that recorded the purchase refunds it (else 403 FORBIDDEN).',
    tags: ['pos'],
    params: z.object({ purchaseId: idSchema }),
    body: refundBodySchema,
    response: doc(z.object({
      purchaseId: z.string(),
      refundId: z.string(),
      amountCents: doc(z.number().check(z.int()), { description: 'What this refund returned, in cents.' }),
      lines: doc(
        z.array(z.object({ sku: z.string(), quantity: z.number().check(z.int()), amountCents: z.number().check(z.int()), points: z.number().check(z.int()) })),
        { description: 'The purchase lines this refund touched: units returned (0 for a refund by amount), cents, and the points that came back with them.' },
      ),
      pointsClawedBack: doc(z.number().check(z.int()), { description: 'Points taken from the available balance (refunds after the return window).' }),
      pendingPointsCancelled: doc(z._default(z.number().check(z.int()), 0), { description: 'Pending points cancelled (refunds inside the return window); available points are not touched then.' }),
      shortfallPoints: z.number().check(z.int()),
      shortfallCents: z.number().check(z.int()),
      refundedCents: doc(z.number().check(z.int()), { description: 'Refunded so far, this refund included.' }),
    }), 'RefundResult'),
    status: 201,
    errors: ['FORBIDDEN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'ALREADY_REFUNDED', 'ALREADY_VOIDED'],
  }),
  voidPurchase: operation({
    summary: 'POS voids a purchase recorded in error, on the day it was recorded: it is undone as if it never happened (Idempotency-Key required)',
    description:
      'Unlike a refund, a void leaves no refund trail: the purchase counts nothing in the reports. In one transaction it cancels the ' +
      "purchase's pending points (return window, `pointsVoided`) or takes back its available points (`pointsClawedBack`), only if the " +
      "member's available balance still covers all of them; takes out the growth it added, each campaign's budget, purchases, sales and " +
      "member cap, the daily-cap counters, the first-purchase referral bonus it paid (if the referrer still has it), and marks the purchase VOIDED. " +
      'Only the store that recorded the purchase voids it (else 403 FORBIDDEN); only on the programme-local day it was recorded ' +
      '(`recordedAt`). 409 VOID_NOT_ALLOWED, with `reason`, when it cannot be undone whole: points spent (`points-spent`, ' +
      '`referral-bonus-spent`), a refund already made (`refunded`), held for review (`under-review`), rejected on review ' +
      '(`rejected`), another day (`other-day`): record a refund instead. 409 ALREADY_VOIDED once voided (the same Idempotency-Key ' +
      'and body replay the first answer).',
    tags: ['pos'],
    params: z.object({ purchaseId: idSchema }),
    body: doc(
      z.strictObject({
        reason: doc(z.string().check(z.trim(), z.minLength(1, 'give a reason: it is kept with the void and in the audit log'), z.maxLength(500)), {
          description: 'Why the purchase was recorded in error (1-500 characters); kept on the purchase and in the audit log.',
        }),
      }),
      'PurchaseVoidRequest',
    ),
    response: doc(z.object({
      purchaseId: z.string(),
      memberId: z.string(),
      storeId: z.string(),
      status: z.literal('VOIDED'),
      voidedAt: z.string(),
      reason: z.string(),
      amountCents: doc(z.number().check(z.int()), { description: 'The amount of the voided purchase (no longer counted anywhere).' }),
      pointsVoided: doc(z.number().check(z.int()), { description: 'Pending points cancelled (inside the return window).' }),
      pointsClawedBack: doc(z.number().check(z.int()), { description: 'Available points taken back (all the purchase earned, or the void is refused).' }),
      referralPointsClawedBack: doc(z.number().check(z.int()), { description: "The first-purchase referral bonus taken back from the referrer (0 if the purchase paid none)." }),
    }), 'PurchaseVoidResult'),
    status: 201,
    idempotency: 'required',
    errors: ['FORBIDDEN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED', 'ALREADY_VOIDED', 'VOID_NOT_ALLOWED'],
  }),
  recordTopUp: operation({
    summary: 'POS reports a stored-value top-up; the member earns points (idempotent by topUpId); recorded with the POS\'s store',
    tags: ['pos'],
    body: doc(z.strictObject({ topUpId: idSchema, memberId: idSchema, amountCents: z.number().check(z.int(), z.positive(), z.lte(10_000_000_000)) }), 'TopUpRequest'),
    response: doc(z.object({ topUpId: z.string(), memberId: z.string(), pointsEarned: z.number().check(z.int()) }), 'TopUpResult'),
    status: 201,
    errors: ['FORBIDDEN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'PURCHASE_LIMIT_EXCEEDED'],
  }),
  redeemAtCheckout: operation({
    summary: 'POS spends points as cash at checkout, at the points value, with the member\'s payment code (idempotent by redemptionId)',
    description:
      "Needs the member at the till: `paymentCode` is the member's single-use code from POST /v1/me/payment-codes, scanned from the app. " +
      'The code is consumed in the same transaction as the points, so one code spends once. An unknown code, or one of another member, ' +
      'answers 403 PAYMENT_CODE_INVALID; a used one 409 PAYMENT_CODE_USED; an expired one 409 PAYMENT_CODE_EXPIRED; nothing is spent. ' +
      'The same redemptionId and body replays the first answer.',
    tags: ['pos'],
    body: doc(z.strictObject({ redemptionId: idSchema, memberId: idSchema, points: z.number().check(z.int(), z.positive(), z.lte(100_000_000)), paymentCode: paymentCodeSchema }), 'RedemptionRequest'),
    response: doc(z.object({ redemptionId: z.string(), memberId: z.string(), points: z.number().check(z.int()), valueCents: z.number().check(z.int()) }), 'RedemptionResult'),
    status: 201,
    errors: ['FORBIDDEN', 'NOT_FOUND', 'INSUFFICIENT_POINTS', 'PAYMENT_CODE_INVALID', 'PAYMENT_CODE_USED', 'PAYMENT_CODE_EXPIRED', 'IDEMPOTENCY_KEY_REUSED'],
  }),
};
