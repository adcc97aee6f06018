/**
 * The earning rules' document (what PUT /v1/admin/earning-rules takes and
 * GET answers). Apart from earning.ts so the POS path's function, which
 * reads stored rules but never validates a document, does not carry them.
 */
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { defaultTierRules, paidTiers, tiers } from '../domain/tiers.js';
import { defaultReferralRules } from '../domain/referrals.js';
import { defaultPosLimits } from '../domain/pos-limits.js';
import { DEFAULT_MAX_PURCHASE_AGE_DAYS, MAX_PURCHASE_AGE_DAYS } from './limits.js';
import { MAX_LINE_AMOUNT_CENTS } from './purchase-lines.js';

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

