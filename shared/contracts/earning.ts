import './zod-openapi.js';
import * as z from 'zod';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema, paymentCodeSchema } from './common.js';
import { operation } from './operation.js';
import { defaultTierRules, paidTiers, tiers } from '../domain/tiers.js';
import { defaultReferralRules } from '../domain/referrals.js';
import { defaultPosLimits } from '../domain/pos-limits.js';
import { campaignInputSchema } from './campaigns.js';

/** Longest return window the rules accept, in days. */
export const MAX_RETURN_WINDOW_DAYS = 90;

const fourDecimals = (what: string) =>
  z
    .number()
    .min(0, `${what} must not be negative`)
    .max(1000, `${what} must be at most 1000`)
    // Exact: k / 10000 is the double JSON gives for a 4-decimal text. A tolerance let 5e-324 through as "0", which
    // DynamoDB cannot store (its numbers stop at 1e-130): the rules' save answered 500.
    .refine((v) => Math.round(v * 10_000) / 10_000 === v, `${what} has at most 4 decimals`);

export const expiryPolicySchema = z
  .discriminatedUnion('policy', [
    z.object({
      policy: z.literal('rolling-months'),
      months: z.number().int().min(1).max(120).openapi({ description: 'Points expire at the end of the month N months after earning.' }),
    }),
    z.object({
      policy: z.literal('year-end'),
      extraYears: z.number().int().min(0).max(5).openapi({ description: '0: cleared at the end of the year earned; 1: of the following year.' }),
    }),
    z.object({ policy: z.literal('never') }),
    z.object({
      policy: z.literal('inactivity'),
      months: z.number().int().min(1).max(120).openapi({
        description: 'All points of a wallet expire once it has had no earning or spending for this many whole calendar months (UTC).',
      }),
    }),
  ])
  .openapi('ExpiryPolicy');

const pointsAmount = (what: string) =>
  z.number().int(`${what} must be a whole number of points`).min(0, `${what} must not be negative`).max(1_000_000, `${what} must be at most 1,000,000`);

export const referralRulesSchema = z
  .object({
    ladder: z
      .array(z.object({ fromReferral: z.number().int().min(1), points: pointsAmount('points') }).strict())
      .min(1, 'give at least one rung')
      .max(20)
      .refine((l) => l[0]?.fromReferral === 1, 'the first rung must start at fromReferral 1')
      .refine((l) => l.every((r, i) => i === 0 || r.fromReferral > (l[i - 1]?.fromReferral ?? 0)), 'rungs must be in increasing fromReferral order')
      .openapi({ description: 'Points the referrer earns for the nth referral: the last rung whose fromReferral <= n.' }),
    refereeWelcomePoints: pointsAmount('refereeWelcomePoints').openapi({ description: 'Points a member registering with a referral code gets.' }),
    firstPurchaseReferrerPoints: pointsAmount('firstPurchaseReferrerPoints').openapi({
      description: "Points the referrer gets on the referred member's first POS purchase (0 = off).",
    }),
    maxRewardedReferrals: z.number().int().positive().nullable().openapi({ description: 'Referrals past this number earn the referrer nothing (null = no limit).' }),
  })
  .strict()
  .default(defaultReferralRules)
  .openapi('ReferralRules');

const perPaidTier = <T extends z.ZodType>(schema: T) =>
  z.object(Object.fromEntries(paidTiers.map((t) => [t, schema])) as Record<(typeof paidTiers)[number], T>).strict();

