import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema, paymentCodeSchema } from './common.js';
import { operation } from './operation.js';
import { defaultTierRules, paidTiers, tiers } from '../domain/tiers.js';
import { defaultReferralRules } from '../domain/referrals.js';
import { defaultPosLimits } from '../domain/pos-limits.js';
import { campaignInputSchema } from './campaigns.js';
import { DEFAULT_MAX_PURCHASE_AGE_DAYS, MAX_PURCHASE_AGE_DAYS } from './limits.js';

/** Longest return window the rules accept, in days. */
export const MAX_RETURN_WINDOW_DAYS = 90;

const fourDecimals = (what: string) =>
  z.number().check(z.gte(0, `${what} must not be negative`), z.lte(1000, `${what} must be at most 1000`), z.refine((v) => Math.round(v * 10_000) / 10_000 === v, `${what} has at most 4 decimals`));

export const expiryPolicySchema = doc(z.discriminatedUnion('policy', [
  z.object({
    policy: z.literal('rolling-months'),
    months: doc(z.number().check(z.int(), z.gte(1), z.lte(120)), { description: 'Points expire at the end of the month N months after earning.' }),
  }),
  z.object({
    policy: z.literal('year-end'),
    extraYears: doc(z.number().check(z.int(), z.gte(0), z.lte(5)), { description: '0: cleared at the end of the year earned; 1: of the following year.' }),
  }),
  z.object({ policy: z.literal('never') }),
  z.object({
    policy: z.literal('inactivity'),
    months: doc(z.number().check(z.int(), z.gte(1), z.lte(120)), {
      description: 'All points of a wallet expire once it has had no earning or spending for this many whole calendar months (UTC).',
    }),
  }),
]), 'ExpiryPolicy');

const pointsAmount = (what: string) =>
  z.number().check(z.int(`${what} must be a whole number of points`), z.gte(0, `${what} must not be negative`), z.lte(1_000_000, `${what} must be at most 1,000,000`));

export const referralRulesSchema = doc(z._default(z.strictObject({
  ladder: doc(z.array(z.strictObject({ fromReferral: z.number().check(z.int(), z.gte(1)), points: pointsAmount('points') })).check(z.minLength(1, 'give at least one rung'), z.maxLength(20), z.refine((l) => l[0]?.fromReferral === 1, 'the first rung must start at fromReferral 1'), z.refine((l) => l.every((r, i) => i === 0 || r.fromReferral > (l[i - 1]?.fromReferral ?? 0)), 'rungs must be in increasing fromReferral order')), { description: 'Points the referrer earns for the nth referral: the last rung whose fromReferral <= n.' }),
  refereeWelcomePoints: doc(pointsAmount('refereeWelcomePoints'), { description: 'Points a member registering with a referral code gets.' }),
  firstPurchaseReferrerPoints: doc(pointsAmount('firstPurchaseReferrerPoints'), {
    description: "Points the referrer gets on the referred member's first POS purchase (0 = off).",
  }),
  maxRewardedReferrals: doc(z.nullable(z.number().check(z.int(), z.positive())), { description: 'Referrals past this number earn the referrer nothing (null = no limit).' }),
}), defaultReferralRules), 'ReferralRules');

const perPaidTier = <T extends z.ZodMiniType>(schema: T) =>
  z.strictObject(Object.fromEntries(paidTiers.map((t) => [t, schema])) as Record<(typeof paidTiers)[number], T>);

export const tierRulesSchema = doc(z._default(z.strictObject({
  thresholds: doc(perPaidTier(z.number().check(z.int(), z.gte(0), z.lte(1_000_000_000))).check(z.refine((t) => t.silver < t.gold && t.gold < t.diamond, 'thresholds must increase: silver < gold < diamond')), { description: 'Growth a tier needs. Growth = whole CNY spent + growthPerPurchase per purchase, this and last calendar year.' }),
  growthPerPurchase: z._default(z.number().check(z.int(), z.gte(0), z.lte(100_000)), 0),
  upgradePrices: doc(perPaidTier(z.nullable(z.number().check(z.int(), z.positive(), z.lte(100_000_000)))), {
    description: 'Points that buy each tier from the tier directly below it (POST /v1/me/tier-upgrades); null = not for sale.',
  }),
  birthdayBonus: doc(z.strictObject(Object.fromEntries(tiers.map((t) => [t, pointsAmount(`${t} birthday bonus`)])) as Record<(typeof tiers)[number], ReturnType<typeof pointsAmount>>), { description: "Points credited once a year on the member's birthday, by tier." }),
}), defaultTierRules), 'TierRules');

