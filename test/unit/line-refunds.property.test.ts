/**
 * Refunds by line: what each line earned (allocateToLines) and what refunds
 * take back (planRefund, pointsOwed, campaignPointsOwed), over random baskets,
 * rules, campaigns, caps and refund sequences.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateToLines, calculateEarning, type ApplicableCampaign, type BreakdownLine, type EarningRulesCore, type PurchaseLine } from '../../shared/domain/earning.js';
import { campaignPointsOwed, initialLineState, lineEarningsByAmount, planRefund, pointsOwed, type LineRefundState, type RefundRequest } from '../../shared/domain/line-refunds.js';
import { apportion } from '../../shared/domain/numbers.js';
import type { Tier } from '../../shared/domain/tiers.js';

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

const rules: EarningRulesCore = {
  bands: [
    { overYuan: 0, rate: 1 },
    { overYuan: 1000, rate: 1.5 },
  ],
  bandMode: 'whole',
  categoryMultipliers: { A: 1, B: 2 },
  tierMultipliers: { normal: 1, silver: 1, gold: 1.5, diamond: 2 },
  stacking: 'multiply',
  rounding: { mode: 'floor', scope: 'purchase' },
  maxPointsPerPurchase: null,
};

const decimalArb = (min: number, max: number) => fc.integer({ min: min * 100, max: max * 100 }).map((n) => n / 100);
const rulesArb: fc.Arbitrary<EarningRulesCore> = fc.record({
  bands: fc.constantFrom(
    [{ overYuan: 0, rate: 1 }],
    [
      { overYuan: 0, rate: 1 },
      { overYuan: 1000, rate: 1.5 },
      { overYuan: 5000, rate: 2 },
    ],
    [
      { overYuan: 0, rate: 0.5 },
      { overYuan: 99.5, rate: 3.25 },
    ],
  ),
  bandMode: fc.constantFrom('whole' as const, 'marginal' as const),
  categoryMultipliers: fc.record({ A: decimalArb(0, 3), B: decimalArb(0, 3), C: decimalArb(0, 3) }),
  tierMultipliers: fc.record({ normal: decimalArb(0, 2), silver: decimalArb(1, 2), gold: decimalArb(1, 3), diamond: decimalArb(1, 3) }),
  stacking: fc.constantFrom('multiply' as const, 'highest' as const, 'add' as const),
  rounding: fc.record({ mode: fc.constantFrom('floor' as const, 'round' as const, 'ceil' as const), scope: fc.constantFrom('purchase' as const, 'line' as const) }),
  maxPointsPerPurchase: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: null }),
});
const tierArb = fc.constantFrom<Tier>('normal', 'silver', 'gold', 'diamond');
const lineArb: fc.Arbitrary<PurchaseLine> = fc.record({
  sku: fc.constantFrom('s1', 's2', 's3', 's4'),
  category: fc.constantFrom('A', 'B', 'C'),
  amountCents: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1_500_000 })),
  quantity: fc.integer({ min: 1, max: 4 }),
});
const campaignsArb: fc.Arbitrary<ApplicableCampaign[]> = fc.subarray([
  { campaignId: 'double-b', name: 'Double on B', effect: { kind: 'multiplier', multiplier: 2 }, targets: { categories: ['B'] } },
  { campaignId: 'triple-s2', name: 'Triple on s2', effect: { kind: 'multiplier', multiplier: 3 }, targets: { skus: ['s2'] } },
  { campaignId: 'bonus', name: 'Bonus', effect: { kind: 'bonus', points: 77, minSpendCents: 10_000 } },
  { campaignId: 'bonus-c', name: 'Bonus on C', effect: { kind: 'bonus', points: 31 }, targets: { categories: ['C'] } },
] satisfies ApplicableCampaign[]);

/**
 * A purchase as recorded: the calculator's breakdown, optionally cut by a daily cap (which comes off campaign points
 * first, as POS recording does) and with campaigns limited by their budgets.
 */