export const tierRulesSchema = z
  .object({
    thresholds: perPaidTier(z.number().int().min(0).max(1_000_000_000))
      .refine((t) => t.silver < t.gold && t.gold < t.diamond, 'thresholds must increase: silver < gold < diamond')
      .openapi({ description: 'Growth a tier needs. Growth = whole CNY spent + growthPerPurchase per purchase, this and last calendar year.' }),
    growthPerPurchase: z.number().int().min(0).max(100_000).default(0),
    upgradePrices: perPaidTier(z.number().int().positive().max(100_000_000).nullable()).openapi({
      description: 'Points that buy each tier from the tier directly below it (POST /v1/me/tier-upgrades); null = not for sale.',
    }),
    birthdayBonus: z
      .object(Object.fromEntries(tiers.map((t) => [t, pointsAmount(`${t} birthday bonus`)])) as Record<(typeof tiers)[number], ReturnType<typeof pointsAmount>>)
      .strict()
      .openapi({ description: "Points credited once a year on the member's birthday, by tier." }),
  })
  .strict()
  .default(defaultTierRules)
  .openapi('TierRules');

/** Largest amount of one purchase line, in cents (10,000,000 CNY): 500 lines of it still add up exactly in a double. */
export const MAX_LINE_AMOUNT_CENTS = 1_000_000_000;

const limitOf = (what: string, max: number) =>
  z.number().int(`${what} must be a whole number`).positive(`${what} must be positive`).max(max, `${what} must be at most ${max.toLocaleString('en')}`);

/** Every field has its default, so an operator can send only the limits they change. */
export const posLimitsSchema = z
  .object({
    maxPurchaseAmountCents: limitOf('maxPurchaseAmountCents', MAX_LINE_AMOUNT_CENTS).default(defaultPosLimits.maxPurchaseAmountCents).openapi({
      description: 'A purchase whose lines add up to more is refused with 422 PURCHASE_LIMIT_EXCEEDED and nothing is written (default 10,000,000 = 100,000 CNY).',
    }),
    maxPurchasePoints: limitOf('maxPurchasePoints', 100_000_000).default(defaultPosLimits.maxPurchasePoints).openapi({
      description:
        'A purchase that would earn more points is refused with 422 PURCHASE_LIMIT_EXCEEDED and nothing is written (default 1,000,000). ' +
        'Unlike maxPointsPerPurchase, which lowers what a purchase earns, this refuses the report.',
    }),
    dailyPointsPerMember: limitOf('dailyPointsPerMember', 10_000_000_000).nullable().default(defaultPosLimits.dailyPointsPerMember).openapi({
      description: 'Points one member can earn through POS purchases in one programme day; beyond it the purchase is recorded and the points over the cap withheld (null = no cap).',
    }),
    dailyPointsPerStore: limitOf('dailyPointsPerStore', 10_000_000_000).nullable().default(defaultPosLimits.dailyPointsPerStore).openapi({
      description: 'Points one store can issue through POS purchases in one programme day; beyond it the purchase is recorded and the points over the cap withheld (null = no cap).',
    }),
    reviewAbovePoints: limitOf('reviewAbovePoints', 100_000_000).nullable().default(defaultPosLimits.reviewAbovePoints).openapi({
      description: 'A purchase earning more points waits for an operator (status PENDING_REVIEW; its points pending until approved). null = never by points.',
    }),
    reviewAboveAmountCents: limitOf('reviewAboveAmountCents', MAX_LINE_AMOUNT_CENTS).nullable().default(defaultPosLimits.reviewAboveAmountCents).openapi({
      description: 'A purchase of a larger amount waits for an operator (status PENDING_REVIEW). null = never by amount.',
    }),
  })
  .strict()
  .default(defaultPosLimits)
  .openapi('PosLimits');