/** Largest amount of one purchase line, in cents (10,000,000 CNY): 500 lines of it still add up exactly in a double. */
export const MAX_LINE_AMOUNT_CENTS = 1_000_000_000;

const limitOf = (what: string, max: number) =>
  z.number().check(z.int(`${what} must be a whole number`), z.positive(`${what} must be positive`), z.lte(max, `${what} must be at most ${max.toLocaleString('en')}`));

/** Every field has its default, so an operator can send only the limits they change. */
export const posLimitsSchema = doc(z._default(z.strictObject({
  maxPurchaseAmountCents: doc(z._default(limitOf('maxPurchaseAmountCents', MAX_LINE_AMOUNT_CENTS), defaultPosLimits.maxPurchaseAmountCents), {
    description: 'A purchase whose lines add up to more is refused with 422 PURCHASE_LIMIT_EXCEEDED and nothing is written (default 10,000,000 = 100,000 CNY).',
  }),
  maxPurchasePoints: doc(z._default(limitOf('maxPurchasePoints', 100_000_000), defaultPosLimits.maxPurchasePoints), {
    description:
      'A purchase that would earn more points is refused with 422 PURCHASE_LIMIT_EXCEEDED and nothing is written (default 1,000,000). ' +
      'Unlike maxPointsPerPurchase, which lowers what a purchase earns, this refuses the report.',
  }),
  dailyPointsPerMember: doc(z._default(z.nullable(limitOf('dailyPointsPerMember', 10_000_000_000)), defaultPosLimits.dailyPointsPerMember), {
    description: 'Points one member can earn through POS purchases in one programme day; beyond it the purchase is recorded and the points over the cap withheld (null = no cap).',
  }),
  dailyPointsPerStore: doc(z._default(z.nullable(limitOf('dailyPointsPerStore', 10_000_000_000)), defaultPosLimits.dailyPointsPerStore), {
    description: 'Points one store can issue through POS purchases in one programme day; beyond it the purchase is recorded and the points over the cap withheld (null = no cap).',
  }),
  reviewAbovePoints: doc(z._default(z.nullable(limitOf('reviewAbovePoints', 100_000_000)), defaultPosLimits.reviewAbovePoints), {
    description: 'A purchase earning more points waits for an operator (status PENDING_REVIEW; its points pending until approved). null = never by points.',
  }),
  reviewAboveAmountCents: doc(z._default(z.nullable(limitOf('reviewAboveAmountCents', MAX_LINE_AMOUNT_CENTS)), defaultPosLimits.reviewAboveAmountCents), {
    description: 'A purchase of a larger amount waits for an operator (status PENDING_REVIEW). null = never by amount.',
  }),
  maxPurchaseAgeDays: doc(z._default(z.number().check(z.int('maxPurchaseAgeDays must be a whole number of days'), z.gte(1, 'maxPurchaseAgeDays must be at least 1'), z.lte(MAX_PURCHASE_AGE_DAYS, `maxPurchaseAgeDays must be at most ${MAX_PURCHASE_AGE_DAYS}`)), DEFAULT_MAX_PURCHASE_AGE_DAYS), {
    description:
      `Offline batches (POST /v1/pos/purchase-batches): a purchase paid more than this many days (of 24 hours) before the batch is processed is refused on its line with 422 PURCHASE_LIMIT_EXCEEDED (1-${MAX_PURCHASE_AGE_DAYS}, default ${DEFAULT_MAX_PURCHASE_AGE_DAYS}). ` +
      'Purchases sent one by one (POST /v1/pos/purchases) are not bound by it.',
  }),
}), defaultPosLimits), 'PosLimits');

