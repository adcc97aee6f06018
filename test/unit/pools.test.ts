import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activityShares, shardSlices } from '../../shared/domain/pools.js';

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

describe('pool counter shards', () => {
  it('splits each share over the shards, the extra points continuing round the ring from one activity to the next', () => {
    // Prepare: shares 34, 33, 33 of a budget of 100
    const shares = activityShares(100, ['a', 'b', 'c'].map((activity) => ({ activity, weight: 1 })));

    // Act
    const slices = shardSlices(shares, 4);

    // Assess: a 34 = 9+9+8+8 (extra points on shards 0, 1), b 33 = 8+8+9+8 (on shard 2, where a's stopped), c 33 = 8+8+8+9 (on 3)
    expect(slices.map((s) => s.shares)).toEqual([
      { a: 9, b: 8, c: 8 },
      { a: 9, b: 8, c: 8 },
      { a: 8, b: 9, c: 8 },
      { a: 8, b: 8, c: 9 },
    ]);
    expect(slices.map((s) => s.budgetPoints)).toEqual([25, 25, 25, 25]);
  });

  it('keeps one shard, the whole budget and shares, for a pool of one shard', () => {
    // Act
    const [only, ...none] = shardSlices(activityShares(1_000, [{ activity: 'sign-in', weight: 1 }, { activity: 'share', weight: 3 }]), 1);

    // Assess
    expect(none).toEqual([]);
    expect(only).toEqual({ budgetPoints: 1_000, shares: { 'sign-in': 250, share: 750 } });
  });

  it('refuses a shard count below one', () => {
    expect(() => shardSlices(activityShares(10, [{ activity: 'a', weight: 1 }]), 0)).toThrow(/at least one counter shard/);
  });

  it('always sums to the budget and to every share, with budget slices within one point of each other', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 32 }),
        (budget, weights, shards) => {
          // Prepare
          const shares = activityShares(budget, weights.map((weight, i) => ({ activity: `a${i}`, weight })));

          // Act
          const slices = shardSlices(shares, shards);

          // Assess
          expect(slices).toHaveLength(shards);
          expect(slices.reduce((sum, s) => sum + s.budgetPoints, 0)).toBe(budget);
          for (const share of shares) {
            const perShard = slices.map((s) => s.shares[share.activity] ?? -1);
            expect(perShard.reduce((sum, p) => sum + p, 0)).toBe(share.sharePoints);
            expect(Math.max(...perShard) - Math.min(...perShard)).toBeLessThanOrEqual(1);
          }
          for (const s of slices) expect(s.budgetPoints).toBe(Object.values(s.shares).reduce((sum, p) => sum + p, 0));
          const budgets = slices.map((s) => s.budgetPoints);
          expect(Math.max(...budgets) - Math.min(...budgets)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