export const earningRulesBodySchema = z
  .object({
    bands: z
      .array(
        z
          .object({
            overYuan: z
              .number()
              .min(0)
              .max(100_000_000)
              // Whole cents, for the same reason as fourDecimals: 5e-324 passed min(0) and failed the save with a 500.
              .refine((v) => Math.round(v * 100) / 100 === v, 'overYuan has at most 2 decimals (a cent)'),
            rate: fourDecimals('rate'),
          })
          .strict(),
      )
      .min(1, 'give at least one band')
      .max(20)
      .refine((b) => b[0]?.overYuan === 0, 'the first band must start at overYuan 0')
      .refine((b) => b.every((band, i) => i === 0 || band.overYuan > (b[i - 1]?.overYuan ?? 0)), 'bands must be in increasing overYuan order')
      .openapi({ description: 'Points per CNY by spend band; a band applies to spend above overYuan.' }),
    bandMode: z.enum(['whole', 'marginal']).default('whole'),
    categoryMultipliers: z.record(z.string().min(1).max(40), fourDecimals('category multiplier')).default({}),
    tierMultipliers: z
      .object(Object.fromEntries(tiers.map((t) => [t, fourDecimals(`${t} multiplier`)])) as Record<(typeof tiers)[number], ReturnType<typeof fourDecimals>>)
      .strict(),
    stacking: z.enum(['multiply', 'highest', 'add']).default('multiply'),
    rounding: z.object({ mode: z.enum(['floor', 'round', 'ceil']), scope: z.enum(['purchase', 'line']) }).strict().default({ mode: 'floor', scope: 'purchase' }),
    maxPointsPerPurchase: z.number().int().positive().nullable().default(null),
    pointsPerYuan: z.number().int().min(1).max(100_000).openapi({ description: 'Points value: how many points are worth 1 CNY (default 100).' }),
    topUpRatePerYuan: fourDecimals('top-up rate').openapi({ description: 'Points per CNY of stored value topped up.' }),
    expiry: expiryPolicySchema,
    reminderDays: z.number().int().min(0).max(365).default(30),
    returnWindowDays: z
      .number()
      .int('returnWindowDays must be a whole number of days')
      .min(0, 'returnWindowDays must not be negative')
      .max(MAX_RETURN_WINDOW_DAYS, `returnWindowDays must be at most ${MAX_RETURN_WINDOW_DAYS}`)
      .default(0)
      .openapi({
        description:
          'The return window: points a POS purchase earns stay pending this many days (from paidAt) before they become available; ' +
          'a refund inside the window cancels them. 0 (default) = available at once.',
      }),
    referrals: referralRulesSchema,
    tiers: tierRulesSchema,
    posLimits: posLimitsSchema,
  })
  .strict()
  .openapi('EarningRulesInput');