function recorded(input: { rules: EarningRulesCore; tier: Tier; lines: PurchaseLine[]; campaigns: ApplicableCampaign[]; withheld: number; budgetCut: number }) {
  const earning = calculateEarning(input);
  let breakdown: BreakdownLine[] = [...earning.breakdown];
  const paid: Record<string, number> = {};
  for (const [id, points] of Object.entries(earning.campaignPoints)) paid[id] = Math.max(0, points);
  // A budget that allowed less than the campaign's points: its line lowered.
  const first = Object.keys(paid)[0];
  if (first !== undefined && input.budgetCut > 0) {
    const cut = Math.min(input.budgetCut, paid[first]!);
    paid[first] = paid[first]! - cut;
    breakdown = breakdown.map((b) => (b.rule === `campaign:${first}` ? { ...b, points: b.points - cut } : b));
  }
  const before = sum(breakdown.map((b) => b.points));
  const withheld = Math.min(Math.max(0, before), input.withheld);
  if (withheld > 0) {
    breakdown.push({ rule: 'cap:daily', description: 'daily cap', points: -withheld });
    let left = withheld;
    for (const id of Object.keys(paid)) {
      const take = Math.min(left, paid[id]!);
      paid[id] = paid[id]! - take;
      left -= take;
    }
  }
  const points = sum(breakdown.map((b) => b.points));
  return { points, breakdown, paid, earnings: allocateToLines({ ...input, breakdown, campaignPaid: paid }) };
}

const purchaseArb = fc.record({
  rules: rulesArb,
  tier: tierArb,
  lines: fc.array(lineArb, { minLength: 1, maxLength: 6 }),
  campaigns: campaignsArb,
  withheld: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 })),
  budgetCut: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 500 })),
});

/** A refund asked of a purchase in a given state: some units of one or two skus, or an amount. */
const requestArb = (lines: readonly PurchaseLine[]): fc.Arbitrary<RefundRequest> =>
  fc.oneof(
    fc.integer({ min: 1, max: 2_000_000 }).map((amountCents) => ({ amountCents })),
    fc.uniqueArray(fc.record({ sku: fc.constantFrom(...lines.map((l) => l.sku)), quantity: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 2, selector: (l) => l.sku }).map((asked) => ({ lines: asked })),
  );

describe('refunds by line (property)', () => {
  it('shares what a purchase earned over its lines exactly: points and every campaign, none below 0', () => {
    fc.assert(
      fc.property(purchaseArb, (p) => {
        const { points, paid, earnings } = recorded(p);
        expect(sum(earnings.map((e) => e.points))).toBe(points);
        if (points >= 0) for (const e of earnings) expect(e.points).toBeGreaterThanOrEqual(0);
        for (const [id, total] of Object.entries(paid)) expect(sum(earnings.map((e) => e.campaignPoints[id] ?? 0))).toBe(total);
      }),
      { numRuns: 400 },
    );
  });

  it('takes back exactly what was earned, to the point, whatever the order of partial refunds by line and by amount', () => {
    fc.assert(
      fc.property(
        purchaseArb.chain((p) => fc.tuple(fc.constant(p), fc.array(requestArb(p.lines), { maxLength: 6 }))),
        ([p, requests]) => {
          const { points, paid, earnings } = recorded(p);
          let state: LineRefundState[] = initialLineState(p.lines, 0);
          let owedSoFar = 0;
          const owedCampaigns: Record<string, number> = {};
          const apply = (request: RefundRequest) => {
            const plan = planRefund(p.lines, state, request);
            if (!plan.ok) return false;
            // The refund's cents are what the lines it touched gave back.
            expect(plan.amountCents).toBe(sum(plan.lines.map((l) => l.amountCents)));
            const owed = sum(pointsOwed(p.lines, earnings, plan.next)) - owedSoFar;
            // Never negative, never more than earned in total.
            expect(owed).toBeGreaterThanOrEqual(0);
            owedSoFar += owed;
            expect(owedSoFar).toBeLessThanOrEqual(Math.max(0, points));
            for (const [id, total] of Object.entries(campaignPointsOwed(p.lines, earnings, plan.next))) {
              expect(total).toBeGreaterThanOrEqual(owedCampaigns[id] ?? 0);
              owedCampaigns[id] = total;
            }
            state = [...plan.next];
            return true;
          };
          for (const request of requests) apply(request);
          // Then everything that is left comes back: every unit not yet returned.
          const rest = [...new Set(p.lines.map((l) => l.sku))]
            .map((sku) => ({ sku, quantity: sum(p.lines.map((l, i) => (l.sku === sku ? l.quantity - state[i]!.returnedQuantity : 0))) }))
            .filter((l) => l.quantity > 0);
          if (rest.length > 0) expect(apply({ lines: rest })).toBe(true);
          // Every cent of every line is refunded, and nothing more can be.
          state.forEach((s, i) => expect(s.refundedCents).toBe(p.lines[i]!.amountCents));
          expect(planRefund(p.lines, state, { amountCents: 1 }).ok).toBe(false);
          expect(owedSoFar).toBe(Math.max(0, points));
          for (const [id, total] of Object.entries(paid)) expect(owedCampaigns[id] ?? 0).toBe(total);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never returns a line beyond its quantity', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 4 }), (lines, extra) => {
        const sku = lines[0]!.sku;
        const units = sum(lines.filter((l) => l.sku === sku).map((l) => l.quantity));
        const all = planRefund(lines, initialLineState(lines, 0), { lines: [{ sku, quantity: units }] });
        expect(all.ok).toBe(true);
        if (!all.ok) return;
        const again = planRefund(lines, all.next, { lines: [{ sku, quantity: 1 + extra }] });
        expect(again).toMatchObject({ ok: false, reason: 'quantity', details: { sku, returnableQuantity: 0 } });
      }),
    );
  });

  it('shares an integer in proportion, exactly, each share within 1 of its exact part', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 1, maxLength: 8 }), (total, weights) => {
        const shares = apportion(total, weights);
        expect(sum(shares)).toBe(total);
        const weight = weights.reduce((a, b) => a + b, 0n);
        if (weight === 0n) return;
        shares.forEach((share, i) => {
          const exact = (total * Number(weights[i]!)) / Number(weight);
          expect(Math.abs(share - exact)).toBeLessThan(1.000001);
        });
      }),
    );
  });
});

