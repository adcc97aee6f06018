import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { couponProblem, discountCents, maskCode, statusAt, validityWindow } from '../../shared/domain/coupons.js';

describe('coupon discounts', () => {
  it('takes the amount off an order over the threshold, never more than the order', () => {
    expect(discountCents({ kind: 'AMOUNT_OFF', amountOffCents: 2000, thresholdCents: 10000 }, 12345)).toBe(2000);
    expect(discountCents({ kind: 'NO_THRESHOLD', amountOffCents: 500 }, 300)).toBe(300);
  });

  it('rounds a percentage down to the cent and caps it', () => {
    expect(discountCents({ kind: 'PERCENT_OFF', percent: 15, maxOffCents: null, thresholdCents: 0 }, 999)).toBe(149);
    expect(discountCents({ kind: 'PERCENT_OFF', percent: 15, maxOffCents: 1000, thresholdCents: 0 }, 100_000)).toBe(1000);
  });

  it('never takes more than the order nor less than nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: null }), fc.integer({ min: 1, max: 10_000_000 }), (percent, maxOffCents, order) => {
        const off = discountCents({ kind: 'PERCENT_OFF', percent, maxOffCents, thresholdCents: 0 }, order);
        expect(off).toBeGreaterThanOrEqual(0);
        expect(off).toBeLessThanOrEqual(order);
        expect(off).toBeLessThanOrEqual((order * percent) / 100);
        if (maxOffCents !== null) expect(off).toBeLessThanOrEqual(maxOffCents);
      }),
    );
  });
});

describe('coupon validity', () => {
  const issued = new Date('2026-03-01T10:00:00Z');
  const coupon = { status: 'ACTIVE' as const, ...validityWindow({ kind: 'DAYS_AFTER_ISSUE', days: 7 }, issued), discount: { kind: 'AMOUNT_OFF' as const, amountOffCents: 100, thresholdCents: 1000 } };

  it('runs N days from issue, and is EXPIRED from validTo on', () => {
    expect(coupon.validTo).toBe('2026-03-08T10:00:00.000Z');
    expect(statusAt(coupon, new Date('2026-03-08T09:59:59Z'))).toBe('ACTIVE');
    expect(statusAt(coupon, new Date('2026-03-08T10:00:00Z'))).toBe('EXPIRED');
    expect(statusAt({ ...coupon, status: 'USED' }, new Date('2027-01-01T00:00:00Z'))).toBe('USED');
  });

  it('names why a coupon does not apply', () => {
    expect(couponProblem(coupon, 999, issued)?.code).toBe('THRESHOLD_NOT_MET');
    expect(couponProblem(coupon, 1000, issued)).toBeUndefined();
    expect(couponProblem(coupon, 1000, new Date('2026-04-01T00:00:00Z'))?.code).toBe('COUPON_NOT_VALID');
    expect(couponProblem(coupon, 1000, new Date('2026-02-01T00:00:00Z'))?.code).toBe('COUPON_NOT_VALID');
    expect(couponProblem({ ...coupon, status: 'USED' }, 1000, issued)?.code).toBe('ALREADY_COMPLETED');
  });
});

describe('code masking', () => {
  it('shows only the last 4 characters', () => {
    expect(maskCode('TOPUP-ABCDEF-1234')).toBe('*************1234');
    expect(maskCode('ABCDEF')).toBe('****CDEF');
  });
});