export const earningRulesSchema = earningRulesBodySchema
  .extend({
    version: z.number().int().openapi({ description: 'Increases with every change; send it back as expectedVersion.' }),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('EarningRules');

const purchaseLineSchema = z
  .object({
    sku: idSchema,
    category: z.string().min(1).max(40),
    amountCents: z.number().int().min(0).max(MAX_LINE_AMOUNT_CENTS).openapi({ description: 'Paid for the line (all units), in cents; at most 10,000,000 CNY.' }),
    quantity: z.number().int().min(1).max(10_000),
  })
  .strict();

const breakdownSchema = z.array(z.object({ rule: z.string(), description: z.string(), points: z.number().int() }));

export const purchaseBodySchema = z
  .object({
    purchaseId: idSchema,
    memberId: idSchema,
    storeId: idSchema,
    paidAt: z.iso.datetime({ message: 'paidAt must be an ISO-8601 UTC time' }),
    lines: z.array(purchaseLineSchema).min(1, 'a purchase has at least one line').max(500),
  })
  .strict()
  .openapi('PurchaseRequest');

export const purchaseResultSchema = z
  .object({
    purchaseId: z.string(),
    memberId: z.string(),
    pointsEarned: z.number().int(),
    // Defaults: answers stored before pending points existed are replayed without these fields.
    pointsPending: z.number().int().default(0).openapi({
      description: 'Of pointsEarned, the points locked until the return window ends (0 when the rules have no window).',
    }),
    availableAt: z.string().nullable().default(null).openapi({ description: 'When the pending points become available; null when nothing is pending.' }),
    breakdown: breakdownSchema,
    rulesVersion: z.number().int(),
    // Defaults: answers stored before reviews existed are replayed without these fields.
    status: z.enum(['RECORDED', 'PENDING_REVIEW']).default('RECORDED').openapi({
      description:
        'RECORDED: the points are available (or pending for the return window, see availableAt). PENDING_REVIEW: the purchase is recorded, ' +
        'its points are pending until an operator approves them (they then become available, or wait for the rest of the return window) or rejects them.',
    }),
    reviewReason: z.string().optional().openapi({ description: 'Why the purchase waits for review (PENDING_REVIEW only).' }),
    pointsWithheld: z.number().int().default(0).openapi({
      description: "Points the purchase would have earned beyond the member's or the store's daily cap; not credited (a `cap:daily` line in the breakdown).",
    }),
  })
  .openapi('PurchaseResult');

export const reviewStatuses = ['PENDING', 'APPROVED', 'REJECTED'] as const;

export const purchaseReviewSchema = z
  .object({
    purchaseId: z.string(),
    memberId: z.string(),
    storeId: z.string(),
    paidAt: z.string(),
    recordedAt: z.string(),
    amountCents: z.number().int(),
    refundedCents: z.number().int(),
    pointsEarned: z.number().int().openapi({ description: 'What the purchase earned; pending while under review (refunds cancel their share).' }),
    reviewStatus: z.enum(reviewStatuses),
    reviewReason: z.string().openapi({ description: 'Why the purchase was held for review.' }),
    decidedBy: z.string().optional().openapi({ description: "The operator's subject who approved or rejected it." }),
    decidedAt: z.string().optional(),
    decisionReason: z.string().optional(),
    pointsReleased: z.number().int().optional().openapi({
      description: 'Approved: points made available at once (0 while the return window still runs: they then vest with it).',
    }),
    pointsVoided: z.number().int().optional().openapi({ description: 'Rejected: pending points cancelled.' }),
  })
  .openapi('PurchaseReview');

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
    response: pageOf(earningRulesSchema).openapi('EarningRulesVersionPage'),
  }),
  putEarningRules: operation({
    summary: 'Replace the earning rules (operator); takes effect without a deploy, versioned',
    description: 'Send `expectedVersion` (the version you read) to refuse the change if someone else changed the rules meanwhile.',
    tags: ['earning'],
    body: earningRulesBodySchema.extend({ expectedVersion: z.number().int().min(0).max(MAX_VERSION, MAX_VERSION_MESSAGE) }).openapi('EarningRulesUpdate'),
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
    body: z
      .object({
        tier: z.enum(tiers).default('normal'),
        memberId: idSchema.optional().openapi({ description: 'Use this member (tier, audience) instead of `tier`.' }),
        at: z.iso.datetime().optional(),
        lines: z.array(purchaseLineSchema).min(1).max(500),
        draftRules: earningRulesBodySchema.optional().openapi({
          description: 'An unsaved earning-rules document, whole, as PUT /v1/admin/earning-rules takes it (without expectedVersion).',
        }),
        draftCampaign: campaignInputSchema.optional().openapi({
          description: 'An unsaved campaign, as POST /v1/admin/campaigns takes it; it counts when it runs at `at` and its audience includes the member.',
        }),
      })
      .strict()
      .openapi('EarningPreviewRequest'),
    response: z
      .object({
        points: z.number().int(),
        breakdown: breakdownSchema,
        rulesVersion: z.number().int(),
        at: z.string(),
        current: z
          .object({ points: z.number().int(), breakdown: breakdownSchema })
          .optional()
          .openapi({ description: 'With a draft: what the purchase earns under the rules and campaigns in force.' }),
        draft: z
          .object({
            points: z.number().int(),
            breakdown: breakdownSchema.openapi({ description: 'The draft campaign is the line `campaign:draft`.' }),
            differencePoints: z.number().int().openapi({ description: 'draft.points - current.points.' }),
            draftCampaignApplies: z.boolean().optional().openapi({ description: 'With a draft campaign: whether it runs at `at` for this member.' }),
          })
          .optional()
          .openapi({ description: 'With a draft: what the purchase would earn with it.' }),
      })
      .openapi('EarningPreview'),
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
    summary: 'POS reports a (partial) refund; points are clawed back in proportion (idempotent by refundId)',
    description:
      'Inside the return window the refunded share is cancelled from the pending points of the purchase (`pendingPointsCancelled`). ' +
      'After it, if the member has already spent the points, what is available is clawed back and the rest is answered as ' +
      '`shortfallPoints` with its cash value `shortfallCents`, which the cashier withholds from the cash refund. ' +
      'Only the store that recorded the purchase refunds it (else 403 FORBIDDEN).',
    tags: ['pos'],
    params: z.object({ purchaseId: idSchema }),
    body: z.object({ refundId: idSchema, amountCents: z.number().int().positive().max(10_000_000_000) }).strict().openapi('RefundRequest'),
    response: z
      .object({
        purchaseId: z.string(),
        refundId: z.string(),
        pointsClawedBack: z.number().int().openapi({ description: 'Points taken from the available balance (refunds after the return window).' }),
        pendingPointsCancelled: z
          .number()
          .int()
          .default(0)
          .openapi({ description: 'Pending points cancelled (refunds inside the return window); available points are not touched then.' }),
        shortfallPoints: z.number().int(),
        shortfallCents: z.number().int(),
        refundedCents: z.number().int().openapi({ description: 'Refunded so far, this refund included.' }),
      })
      .openapi('RefundResult'),
    status: 201,
    errors: ['FORBIDDEN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED'],
  }),
  listPurchaseReviews: operation({
    summary: 'POS purchases waiting for review, oldest first (operator)',
    description: 'Purchases above the review threshold of the earning rules (posLimits). Their points are pending until approved or rejected.',
    tags: ['pos'],
    query: pageQuerySchema,
    response: pageOf(purchaseReviewSchema).openapi('PurchaseReviewPage'),
  }),
  approvePurchaseReview: operation({
    summary: "Approve a purchase's points (operator); once only, a repeat answers the decision",
    description:
      'Points become available at once, or, while the return window of the purchase still runs, stay pending until it ends. ' +
      'One transaction with the ledger move and the decision (operator, time, reason). 409 CONFLICT if the purchase was rejected.',
    tags: ['pos'],
    params: z.object({ purchaseId: idSchema }),
    body: z.object({ reason: z.string().trim().max(500).optional() }).strict().openapi('PurchaseApproval'),
    response: purchaseReviewSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  rejectPurchaseReview: operation({
    summary: "Reject a purchase's points (operator); once only, a repeat answers the decision",
    description: 'The pending points are cancelled (VOID) in one transaction with the decision. 409 CONFLICT if the purchase was approved.',
    tags: ['pos'],
    params: z.object({ purchaseId: idSchema }),
    body: z.object({ reason: z.string().trim().min(3, 'give a reason of at least 3 characters: it is kept with the decision').max(500) }).strict().openapi('PurchaseRejection'),
    response: purchaseReviewSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  recordTopUp: operation({
    summary: 'POS reports a stored-value top-up; the member earns points (idempotent by topUpId); recorded with the POS\'s store',
    tags: ['pos'],
    body: z.object({ topUpId: idSchema, memberId: idSchema, amountCents: z.number().int().positive().max(10_000_000_000) }).strict().openapi('TopUpRequest'),
    response: z.object({ topUpId: z.string(), memberId: z.string(), pointsEarned: z.number().int() }).openapi('TopUpResult'),
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
    body: z
      .object({ redemptionId: idSchema, memberId: idSchema, points: z.number().int().positive().max(100_000_000), paymentCode: paymentCodeSchema })
      .strict()
      .openapi('RedemptionRequest'),
    response: z.object({ redemptionId: z.string(), memberId: z.string(), points: z.number().int(), valueCents: z.number().int() }).openapi('RedemptionResult'),
    status: 201,
    errors: ['FORBIDDEN', 'NOT_FOUND', 'INSUFFICIENT_POINTS', 'PAYMENT_CODE_INVALID', 'PAYMENT_CODE_USED', 'PAYMENT_CODE_EXPIRED', 'IDEMPOTENCY_KEY_REUSED'],
  }),
};
