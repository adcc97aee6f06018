import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, pageOf, pageQuerySchema, memberIdParams } from './common.js';
import { operation } from './operation.js';

const cents = (what: string) =>
  z.number().check(z.int(`${what} is whole fen (1 CNY = 100)`), z.positive(`${what} must be positive`), z.lte(100_000_000));
const isoTime = (what: string) => z.iso.datetime({ message: `${what} must be an ISO-8601 UTC time such as 2026-12-12T12:00:00Z` });

const discountSchema = doc(z.discriminatedUnion('kind', [
  z.strictObject({
    kind: doc(z.literal('AMOUNT_OFF'), { description: '满减: amountOffCents off an order of at least thresholdCents.' }),
    amountOffCents: cents('amountOffCents'),
    thresholdCents: cents('thresholdCents'),
  }).check(z.refine((d) => d.thresholdCents >= d.amountOffCents, {
    path: ['thresholdCents'],
    message: 'thresholdCents must be at least amountOffCents (use NO_THRESHOLD for a coupon without one)',
  })),
  z.strictObject({
    kind: doc(z.literal('PERCENT_OFF'), { description: '折扣: percent off the order, rounded down to the cent, at most maxOffCents.' }),
    percent: doc(z.number().check(z.int('percent is a whole number'), z.gte(1), z.lte(99)), { description: 'Percentage taken off: 20 takes 20% off (八折).' }),
    maxOffCents: z._default(z.nullable(cents('maxOffCents')), null),
    thresholdCents: z._default(z.number().check(z.int(), z.gte(0), z.lte(100_000_000)), 0),
  }),
  z.strictObject({
    kind: doc(z.literal('NO_THRESHOLD'), { description: '无门槛: amountOffCents off any order (never more than the order).' }),
    amountOffCents: cents('amountOffCents'),
  }),
]), 'CouponDiscount');

const validitySchema = doc(z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('DAYS_AFTER_ISSUE'),
    days: doc(z.number().check(z.int('days is a whole number'), z.gte(1), z.lte(3660)), { description: 'Valid from issue for this many days.' }),
  }),
  z.strictObject({ kind: z.literal('WINDOW'), from: isoTime('from'), to: isoTime('to') }).check(z.refine((v) => Date.parse(v.to) > Date.parse(v.from), { path: ['to'], message: 'to must be after from' })),
]), 'CouponValidity');

export const couponTemplateInputSchema = doc(z.strictObject({
  couponTemplateId: doc(z.optional(idSchema), { description: 'Your id for the template; generated when left out.' }),
  name: z.string().check(z.trim(), z.minLength(2, 'give the coupon a name of at least 2 characters'), z.maxLength(200)),
  description: z._default(z.string().check(z.maxLength(2000)), ''),
  discount: discountSchema,
  validity: validitySchema,
  issueLimit: doc(z._default(z.nullable(z.number().check(z.int(), z.positive(), z.lte(100_000_000))), null), { description: 'Coupons that may ever be issued from the template (held atomically); null: no limit.' }),
}), 'CouponTemplateInput');

const discountViewSchema = z.object({
  kind: z.enum(['AMOUNT_OFF', 'PERCENT_OFF', 'NO_THRESHOLD']),
  amountOffCents: z.optional(z.number().check(z.int())),
  thresholdCents: z.optional(z.number().check(z.int())),
  percent: z.optional(z.number().check(z.int())),
  maxOffCents: z.optional(z.nullable(z.number().check(z.int()))),
});

const validityViewSchema = z.object({
  kind: z.enum(['DAYS_AFTER_ISSUE', 'WINDOW']),
  days: z.optional(z.number().check(z.int())),
  from: z.optional(z.string()),
  to: z.optional(z.string()),
});

export const couponTemplateSchema = doc(z.object({
  couponTemplateId: z.string(),
  name: z.string(),
  description: z.string(),
  discount: discountViewSchema,
  validity: validityViewSchema,
  issueLimit: z.nullable(z.number().check(z.int())),
  issued: doc(z.number().check(z.int()), { description: 'Coupons issued from the template so far.' }),
  used: doc(z.number().check(z.int()), { description: 'Of those, consumed at a POS.' }),
  createdAt: z.string(),
}), 'CouponTemplate');

