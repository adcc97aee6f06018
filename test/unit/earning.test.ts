import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calculateEarning,
  cashValueCents,
  type ApplicableCampaign,
  type EarningRulesCore,
  type PurchaseLine,
} from '../../shared/domain/earning.js';
import type { Tier } from '../../shared/domain/tiers.js';

/** The source documents' worked examples as rules. */
const rules: EarningRulesCore = {
  bands: [
    { overYuan: 0, rate: 1 },
    { overYuan: 1000, rate: 1.5 },
    { overYuan: 5000, rate: 2 },
  ],
  bandMode: 'whole',
  categoryMultipliers: { A: 1, B: 2 },
  tierMultipliers: { normal: 1, silver: 1, gold: 1.5, diamond: 2 },
  stacking: 'multiply',
  rounding: { mode: 'floor', scope: 'purchase' },
  maxPointsPerPurchase: null,
};

const line = (yuan: number, category = 'A', sku = 'sku-1'): PurchaseLine => ({
  sku,
  category,
  amountCents: Math.round(yuan * 100),
  quantity: 1,
});

const double: ApplicableCampaign = { campaignId: 'weekend', name: 'Weekend double points', effect: { kind: 'multiplier', multiplier: 2 } };
const bonus: ApplicableCampaign = { campaignId: 'bonus50', name: 'Holiday bonus', effect: { kind: 'bonus', points: 50, minSpendCents: 10_000 } };

describe('earning calculator: worked examples', () => {
  it.each<{ name: string; tier?: Tier; lines: PurchaseLine[]; overrides?: Partial<EarningRulesCore>; campaigns?: ApplicableCampaign[]; points: number }>([
    { name: '500 CNY in band 1 earns 1 per CNY', lines: [line(500)], points: 500 },
    { name: '1,000.00 CNY is still band 1', lines: [line(1000)], points: 1000 },
    { name: '1,000.01 CNY earns 1.5 on all of it (whole bands), floored', lines: [line(1000.01)], points: 1500 },
    { name: '3,000 CNY earns 1.5 per CNY (whole bands)', lines: [line(3000)], points: 4500 },
    { name: '3,000 CNY earns 1,000 + 2,000 x 1.5 (marginal bands)', lines: [line(3000)], overrides: { bandMode: 'marginal' }, points: 4000 },
    { name: '6,000 CNY marginal: 1,000 + 4,000 x 1.5 + 1,000 x 2', lines: [line(6000)], overrides: { bandMode: 'marginal' }, points: 9000 },
    { name: 'category B earns 2 per CNY', lines: [line(100, 'B')], points: 200 },
    { name: 'a mixed basket: A at 1, B at 2', lines: [line(100, 'A'), line(50, 'B')], points: 200 },
    { name: 'a gold member earns 1.5 per CNY', tier: 'gold', lines: [line(100)], points: 150 },
    { name: 'a silver member earns 1 per CNY', tier: 'silver', lines: [line(100)], points: 100 },
    { name: 'gold x category B multiply: 100 x 2 x 1.5', tier: 'gold', lines: [line(100, 'B')], points: 300 },
    { name: 'gold x category B highest wins: 100 x 2', tier: 'gold', lines: [line(100, 'B')], overrides: { stacking: 'highest' }, points: 200 },
    { name: 'gold x category B add: 100 x (1 + 1 + 0.5)', tier: 'gold', lines: [line(100, 'B')], overrides: { stacking: 'add' }, points: 250 },
    { name: 'double points on a gold purchase: 100 x 1.5 x 2', tier: 'gold', lines: [line(100)], campaigns: [double], points: 300 },
    { name: 'double points targeted at category B only', lines: [line(100, 'A'), line(100, 'B')], campaigns: [{ ...double, targets: { categories: ['B'] } }], points: 100 + 400 },
    { name: 'a bonus below its minimum spend adds nothing', lines: [line(99.99)], campaigns: [bonus], points: 99 },
    { name: 'a bonus at its minimum spend adds 50', lines: [line(100)], campaigns: [bonus], points: 150 },
    { name: 'the per-purchase cap limits the total', lines: [line(6000, 'B')], overrides: { maxPointsPerPurchase: 10_000 }, points: 10_000 },
    { name: '0.99 CNY floors to 0', lines: [line(0.99)], points: 0 },
    { name: '0.99 CNY rounds to 1 half-up', lines: [line(0.99)], overrides: { rounding: { mode: 'round', scope: 'purchase' } }, points: 1 },
    { name: 'per-line rounding floors each line', lines: [line(0.6), line(0.6)], overrides: { rounding: { mode: 'floor', scope: 'line' } }, points: 0 },
    { name: 'per-purchase rounding floors once', lines: [line(0.6), line(0.6)], points: 1 },
    { name: 'exact decimals: 0.1 + 0.2 CNY at 10 per CNY is 3, not 2', lines: [line(0.1), line(0.2)], overrides: { bands: [{ overYuan: 0, rate: 10 }] }, points: 3 },
  ])('$name', ({ tier, lines, overrides, campaigns, points }) => {
    // Act
    const result = calculateEarning({ rules: { ...rules, ...overrides }, tier: tier ?? 'normal', lines, campaigns });

    // Assess
    expect(result.points).toBe(points);
    expect(result.breakdown.reduce((s, b) => s + b.points, 0)).toBe(points);
  });

  it('names each rule in the breakdown and what each campaign contributed', () => {
    const result = calculateEarning({ rules, tier: 'gold', lines: [line(100, 'B')], campaigns: [double, bonus] });
    expect(result.breakdown).toEqual([
      { rule: 'base', description: 'spend band rate', points: 100 },
      { rule: 'category:B', description: 'category B x2', points: 100 },
      { rule: 'tier:gold', description: 'gold member x1.5', points: 100 },
      { rule: 'campaign:weekend', description: 'Weekend double points x2', points: 300 },
      { rule: 'campaign:bonus50', description: 'Holiday bonus +50', points: 50 },
    ]);
    expect(result.campaignPoints).toEqual({ weekend: 300, bonus50: 50 });
  });
});