describe('refunds by line: worked examples', () => {
  const basket: PurchaseLine[] = [
    { sku: 'sku-b', category: 'B', amountCents: 40_000, quantity: 1 },
    { sku: 'sku-a', category: 'A', amountCents: 60_000, quantity: 1 },
  ];

  it('returning the B line of 400 CNY B + 600 CNY A claws back the 800 points it earned, not 40 % of 1,400', () => {
    const { points, earnings } = recorded({ rules, tier: 'normal', lines: basket, campaigns: [], withheld: 0, budgetCut: 0 });
    const plan = planRefund(basket, initialLineState(basket, 0), { lines: [{ sku: 'sku-b', quantity: 1 }] });

    expect(points).toBe(1_400);
    expect(earnings.map((e) => e.points)).toEqual([800, 600]);
    expect(plan).toMatchObject({ ok: true, amountCents: 40_000 });
    expect(plan.ok && sum(pointsOwed(basket, earnings, plan.next))).toBe(800);
  });

  it('gives each line its own campaign points: a double-points campaign on B belongs to the B line', () => {
    const double: ApplicableCampaign = { campaignId: 'double-b', name: 'Double on B', effect: { kind: 'multiplier', multiplier: 2 }, targets: { categories: ['B'] } };
    const { points, earnings } = recorded({ rules, tier: 'gold', lines: basket, campaigns: [double], withheld: 0, budgetCut: 0 });

    // B: 400 x 2 (category) x 1.5 (gold) x 2 (campaign) = 2,400, of which 1,200 the campaign's; A: 600 x 1.5 = 900.
    expect(points).toBe(3_300);
    expect(earnings).toEqual([
      { points: 2_400, campaignPoints: { 'double-b': 1_200 } },
      { points: 900, campaignPoints: {} },
    ]);
  });

  it('takes units back at what they were paid: 1 of 3 units of 100.00 CNY is 33.33, the last one 33.34', () => {
    const lines: PurchaseLine[] = [{ sku: 's', category: 'A', amountCents: 10_000, quantity: 3 }];
    const one = planRefund(lines, initialLineState(lines, 0), { lines: [{ sku: 's', quantity: 1 }] });
    const two = one.ok ? planRefund(lines, one.next, { lines: [{ sku: 's', quantity: 1 }] }) : one;
    const three = two.ok ? planRefund(lines, two.next, { lines: [{ sku: 's', quantity: 1 }] }) : two;

    expect([one, two, three].map((p) => (p.ok ? p.amountCents : -1))).toEqual([3_333, 3_333, 3_334]);
  });

  it('shares a purchase recorded before lines were kept by the lines’ amounts', () => {
    expect(lineEarningsByAmount(basket, 1_400, { c1: 100 })).toEqual([
      { points: 560, campaignPoints: { c1: 40 } },
      { points: 840, campaignPoints: { c1: 60 } },
    ]);
  });
});