export const earningRulesBodySchema = doc(z.strictObject({
  bands: doc(z.array(
    z.strictObject({
      overYuan: z.number().check(z.gte(0), z.lte(100_000_000), z.refine((v) => Math.round(v * 100) / 100 === v, 'overYuan has at most 2 decimals (a cent)')),
      rate: fourDecimals('rate'),
    }),
  ).check(z.minLength(1, 'give at least one band'), z.maxLength(20), z.refine((b) => b[0]?.overYuan === 0, 'the first band must start at overYuan 0'), z.refine((b) => b.every((band, i) => i === 0 || band.overYuan > (b[i - 1]?.overYuan ?? 0)), 'bands must be in increasing overYuan order')), { description: 'Points per CNY by spend band; a band applies to spend above overYuan.' }),
  bandMode: z._default(z.enum(['whole', 'marginal']), 'whole'),
  categoryMultipliers: z._default(z.record(z.string().check(z.minLength(1), z.maxLength(40)), fourDecimals('category multiplier')), {}),
  tierMultipliers: z.strictObject(Object.fromEntries(tiers.map((t) => [t, fourDecimals(`${t} multiplier`)])) as Record<(typeof tiers)[number], ReturnType<typeof fourDecimals>>),
  stacking: z._default(z.enum(['multiply', 'highest', 'add']), 'multiply'),
  rounding: z._default(z.strictObject({ mode: z.enum(['floor', 'round', 'ceil']), scope: z.enum(['purchase', 'line']) }), { mode: 'floor', scope: 'purchase' }),
  maxPointsPerPurchase: z._default(z.nullable(z.number().check(z.int(), z.positive())), null),
  pointsPerYuan: doc(z.number().check(z.int(), z.gte(1), z.lte(100_000)), { description: 'Points value: how many points are worth 1 CNY (default 100).' }),
  topUpRatePerYuan: doc(fourDecimals('top-up rate'), { description: 'Points per CNY of stored value topped up.' }),
  expiry: expiryPolicySchema,
  reminderDays: z._default(z.number().check(z.int(), z.gte(0), z.lte(365)), 30),
  returnWindowDays: doc(z._default(z.number().check(z.int('returnWindowDays must be a whole number of days'), z.gte(0, 'returnWindowDays must not be negative'), z.lte(MAX_RETURN_WINDOW_DAYS, `returnWindowDays must be at most ${MAX_RETURN_WINDOW_DAYS}`)), 0), {
    description:
      'The return window: points a POS purchase earns stay pending this many days (from paidAt) before they become available; ' +
      'a refund inside the window cancels them. 0 (default) = available at once.',
  }),
  referrals: referralRulesSchema,
  tiers: tierRulesSchema,
  posLimits: posLimitsSchema,
}), 'EarningRulesInput');

export const earningRulesSchema = doc(docExtend(earningRulesBodySchema, {
  version: doc(z.number().check(z.int()), { description: 'Increases with every change; send it back as expectedVersion.' }),
  updatedAt: z.string(),
  updatedBy: z.string(),
}), 'EarningRules');

const purchaseLineSchema = z.strictObject({
  sku: idSchema,
  category: z.string().check(z.minLength(1), z.maxLength(40)),
  amountCents: doc(z.number().check(z.int(), z.gte(0), z.lte(MAX_LINE_AMOUNT_CENTS)), { description: 'Paid for the line (all units), in cents; at most 10,000,000 CNY.' }),
  quantity: z.number().check(z.int(), z.gte(1), z.lte(10_000)),
});

const breakdownSchema = z.array(z.object({ rule: z.string(), description: z.string(), points: z.number().check(z.int()) }));

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

export const reviewStatuses = ['PENDING', 'APPROVED', 'REJECTED'] as const;

export const purchaseReviewSchema = doc(z.object({
  purchaseId: z.string(),
  memberId: z.string(),
  storeId: z.string(),
  paidAt: z.string(),
  recordedAt: z.string(),
  amountCents: z.number().check(z.int()),
  refundedCents: z.number().check(z.int()),
  pointsEarned: doc(z.number().check(z.int()), { description: 'What the purchase earned; pending while under review (refunds cancel their share).' }),
  reviewStatus: z.enum(reviewStatuses),
  reviewReason: doc(z.string(), { description: 'Why the purchase was held for review.' }),
  decidedBy: doc(z.optional(z.string()), { description: "The operator's subject who approved or rejected it." }),
  decidedAt: z.optional(z.string()),
  decisionReason: z.optional(z.string()),
  pointsReleased: doc(z.optional(z.number().check(z.int())), {
    description: 'Approved: points made available at once (0 while the return window still runs: they then vest with it).',
  }),
  pointsVoided: doc(z.optional(z.number().check(z.int())), { description: 'Rejected: pending points cancelled.' }),
}), 'PurchaseReview');

