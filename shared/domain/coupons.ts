/**
 * Coupon rules, pure: what a coupon takes off an order, whether it applies,
 * and when an issued coupon is valid. No I/O: unit tests drive these directly.
 */

export const couponKinds = ['AMOUNT_OFF', 'PERCENT_OFF', 'NO_THRESHOLD'] as const;
export type CouponKind = (typeof couponKinds)[number];

/** The discount part of a coupon template, copied onto every coupon issued from it. */
export type CouponDiscount =
  | { readonly kind: 'AMOUNT_OFF'; readonly amountOffCents: number; readonly thresholdCents: number }
  | { readonly kind: 'PERCENT_OFF'; readonly percent: number; readonly maxOffCents: number | null; readonly thresholdCents: number }
  | { readonly kind: 'NO_THRESHOLD'; readonly amountOffCents: number };

export type CouponValidity =
  | { readonly kind: 'DAYS_AFTER_ISSUE'; readonly days: number }
  | { readonly kind: 'WINDOW'; readonly from: string; readonly to: string };

/** The order amount a coupon needs before it applies (0: none). */
export function thresholdOf(discount: CouponDiscount): number {
  return discount.kind === 'NO_THRESHOLD' ? 0 : discount.thresholdCents;
}

/**
 * What a coupon takes off an order of `orderAmountCents`: amount-off coupons
 * their amount, percentage coupons the percentage rounded down to the cent and
 * capped at `maxOffCents`; never more than the order itself.
 */
export function discountCents(discount: CouponDiscount, orderAmountCents: number): number {
  const raw =
    discount.kind === 'PERCENT_OFF'
      ? Math.min(Math.floor((orderAmountCents * discount.percent) / 100), discount.maxOffCents ?? Number.POSITIVE_INFINITY)
      : discount.amountOffCents;
  return Math.max(0, Math.min(raw, orderAmountCents));
}

/** The validity window of a coupon issued at `issuedAt`. */
export function validityWindow(validity: CouponValidity, issuedAt: Date): { validFrom: string; validTo: string } {
  if (validity.kind === 'WINDOW') return { validFrom: validity.from, validTo: validity.to };
  return { validFrom: issuedAt.toISOString(), validTo: new Date(issuedAt.getTime() + validity.days * 86_400_000).toISOString() };
}

export type CouponStatus = 'ACTIVE' | 'USED' | 'EXPIRED';

/** A coupon's status at `now`: USED once consumed, EXPIRED from `validTo` on (derived, never stored). */
export function statusAt(coupon: { readonly status: 'ACTIVE' | 'USED'; readonly validTo: string }, now: Date): CouponStatus {
  if (coupon.status === 'USED') return 'USED';
  return now.getTime() >= Date.parse(coupon.validTo) ? 'EXPIRED' : 'ACTIVE';
}

/** Why a coupon cannot be used on an order at `now`, if it cannot. */
export function couponProblem(
  coupon: { readonly status: 'ACTIVE' | 'USED'; readonly validFrom: string; readonly validTo: string; readonly discount: CouponDiscount },
  orderAmountCents: number,
  now: Date,
): { code: 'ALREADY_COMPLETED' | 'COUPON_NOT_VALID' | 'THRESHOLD_NOT_MET'; message: string } | undefined {
  if (coupon.status === 'USED') return { code: 'ALREADY_COMPLETED', message: 'the coupon has already been used' };
  if (now.getTime() < Date.parse(coupon.validFrom)) return { code: 'COUPON_NOT_VALID', message: `the coupon is valid from ${coupon.validFrom}` };
  if (now.getTime() >= Date.parse(coupon.validTo)) return { code: 'COUPON_NOT_VALID', message: `the coupon expired at ${coupon.validTo}` };
  const threshold = thresholdOf(coupon.discount);
  if (orderAmountCents < threshold) {
    return {
      code: 'THRESHOLD_NOT_MET',
      message: `the coupon needs an order of at least ${threshold} cents; this order is ${orderAmountCents} cents (${threshold - orderAmountCents} short)`,
    };
  }
  return undefined;
}

/** Shows only the last 4 characters of a code (operators see orders, never members' codes). */
export function maskCode(code: string): string {
  const visible = code.slice(-4);
  return `${'*'.repeat(Math.max(4, code.length - visible.length))}${visible}`;
}