const lineArb = fc.record({
  sku: fc.constantFrom('s1', 's2', 's3'),
  category: fc.constantFrom('A', 'B', 'C'),
  amountCents: fc.integer({ min: 0, max: 2_000_000 }),
  quantity: fc.integer({ min: 1, max: 5 }),
});
const rulesArb = fc.record({
  bandMode: fc.constantFrom('whole' as const, 'marginal' as const),
  stacking: fc.constantFrom('multiply' as const, 'highest' as const, 'add' as const),
  rounding: fc.record({ mode: fc.constantFrom('floor' as const, 'round' as const, 'ceil' as const), scope: fc.constantFrom('purchase' as const, 'line' as const) }),
});
const tierArb = fc.constantFrom<Tier>('normal', 'silver', 'gold', 'diamond');

describe('earning calculator: properties', () => {
  it('never earns negative points and its breakdown adds up', () => {
    fc.assert(
      fc.property(rulesArb, tierArb, fc.array(lineArb, { maxLength: 6 }), fc.boolean(), (overrides, tier, lines, withCampaigns) => {
        const result = calculateEarning({ rules: { ...rules, ...overrides }, tier, lines, campaigns: withCampaigns ? [double, bonus] : [] });
        expect(result.points).toBeGreaterThanOrEqual(0);
        expect(result.breakdown.reduce((s, b) => s + b.points, 0)).toBe(result.points);
      }),
      { numRuns: 300 },
    );
  });

  it('earns at least as much for a larger amount', () => {
    fc.assert(
      fc.property(rulesArb, tierArb, lineArb, fc.integer({ min: 0, max: 500_000 }), (overrides, tier, base, extra) => {
        const r = { ...rules, ...overrides, rounding: { ...overrides.rounding, scope: 'purchase' as const } };
        const smaller = calculateEarning({ rules: r, tier, lines: [base], campaigns: [double, bonus] });
        const larger = calculateEarning({ rules: r, tier, lines: [{ ...base, amountCents: base.amountCents + extra }], campaigns: [double, bonus] });
        expect(larger.points).toBeGreaterThanOrEqual(smaller.points);
      }),
      { numRuns: 300 },
    );
  });
});

describe('points value', () => {
  it.each([
    [100, 100, 100],
    [150, 100, 150],
    [20, 20, 100],
    [1, 100, 1],
    [99, 100, 99],
    [7, 20, 35],
  ])('values %i points at %i points per CNY as %i cents', (points, perYuan, cents) => {
    expect(cashValueCents(points, perYuan)).toBe(cents);
  });
});

describe('spend bands that start at a fraction of a CNY', () => {
  it.each([
    ['whole', 1000 * 1.5],
    ['marginal', 999.5 * 1 + 0.5 * 1.5],
  ] as const)('earns under %s bands without throwing (a band at 999.50 CNY once answered 500)', (bandMode, points) => {
    // Prepare
    const fractional: EarningRulesCore = { ...rules, bandMode, bands: [{ overYuan: 0, rate: 1 }, { overYuan: 999.5, rate: 1.5 }] };

    // Act
    const result = calculateEarning({ rules: fractional, tier: 'normal', lines: [line(1000)] });

    // Assess
    expect(result.points).toBe(Math.floor(points));
  });
});
