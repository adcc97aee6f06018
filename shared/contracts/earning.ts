import { idSchema, z } from './common.js';
import { operation } from './operation.js';
import { defaultTierRules, paidTiers, tiers } from '../domain/tiers.js';
import { defaultReferralRules } from '../domain/referrals.js';

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
    amountCents: z.number().int().min(0).max(10_000_000_000),
    quantity: z.number().int().min(1).max(100_000),
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
  })
  .openapi('PurchaseResult');

export const earningOperations = {
  getEarningRules: operation({
    summary: 'The earning rules in force (operator)',
    tags: ['earning'],
    response: earningRulesSchema,
  }),
  putEarningRules: operation({
    summary: 'Replace the earning rules (operator); takes effect without a deploy, versioned',
    description: 'Send `expectedVersion` (the version you read) to refuse the change if someone else changed the rules meanwhile.',
    tags: ['earning'],
    body: earningRulesBodySchema.extend({ expectedVersion: z.number().int().min(0) }).openapi('EarningRulesUpdate'),
    response: earningRulesSchema,
    errors: ['CONFLICT'],
  }),
  previewEarning: operation({
    summary: 'What a purchase would earn now or at a given time, with the breakdown (operator)',
    tags: ['earning'],
    body: z
      .object({
        tier: z.enum(tiers).default('normal'),
        memberId: idSchema.optional().openapi({ description: 'Use this member (tier, audience) instead of `tier`.' }),
        at: z.iso.datetime().optional(),
        lines: z.array(purchaseLineSchema).min(1).max(500),
      })
      .strict()
      .openapi('EarningPreviewRequest'),
    response: z
      .object({ points: z.number().int(), breakdown: breakdownSchema, rulesVersion: z.number().int(), at: z.string() })
      .openapi('EarningPreview'),
    errors: ['NOT_FOUND'],
  }),
  recordPurchase: operation({
    summary: 'POS reports a purchase; the member earns points (idempotent by purchaseId)',
    tags: ['pos'],
    body: purchaseBodySchema,
    response: purchaseResultSchema,
    status: 201,
    errors: ['NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED'],
  }),
  refundPurchase: operation({
    summary: 'POS reports a (partial) refund; points are clawed back in proportion (idempotent by refundId)',
    description:
      'Inside the return window the refunded share is cancelled from the pending points of the purchase (`pendingPointsCancelled`). ' +
      'After it, if the member has already spent the points, what is available is clawed back and the rest is answered as ' +
      '`shortfallPoints` with its cash value `shortfallCents`, which the cashier withholds from the cash refund.',
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
    errors: ['NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED'],
  }),
  recordTopUp: operation({
    summary: 'POS reports a stored-value top-up; the member earns points (idempotent by topUpId)',
    tags: ['pos'],
    body: z.object({ topUpId: idSchema, memberId: idSchema, amountCents: z.number().int().positive().max(10_000_000_000) }).strict().openapi('TopUpRequest'),
    response: z.object({ topUpId: z.string(), memberId: z.string(), pointsEarned: z.number().int() }).openapi('TopUpResult'),
    status: 201,
    errors: ['NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED'],
  }),
  redeemAtCheckout: operation({
    summary: 'POS spends points as cash at checkout, at the points value (idempotent by redemptionId)',
    tags: ['pos'],
    body: z.object({ redemptionId: idSchema, memberId: idSchema, points: z.number().int().positive().max(100_000_000) }).strict().openapi('RedemptionRequest'),
    response: z.object({ redemptionId: z.string(), memberId: z.string(), points: z.number().int(), valueCents: z.number().int() }).openapi('RedemptionResult'),
    status: 201,
    errors: ['NOT_FOUND', 'INSUFFICIENT_POINTS', 'IDEMPOTENCY_KEY_REUSED'],
  }),
};