export const couponStatuses = ['ACTIVE', 'USED', 'EXPIRED'] as const;

export const couponSchema = doc(z.object({
  couponId: z.string(),
  couponTemplateId: z.string(),
  name: z.string(),
  discount: discountViewSchema,
  validFrom: z.string(),
  validTo: doc(z.string(), { description: 'The coupon is EXPIRED from this time on.' }),
  status: doc(z.enum(couponStatuses), { description: 'EXPIRED is derived: an unused coupon past validTo.' }),
  issuedAt: z.string(),
  orderId: doc(z.nullable(z.string()), { description: 'The mall order that issued the coupon.' }),
  usedAt: z.nullable(z.string()),
  redemptionId: doc(z.nullable(z.string()), { description: 'The POS redemption that consumed it.' }),
}), 'Coupon');

export const couponRedemptionInputSchema = doc(z.strictObject({
  redemptionId: idSchema,
  memberId: idSchema,
  orderAmountCents: z.number().check(z.int('orderAmountCents is whole fen'), z.positive('orderAmountCents must be positive'), z.lte(100_000_000_000)),
}), 'CouponRedemptionRequest');

export const couponRedemptionSchema = doc(z.object({
  redemptionId: z.string(),
  couponId: z.string(),
  memberId: z.string(),
  orderAmountCents: z.number().check(z.int()),
  discountCents: z.number().check(z.int()),
  payableCents: doc(z.number().check(z.int()), { description: 'orderAmountCents minus discountCents.' }),
  usedAt: z.string(),
}), 'CouponRedemption');

const couponListQuerySchema = docExtend(pageQuerySchema, { status: z.optional(z.enum(couponStatuses)) });
const couponPageSchema = doc(pageOf(couponSchema), 'CouponPage');

export const couponOperations = {
  createCouponTemplate: operation({
    summary: 'Create a coupon template: amount off over a threshold, percentage, or no threshold; validity; issue limit (operator)',
    tags: ['coupons admin'],
    body: couponTemplateInputSchema,
    response: couponTemplateSchema,
    status: 201,
    errors: ['CONFLICT'],
  }),
  listCouponTemplates: operation({
    summary: 'Every coupon template, newest first, with its issued and used counts (operator)',
    tags: ['coupons admin'],
    query: pageQuerySchema,
    response: doc(pageOf(couponTemplateSchema), 'CouponTemplatePage'),
  }),
  getCouponTemplate: operation({
    summary: 'A coupon template with its issued and used counts (operator)',
    tags: ['coupons admin'],
    params: z.object({ couponTemplateId: idSchema }),
    response: couponTemplateSchema,
    errors: ['NOT_FOUND'],
  }),
  listMyCoupons: operation({
    summary: 'My coupons, newest first, optionally only ACTIVE, USED or EXPIRED ones',
    tags: ['members'],
    query: couponListQuerySchema,
    response: couponPageSchema,
  }),
  listMemberCoupons: operation({
    summary: "A member's coupons, newest first, optionally only ACTIVE, USED or EXPIRED ones (operator)",
    description: 'The same list as GET /v1/me/coupons answers the member, for the member in the path.',
    tags: ['admin'],
    params: memberIdParams,
    query: couponListQuerySchema,
    response: couponPageSchema,
    errors: ['NOT_FOUND'],
  }),
  redeemCoupon: operation({
    summary: "POS consumes a member's coupon at checkout, once, and answers the discount (idempotent by redemptionId)",
    description:
      'Checks owner, validity window and threshold, computes the discount (percentages rounded down to the cent, capped) and marks the ' +
      'coupon USED with one conditional write. The same redemptionId replays the first answer; another redemptionId on a used coupon ' +
      'answers 409 ALREADY_COMPLETED. A coupon of another member is 404. The use is recorded with the POS\'s store; an unknown or ' +
      'suspended store is refused (403 FORBIDDEN).',
    tags: ['pos'],
    params: z.object({ couponId: idSchema }),
    body: couponRedemptionInputSchema,
    response: couponRedemptionSchema,
    status: 201,
    errors: ['FORBIDDEN', 'NOT_FOUND', 'ALREADY_COMPLETED', 'COUPON_NOT_VALID', 'THRESHOLD_NOT_MET', 'IDEMPOTENCY_KEY_REUSED'],
  }),
};