export const earningOperations = {
  getEarningRules: operation({
    summary: 'The earning rules in force (operator)',
    tags: ['earning'],
    response: earningRulesSchema,
  }),
  listEarningRuleVersions: operation({
    summary: 'Every saved version of the earning rules, newest first (operator): the history a diff is taken against',
    tags: ['earning'],
    query: pageQuerySchema,
    response: doc(pageOf(earningRulesSchema), 'EarningRulesVersionPage'),
  }),
  putEarningRules: operation({
    summary: 'Replace the earning rules (operator); takes effect without a deploy, versioned',
    description: 'Send `expectedVersion` (the version you read) to refuse the change if someone else changed the rules meanwhile.',
    tags: ['earning'],
    body: doc(docExtend(earningRulesBodySchema, { expectedVersion: z.number().check(z.int(), z.gte(0), z.lte(MAX_VERSION, MAX_VERSION_MESSAGE)) }), 'EarningRulesUpdate'),
    response: earningRulesSchema,
    errors: ['CONFLICT'],
  }),
  previewEarning: operation({
    summary: 'What a purchase would earn now or at a given time, with the breakdown; also under an unsaved change of the rules or an unsaved campaign (operator)',
    description:
      'Writes nothing; campaign budgets, per-member caps and daily caps are not checked. With `draftRules` and/or `draftCampaign` the answer ' +
      'also has `current` (the rules and campaigns in force, the same figures as the top-level `points` and `breakdown`) and `draft` ' +
      '(the draft rules in place of the rules in force, the draft campaign beside the campaigns running at `at`).',
    tags: ['earning'],
    body: doc(z.strictObject({
      tier: z._default(z.enum(tiers), 'normal'),
      memberId: doc(z.optional(idSchema), { description: 'Use this member (tier, audience) instead of `tier`.' }),
      at: z.optional(z.iso.datetime()),
      lines: z.array(purchaseLineSchema).check(z.minLength(1), z.maxLength(500)),
      draftRules: doc(z.optional(earningRulesBodySchema), {
        description: 'An unsaved earning-rules document, whole, as PUT /v1/admin/earning-rules takes it (without expectedVersion).',
      }),
      draftCampaign: doc(z.optional(campaignInputSchema), {
        description: 'An unsaved campaign, as POST /v1/admin/campaigns takes it; it counts when it runs at `at` and its audience includes the member.',
      }),
    }), 'EarningPreviewRequest'),
    response: doc(z.object({
      points: z.number().check(z.int()),
      breakdown: breakdownSchema,
      rulesVersion: z.number().check(z.int()),
      at: z.string(),
      current: doc(z.optional(z.object({ points: z.number().check(z.int()), breakdown: breakdownSchema })), { description: 'With a draft: what the purchase earns under the rules and campaigns in force.' }),
      draft: doc(z.optional(z.object({
        points: z.number().check(z.int()),
        breakdown: doc(breakdownSchema, { description: 'The draft campaign is the line `campaign:draft`.' }),
        differencePoints: doc(z.number().check(z.int()), { description: 'draft.points - current.points.' }),
        draftCampaignApplies: doc(z.optional(z.boolean()), { description: 'With a draft campaign: whether it runs at `at` for this member.' }),
      })), { description: 'With a draft: what the purchase would earn with it.' }),
    }), 'EarningPreview'),
    errors: ['NOT_FOUND'],
  }),
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
  listPurchaseReviews: operation({
    summary: 'POS purchases waiting for review, oldest first (operator)',
    description: 'Purchases above the review threshold of the earning rules (posLimits). Their points are pending until approved or rejected.',
    tags: ['pos'],
    query: pageQuerySchema,
    response: doc(pageOf(purchaseReviewSchema), 'PurchaseReviewPage'),
  }),
  approvePurchaseReview: operation({
    summary: "Approve a purchase's points (operator); once only, a repeat answers the decision",
    description:
      'Points become available at once, or, while the return window of the purchase still runs, stay pending until it ends. ' +
      'One transaction with the ledger move and the decision (operator, time, reason). 409 CONFLICT if the purchase was rejected.',
    tags: ['pos'],
    params: z.object({ purchaseId: idSchema }),
    body: doc(z.strictObject({ reason: z.optional(z.string().check(z.trim(), z.maxLength(500))) }), 'PurchaseApproval'),
    response: purchaseReviewSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  rejectPurchaseReview: operation({
    summary: "Reject a purchase's points (operator); once only, a repeat answers the decision",
    description: 'The pending points are cancelled (VOID) in one transaction with the decision. 409 CONFLICT if the purchase was approved.',
    tags: ['pos'],
    params: z.object({ purchaseId: idSchema }),
    body: doc(z.strictObject({ reason: z.string().check(z.trim(), z.minLength(3, 'give a reason of at least 3 characters: it is kept with the decision'), z.maxLength(500)) }), 'PurchaseRejection'),
    response: purchaseReviewSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
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
