import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activityShares } from '../../shared/domain/pools.js';

describe('pool activity shares', () => {
  it('splits the budget by weight: sign-in 50%, share 30%, games 20%', () => {
    // Act
    const shares = activityShares(10_000, [
      { activity: 'sign-in', weight: 50 },
      { activity: 'share', weight: 30 },
      { activity: 'games', weight: 20, dailyCapPerMember: 30 },
    ]);

    // Assess
    expect(shares).toEqual([
      { activity: 'sign-in', weight: 50, sharePoints: 5_000, dailyCapPerMember: null },
      { activity: 'share', weight: 30, sharePoints: 3_000, dailyCapPerMember: null },
      { activity: 'games', weight: 20, sharePoints: 2_000, dailyCapPerMember: 30 },
    ]);
  });

  it('gives the points left by rounding to the largest remainders, earlier activity first on a tie', () => {
    // Act: 100 / 3 = 33.33 each
    const thirds = activityShares(100, ['a', 'b', 'c'].map((activity) => ({ activity, weight: 1 })));
    // 10 x 2/3 = 6.67 and 10 x 1/3 = 3.33
    const twoToOne = activityShares(10, [{ activity: 'small', weight: 1 }, { activity: 'large', weight: 2 }]);

    // Assess
    expect(thirds.map((s) => s.sharePoints)).toEqual([34, 33, 33]);
    expect(twoToOne.map((s) => s.sharePoints)).toEqual([3, 7]);
  });

  it('always sums to the budget and keeps each share within one point of the exact one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 20 }), (budget, weights) => {
        // Act
        const shares = activityShares(budget, weights.map((weight, i) => ({ activity: `a${i}`, weight })));

        // Assess
        const total = weights.reduce((s, w) => s + w, 0);
        expect(shares.reduce((s, a) => s + a.sharePoints, 0)).toBe(budget);
        shares.forEach((share, i) => expect(Math.abs(share.sharePoints - (budget * (weights[i] ?? 0)) / total)).toBeLessThan(1));
      }),
    );
  });
});
