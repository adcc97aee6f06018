import './zod-openapi.js';
import * as z from 'zod';
import { idSchema, pageOf, pageQuerySchema, memberIdParams } from './common.js';
import { operation } from './operation.js';

const cents = (what: string) =>
  z.number().int(`${what} is whole fen (1 CNY = 100)`).positive(`${what} must be positive`).max(100_000_000);
const isoTime = (what: string) => z.iso.datetime({ message: `${what} must be an ISO-8601 UTC time such as 2026-12-12T12:00:00Z` });

const discountSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('AMOUNT_OFF').openapi({ description: '满减: amountOffCents off an order of at least thresholdCents.' }),
        amountOffCents: cents('amountOffCents'),
        thresholdCents: cents('thresholdCents'),
      })
      .strict()
      .refine((d) => d.thresholdCents >= d.amountOffCents, {
        path: ['thresholdCents'],
        message: 'thresholdCents must be at least amountOffCents (use NO_THRESHOLD for a coupon without one)',
      }),
    z
      .object({
        kind: z.literal('PERCENT_OFF').openapi({ description: '折扣: percent off the order, rounded down to the cent, at most maxOffCents.' }),
        percent: z.number().int('percent is a whole number').min(1).max(99).openapi({ description: 'Percentage taken off: 20 takes 20% off (八折).' }),
        maxOffCents: cents('maxOffCents').nullable().default(null),
        thresholdCents: z.number().int().min(0).max(100_000_000).default(0),
      })
      .strict(),
    z
      .object({
        kind: z.literal('NO_THRESHOLD').openapi({ description: '无门槛: amountOffCents off any order (never more than the order).' }),
        amountOffCents: cents('amountOffCents'),
      })
      .strict(),
  ])
  .openapi('CouponDiscount');

const validitySchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('DAYS_AFTER_ISSUE'),
        days: z.number().int('days is a whole number').min(1).max(3660).openapi({ description: 'Valid from issue for this many days.' }),
      })
      .strict(),
    z
      .object({ kind: z.literal('WINDOW'), from: isoTime('from'), to: isoTime('to') })
      .strict()
      .refine((v) => Date.parse(v.to) > Date.parse(v.from), { path: ['to'], message: 'to must be after from' }),
  ])
  .openapi('CouponValidity');

export const couponTemplateInputSchema = z
  .object({
    couponTemplateId: idSchema.optional().openapi({ description: 'Your id for the template; generated when left out.' }),
    name: z.string().trim().min(2, 'give the coupon a name of at least 2 characters').max(200),
    description: z.string().max(2000).default(''),
    discount: discountSchema,
    validity: validitySchema,
    issueLimit: z
      .number()
      .int()
      .positive()
      .max(100_000_000)
      .nullable()
      .default(null)
      .openapi({ description: 'Coupons that may ever be issued from the template (held atomically); null: no limit.' }),
  })
  .strict()
  .openapi('CouponTemplateInput');

const discountViewSchema = z.object({
  kind: z.enum(['AMOUNT_OFF', 'PERCENT_OFF', 'NO_THRESHOLD']),
  amountOffCents: z.number().int().optional(),
  thresholdCents: z.number().int().optional(),
  percent: z.number().int().optional(),
  maxOffCents: z.number().int().nullable().optional(),
});

const validityViewSchema = z.object({
  kind: z.enum(['DAYS_AFTER_ISSUE', 'WINDOW']),
  days: z.number().int().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});

export const couponTemplateSchema = z
  .object({
    couponTemplateId: z.string(),
    name: z.string(),
    description: z.string(),
    discount: discountViewSchema,
    validity: validityViewSchema,
    issueLimit: z.number().int().nullable(),
    issued: z.number().int().openapi({ description: 'Coupons issued from the template so far.' }),
    used: z.number().int().openapi({ description: 'Of those, consumed at a POS.' }),
    createdAt: z.string(),
  })
  .openapi('CouponTemplate');

export const couponStatuses = ['ACTIVE', 'USED', 'EXPIRED'] as const;

export const couponSchema = z
  .object({
    couponId: z.string(),
    couponTemplateId: z.string(),
    name: z.string(),
    discount: discountViewSchema,
    validFrom: z.string(),
    validTo: z.string().openapi({ description: 'The coupon is EXPIRED from this time on.' }),
    status: z.enum(couponStatuses).openapi({ description: 'EXPIRED is derived: an unused coupon past validTo.' }),
    issuedAt: z.string(),
    orderId: z.string().nullable().openapi({ description: 'The mall order that issued the coupon.' }),
    usedAt: z.string().nullable(),
    redemptionId: z.string().nullable().openapi({ description: 'The POS redemption that consumed it.' }),
  })
  .openapi('Coupon');

export const couponRedemptionInputSchema = z
  .object({
    redemptionId: idSchema,
    memberId: idSchema,
    orderAmountCents: z.number().int('orderAmountCents is whole fen').positive('orderAmountCents must be positive').max(100_000_000_000),
  })
  .strict()
  .openapi('CouponRedemptionRequest');

export const couponRedemptionSchema = z
  .object({
    redemptionId: z.string(),
    couponId: z.string(),
    memberId: z.string(),
    orderAmountCents: z.number().int(),
    discountCents: z.number().int(),
    payableCents: z.number().int().openapi({ description: 'orderAmountCents minus discountCents.' }),
    usedAt: z.string(),
  })
  .openapi('CouponRedemption');

const couponListQuerySchema = pageQuerySchema.extend({ status: z.enum(couponStatuses).optional() });
const couponPageSchema = pageOf(couponSchema).openapi('CouponPage');

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
    response: pageOf(couponTemplateSchema).openapi('CouponTemplatePage'),
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
