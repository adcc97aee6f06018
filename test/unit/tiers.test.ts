import { describe, expect, it } from 'vitest';
import { defaultTierRules, growthCountersOf, growthIn, lowerTier, tierBelow, tierForGrowth } from '../../shared/domain/tiers.js';

describe('growth', () => {
  const counters = growthCountersOf({
    'GS#2025': 60_050,
    'GS#2026': 45_060,
    'GS#2024': 999_999,
    'GN#2025': 3,
    'GN#2026': 2,
    'MS#2026-01': 45_060,
    tier: 'silver',
  });

  it('counts whole CNY spent this and last year, cents summed before flooring', () => {
    // Act / Assess: 600.50 + 450.60 = 1,051.10 CNY; 2024 is outside the window
    expect(growthIn(counters, '2026', 0)).toBe(1_051);
  });

  it('adds growth per purchase when the rules count frequency', () => {
    expect(growthIn(counters, '2026', 10)).toBe(1_051 + 5 * 10);
  });

  it('moves the window with the year', () => {
    expect(growthIn(counters, '2027', 0)).toBe(450);
    expect(growthIn(counters, '2028', 0)).toBe(0);
  });

  it('reads only the growth attributes of a profile item, monthly spend apart from yearly', () => {
    expect(counters).toEqual({
      spendCents: { '2024': 999_999, '2025': 60_050, '2026': 45_060 },
      purchases: { '2025': 3, '2026': 2 },
      monthlySpendCents: { '2026-01': 45_060 },
    });
  });
});

describe('tiers by growth', () => {
  it.each([
    [0, 'normal'],
    [999, 'normal'],
    [1_000, 'silver'],
    [4_999, 'silver'],
    [5_000, 'gold'],
    [20_000, 'diamond'],
    [1_000_000, 'diamond'],
  ] as const)('growth %i reaches %s with the default thresholds', (growth, tier) => {
    expect(tierForGrowth(growth, defaultTierRules.thresholds)).toBe(tier);
  });

  it('orders tiers for upgrades and reviews', () => {
    expect(lowerTier('gold', 'silver')).toBe('silver');
    expect(lowerTier('normal', 'diamond')).toBe('normal');
    expect(tierBelow('gold')).toBe('silver');
    expect(tierBelow('normal')).toBeUndefined();
  });
});
