import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calculateEarning, type EarningRulesCore, type PurchaseLine } from '../../shared/domain/earning.js';
import { campaignAwardsAfterCut, capDay, defaultPosLimits, purchaseLimitViolation, reviewReason, type PosLimits } from '../../shared/domain/pos-limits.js';
import { posLimitsSchema } from '../../shared/contracts/earning-rules.js';
import { purchaseBodySchema } from '../../shared/contracts/earning.js';
import { defaultEarningRules } from '../../shared/earning/rules-store.js';

const limits: PosLimits = { ...defaultPosLimits };

describe('per-purchase limits', () => {
  it('lets a purchase at exactly the limits through', () => {
    // Act
    const violation = purchaseLimitViolation(limits, { amountCents: 10_000_000, points: 1_000_000 });

    // Assess
    expect(violation).toBeUndefined();
  });

  it('refuses an amount one cent over the limit', () => {
    // Act
    const violation = purchaseLimitViolation(limits, { amountCents: 10_000_001, points: 1 });

    // Assess
    expect(violation).toEqual({ limit: 'maxPurchaseAmountCents', allowed: 10_000_000, requested: 10_000_001 });
  });

  it('refuses points one over the limit', () => {
    // Act
    const violation = purchaseLimitViolation(limits, { amountCents: 100, points: 1_000_001 });

    // Assess
    expect(violation).toMatchObject({ limit: 'maxPurchasePoints', allowed: 1_000_000 });
  });

  it('refuses the 500 lines at the schema maxima, whose sum and points stay exact integers', () => {
    // Prepare: the largest body the schema accepts, earning under the most generous multipliers
    const body = purchaseBodySchema.parse({
      purchaseId: 'p',
      memberId: 'm',
      storeId: 's',
      paidAt: '2026-12-01T00:00:00Z',
      lines: Array.from({ length: 500 }, (_, i) => ({ sku: `s${i}`, category: 'B', amountCents: 1_000_000_000, quantity: 10_000 })),
    });
    const rules: EarningRulesCore = { ...defaultEarningRules, categoryMultipliers: { B: 1000 }, tierMultipliers: { normal: 1000, silver: 1, gold: 1, diamond: 1 } };

    // Act
    const amountCents = body.lines.reduce((sum, l) => sum + l.amountCents, 0);
    const earning = calculateEarning({ rules, tier: 'normal', lines: body.lines as PurchaseLine[] });
    const violation = purchaseLimitViolation(limits, { amountCents, points: earning.points });

    // Assess
    expect(Number.isSafeInteger(amountCents)).toBe(true);
    expect(violation).toMatchObject({ limit: 'maxPurchaseAmountCents', requested: 500_000_000_000 });
  });

  it('refuses a line over 10,000,000 CNY at the schema', () => {
    // Act
    const parsed = purchaseBodySchema.safeParse({
      purchaseId: 'p',
      memberId: 'm',
      storeId: 's',
      paidAt: '2026-12-01T00:00:00Z',
      lines: [{ sku: 's', category: 'A', amountCents: 1_000_000_001, quantity: 1 }],
    });

    // Assess
    expect(parsed.success).toBe(false);
  });

  it('compares points beyond the safe integer range correctly', () => {
    // Act
    const violation = purchaseLimitViolation(limits, { amountCents: 1, points: 2 ** 60 });

    // Assess
    expect(violation?.limit).toBe('maxPurchasePoints');
  });
});

describe('posLimits in the earning rules', () => {
  it('fills the limits an operator leaves out with the defaults', () => {
    // Act
    const parsed = posLimitsSchema.parse({ reviewAbovePoints: null, dailyPointsPerStore: 5_000 });

    // Assess
    expect(parsed).toEqual({ ...defaultPosLimits, reviewAbovePoints: null, dailyPointsPerStore: 5_000 });
  });

  it('refuses a limit of zero or a fraction', () => {
    // Act
    const parsed = posLimitsSchema.safeParse({ maxPurchaseAmountCents: 0, maxPurchasePoints: 1.5 });

    // Assess
    expect(parsed.success).toBe(false);
  });
});

describe('review threshold', () => {
  it.each([
    { name: 'holds a purchase above the points threshold', points: 100_001, amountCents: 100, held: true },
    { name: 'lets a purchase at the points threshold through', points: 100_000, amountCents: 100, held: false },
    { name: 'holds a purchase above the amount threshold', points: 10, amountCents: 5_000_001, held: true },
    { name: 'never holds a purchase that earns nothing', points: 0, amountCents: 9_000_000, held: false },
  ])('$name', ({ points, amountCents, held }) => {
    // Act
    const reason = reviewReason(limits, { points, amountCents });

    // Assess
    expect(reason !== undefined).toBe(held);
  });

  it('holds nothing when both thresholds are off', () => {
    // Act
    const reason = reviewReason({ ...limits, reviewAbovePoints: null, reviewAboveAmountCents: null }, { points: 999_999, amountCents: 9_999_999 });

    // Assess
    expect(reason).toBeUndefined();
  });
});

describe('capDay', () => {
  it('counts a purchase on the programme-local day it is recorded (Asia/Shanghai)', () => {
    // Act
    const before = capDay(new Date('2026-12-03T15:59:59Z'), 'Asia/Shanghai');
    const after = capDay(new Date('2026-12-03T16:00:00Z'), 'Asia/Shanghai');

    // Assess
    expect([before, after]).toEqual(['2026-12-03', '2026-12-04']);
  });
});

describe('campaignAwardsAfterCut', () => {
  it('takes a cut from campaign points first, in order', () => {
    // Act
    const paid = campaignAwardsAfterCut(new Map([['a', 30], ['b', 50]]), 40);

    // Assess
    expect([...paid]).toEqual([['a', 0], ['b', 40]]);
  });

  it('never pays a campaign more than before nor less than zero', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1_000), { maxLength: 5 }), fc.nat(10_000), (points, withheld) => {
        const awards = new Map(points.map((p, i) => [`c${i}`, p]));
        const paid = campaignAwardsAfterCut(awards, withheld);
        const before = points.reduce((s, p) => s + p, 0);
        const after = [...paid.values()].reduce((s, p) => s + p, 0);
        expect([...paid.values()].every((p, i) => p >= 0 && p <= (points[i] ?? 0))).toBe(true);
        expect(after).toBe(Math.max(0, before - withheld));
      }),
    );
  });
});
