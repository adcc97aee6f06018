/**
 * The earning calculator: what a purchase earns under the operator's rules and
 * the campaigns running at that moment. Pure: no I/O, no clock.
 *
 * Arithmetic is exact (BigInt fractions) and rounded once, at the end, by the
 * configured policy, so 0.1 + 0.2 never decides a point. docs/earning.md has
 * the worked examples the unit tests use.
 */
import { apportion } from './numbers.js';
import { emptyRecord, ownValue } from './own-keys.js';
import type { Tier } from './tiers.js';

export type StackingPolicy = 'multiply' | 'highest' | 'add';
export type RoundingMode = 'floor' | 'round' | 'ceil';

export interface SpendBand {
  /** The band applies to spend above this many CNY (the first band starts at 0). */
  readonly overYuan: number;
  /** Points per CNY in this band. */
  readonly rate: number;
}

export interface EarningRulesCore {
  /**
   * Spend bands. `whole`: the band the purchase total falls in sets the rate
   * for the whole purchase (0-1000 CNY at 1, a 3,000 CNY purchase earns 1.5 on
   * all of it). `marginal`: each band's rate applies to the part of the total
   * inside it, like tax brackets.
   */
  readonly bands: readonly SpendBand[];
  readonly bandMode: 'whole' | 'marginal';
  /** Multiplier per product category; categories not listed earn 1x. */
  readonly categoryMultipliers: Readonly<Record<string, number>>;
  readonly tierMultipliers: Readonly<Record<Tier, number>>;
  /** How category, tier and campaign multipliers combine. */
  readonly stacking: StackingPolicy;
  readonly rounding: { readonly mode: RoundingMode; readonly scope: 'purchase' | 'line' };
  /** Upper bound of points one purchase can earn (null: none; spend-driven points are a discount, not a cost). */
  readonly maxPointsPerPurchase: number | null;
}

export interface PurchaseLine {
  readonly sku: string;
  readonly category: string;
  /** Amount paid for the line (all units), in cents. */
  readonly amountCents: number;
  readonly quantity: number;
}

/** Which lines a campaign applies to; empty or absent = every line. */
export interface CampaignTargets {
  readonly categories?: readonly string[];
  readonly skus?: readonly string[];
}

export type CampaignEffect =
  | { readonly kind: 'multiplier'; readonly multiplier: number }
  | { readonly kind: 'bonus'; readonly points: number; readonly minSpendCents?: number };

/** A campaign that is running now and whose audience includes the member. */
export interface ApplicableCampaign {
  readonly campaignId: string;
  readonly name: string;
  readonly effect: CampaignEffect;
  readonly targets?: CampaignTargets;
}

export interface BreakdownLine {
  /** `base`, `category:B`, `tier:gold`, `campaign:<id>`, `cap`. */
  readonly rule: string;
  readonly description: string;
  readonly points: number;
}

export interface EarningResult {
  readonly points: number;
  readonly breakdown: readonly BreakdownLine[];
  /** Points each campaign contributed (what its budget pays for). */
  readonly campaignPoints: Readonly<Record<string, number>>;
  /** Spend that counted, in cents. */
  readonly eligibleCents: number;
}

// --- exact fractions -------------------------------------------------------

interface Fraction {
  readonly n: bigint;
  readonly d: bigint;
}

const SCALE = 10_000n;
const ZERO: Fraction = { n: 0n, d: 1n };

/** A decimal multiplier or rate (up to 4 decimals) as an exact fraction. */
function decimal(value: number): Fraction {
  const scaled = Math.round(value * Number(SCALE));
  if (Math.abs(scaled / Number(SCALE) - value) > 1e-9) throw new Error(`${value} has more than 4 decimals`);
  return { n: BigInt(scaled), d: SCALE };
}

function add(a: Fraction, b: Fraction): Fraction {
  return { n: a.n * b.d + b.n * a.d, d: a.d * b.d };
}

function sub(a: Fraction, b: Fraction): Fraction {
  return add(a, { n: -b.n, d: b.d });
}

function mul(a: Fraction, b: Fraction): Fraction {
  return { n: a.n * b.n, d: a.d * b.d };
}

function ratio(n: number | bigint, d: number | bigint): Fraction {
  return { n: BigInt(n), d: BigInt(d) };
}

function compare(a: Fraction, b: Fraction): number {
  const left = a.n * b.d;
  const right = b.n * a.d;
  return left < right ? -1 : left > right ? 1 : 0;
}

function roundFraction(f: Fraction, mode: RoundingMode): number {
  const { n, d } = f.d < 0n ? { n: -f.n, d: -f.d } : f;
  const floor = n >= 0n ? n / d : -((-n + d - 1n) / d);
  if (mode === 'floor') return Number(floor);
  const remainder = n - floor * d;
  if (mode === 'ceil') return Number(remainder === 0n ? floor : floor + 1n);
  return Number(remainder * 2n >= d ? floor + 1n : floor); // half up
}

// --- the rules -------------------------------------------------------------

function matches(line: PurchaseLine, targets: CampaignTargets | undefined): boolean {
  const categories = targets?.categories ?? [];
  const skus = targets?.skus ?? [];
  if (categories.length === 0 && skus.length === 0) return true;
  return categories.includes(line.category) || skus.includes(line.sku);
}

/** Base points (before multipliers) the whole purchase earns from the spend bands. */
function basePoints(rules: EarningRulesCore, totalCents: number): Fraction {
  const bands = [...rules.bands].sort((a, b) => a.overYuan - b.overYuan);
  const total = ratio(totalCents, 100);
  if (rules.bandMode === 'whole') {
    let rate = bands[0]?.rate ?? 0;
    // decimal(), not ratio(): a band may start at a fraction of a CNY (BigInt(999.5) throws).
    for (const band of bands) if (compare(total, decimal(band.overYuan)) > 0) rate = band.rate;
    return mul(total, decimal(rate));
  }
  let points = ZERO;
  bands.forEach((band, i) => {
    const from = decimal(band.overYuan);
    const next = bands[i + 1];
    const to = next ? decimal(next.overYuan) : total;
    const upper = compare(total, to) < 0 ? total : to;
    if (compare(upper, from) > 0) points = add(points, mul(sub(upper, from), decimal(band.rate)));
  });
  return points;
}

interface Factor {
  readonly rule: string;
  readonly description: string;
  readonly multiplier: number;
}

/** Exact contributions of each rule on one line, in stacking order. */
function lineContributions(base: Fraction, factors: readonly Factor[], stacking: StackingPolicy): Map<string, Fraction> {
  const out = new Map<string, Fraction>([['base', base]]);
  const put = (rule: string, value: Fraction) => out.set(rule, add(out.get(rule) ?? ZERO, value));
  if (stacking === 'multiply') {
    let running = base;
    for (const factor of factors) {
      const next = mul(running, decimal(factor.multiplier));
      put(factor.rule, sub(next, running));
      running = next;
    }
  } else if (stacking === 'add') {
    for (const factor of factors) put(factor.rule, mul(base, sub(decimal(factor.multiplier), ratio(1, 1))));
  } else {
    const best = factors.reduce<Factor | undefined>((top, f) => (!top || f.multiplier > top.multiplier ? f : top), undefined);
    if (best && best.multiplier !== 1) put(best.rule, mul(base, sub(decimal(best.multiplier), ratio(1, 1))));
  }
  return out;
}

/**
 * What each rule contributes on each line, exactly (before rounding): the base (the line's share of the spend
 * bands' points, by amount), category, tier and multiplier campaigns, stacked by the rules' policy. Index-aligned
 * with `lines`; a line with no amount contributes nothing (an empty map). `order` is the breakdown's rule order.
 */
function lineContributionsOf(input: {
  readonly rules: EarningRulesCore;
  readonly tier: Tier;
  readonly lines: readonly PurchaseLine[];
  readonly campaigns?: readonly ApplicableCampaign[];
}): { perLine: Map<string, Fraction>[]; descriptions: Map<string, string>; order: string[] } {
  const { rules, tier, lines } = input;
  const campaigns = input.campaigns ?? [];
  const totalCents = lines.reduce((sum, l) => sum + l.amountCents, 0);
  const descriptions = new Map<string, string>([['base', rules.bandMode === 'whole' ? 'spend band rate' : 'spend bands (marginal)']]);
  const order: string[] = ['base'];
  const perLine: Map<string, Fraction>[] = lines.map(() => new Map());
  if (totalCents <= 0) return { perLine, descriptions, order };
  const base = basePoints(rules, totalCents);
  lines.forEach((line, index) => {
    if (line.amountCents <= 0) return;
    const lineBase = mul(base, ratio(line.amountCents, totalCents));
    const factors: Factor[] = [];
    // Own keys only: a line of category "constructor" or "toString" must not pick up Object.prototype's members.
    const categoryMultiplier = ownValue(rules.categoryMultipliers, line.category) ?? 1;
    if (categoryMultiplier !== 1) factors.push({ rule: `category:${line.category}`, description: `category ${line.category} x${categoryMultiplier}`, multiplier: categoryMultiplier });
    const tierMultiplier = ownValue(rules.tierMultipliers, tier) ?? 1;
    if (tierMultiplier !== 1) factors.push({ rule: `tier:${tier}`, description: `${tier} member x${tierMultiplier}`, multiplier: tierMultiplier });
    for (const campaign of campaigns) {
      if (campaign.effect.kind !== 'multiplier' || !matches(line, campaign.targets)) continue;
      factors.push({ rule: `campaign:${campaign.campaignId}`, description: `${campaign.name} x${campaign.effect.multiplier}`, multiplier: campaign.effect.multiplier });
    }
    perLine[index] = lineContributions(lineBase, factors, rules.stacking);
    for (const rule of perLine[index].keys()) if (!order.includes(rule)) order.push(rule);
    for (const f of factors) descriptions.set(f.rule, f.description);
  });
  return { perLine, descriptions, order };
}

/**
 * What a purchase earns. Order of the breakdown: base (spend bands), category,
 * tier, multiplier campaigns, bonus campaigns, cap. Each line of the breakdown
 * is rounded so that the lines add up to the total exactly.
 */
export function calculateEarning(input: {
  readonly rules: EarningRulesCore;
  readonly tier: Tier;
  readonly lines: readonly PurchaseLine[];
  readonly campaigns?: readonly ApplicableCampaign[];
}): EarningResult {
  const { rules, lines } = input;
  const campaigns = input.campaigns ?? [];
  const { perLine: lineShares, descriptions, order } = lineContributionsOf(input);
  const exact = new Map<string, Fraction>();
  const perLine: Fraction[] = [];
  for (const shares of lineShares) {
    if (shares.size === 0) continue;
    let lineTotal = ZERO;
    for (const [rule, value] of shares) {
      exact.set(rule, add(exact.get(rule) ?? ZERO, value));
      lineTotal = add(lineTotal, value);
    }
    perLine.push(lineTotal);
  }

  // Round once (per purchase, or per line), then give each rule the difference of cumulative roundings.
  const mode = rules.rounding.mode;
  const multiplied =
    rules.rounding.scope === 'line'
      ? perLine.reduce((sum, f) => sum + roundFraction(f, mode), 0)
      : roundFraction([...exact.values()].reduce(add, ZERO), mode);
  const breakdown: BreakdownLine[] = [];
  let cumulative = ZERO;
  let assigned = 0;
  order.forEach((rule, i) => {
    cumulative = add(cumulative, exact.get(rule) ?? ZERO);
    const upTo = i === order.length - 1 ? multiplied : Math.min(multiplied, roundFraction(cumulative, mode));
    breakdown.push({ rule, description: descriptions.get(rule) ?? rule, points: upTo - assigned });
    assigned = upTo;
  });

  for (const campaign of campaigns) {
    if (campaign.effect.kind !== 'bonus') continue;
    const eligible = lines.filter((l) => matches(l, campaign.targets)).reduce((s, l) => s + l.amountCents, 0);
    if (eligible <= 0 || eligible < (campaign.effect.minSpendCents ?? 0)) continue;
    breakdown.push({ rule: `campaign:${campaign.campaignId}`, description: `${campaign.name} +${campaign.effect.points}`, points: campaign.effect.points });
  }

  let points = breakdown.reduce((s, b) => s + b.points, 0);
  if (rules.maxPointsPerPurchase !== null && points > rules.maxPointsPerPurchase) {
    breakdown.push({ rule: 'cap', description: `at most ${rules.maxPointsPerPurchase} points per purchase`, points: rules.maxPointsPerPurchase - points });
    points = rules.maxPointsPerPurchase;
  }
  // No prototype: a campaign id such as "constructor" or "__proto__" (ids allow underscores) is counted like any other.
  const campaignPoints = emptyRecord<number>();
  for (const line of breakdown) {
    if (!line.rule.startsWith('campaign:')) continue;
    const id = line.rule.slice('campaign:'.length);
    campaignPoints[id] = (campaignPoints[id] ?? 0) + line.points;
  }
  return { points, breakdown: breakdown.filter((b) => b.points !== 0 || b.rule === 'base'), campaignPoints, eligibleCents: lines.reduce((sum, l) => sum + l.amountCents, 0) };
}

/** What one line of a purchase earned: its part of the points, and of each campaign's (what comes back on its return). */
export interface LineEarning {
  readonly points: number;
  readonly campaignPoints: Readonly<Record<string, number>>;
}

/** Non-negative fractions as integer weights of the same ratios (scaled to their common denominator). */
function weightsOf(fractions: readonly Fraction[]): bigint[] {
  const gcdBig = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcdBig(b, a % b));
  const positive = fractions.map((f) => (f.d < 0n ? { n: -f.n, d: -f.d } : f)).map((f) => (f.n < 0n ? { n: -f.n, d: f.d } : f));
  const common = positive.reduce((l, f) => (l / gcdBig(l, f.d)) * f.d, 1n);
  return positive.map((f) => f.n * (common / f.d));
}

/** Moves points from the richest lines to any line left below 0 (a rounding line can be -1 where a line has 0). */
function liftNegatives(points: number[]): void {
  for (let i = 0; i < points.length; i += 1) {
    while (points[i]! < 0) {
      let richest = -1;
      points.forEach((p, j) => {
        if (j !== i && p > 0 && (richest < 0 || p > points[richest]!)) richest = j;
      });
      if (richest < 0) return;
      const moved = Math.min(-points[i]!, points[richest]!);
      points[i]! += moved;
      points[richest]! -= moved;
    }
  }
}

/**
 * What each line of a purchase earned, as integers that add up exactly to what the purchase earned (and, per
 * campaign, to what the campaign paid), so returning every line takes back exactly everything. Each line of the
 * breakdown is shared out by what it was computed from: the base, category, tier and multiplier campaigns by each
 * line's exact contribution (bands and stacking included); a bonus campaign by the amounts of the lines it
 * targets; a cap (per purchase or daily) by what each line had earned before it. A campaign's points paid (after
 * its budget, its per-member cap and the daily cap) follow the line's share of that campaign's breakdown line.
 */
export function allocateToLines(input: {
  readonly rules: EarningRulesCore;
  readonly tier: Tier;
  readonly lines: readonly PurchaseLine[];
  readonly campaigns?: readonly ApplicableCampaign[];
  /** The breakdown as recorded (campaign lines as limited, caps included): its points add up to what was earned. */
  readonly breakdown: readonly BreakdownLine[];
  /** What each campaign paid for the purchase. */
  readonly campaignPaid: Readonly<Record<string, number>>;
}): LineEarning[] {
  const { lines } = input;
  const { perLine } = lineContributionsOf(input);
  const amounts = lines.map((l) => BigInt(Math.max(0, l.amountCents)));
  const bonuses = new Map((input.campaigns ?? []).filter((c) => c.effect.kind === 'bonus').map((c) => [`campaign:${c.campaignId}`, c]));
  const points = lines.map(() => 0);
  const byRule = new Map<string, number[]>();
  for (const entry of input.breakdown) {
    const bonus = bonuses.get(entry.rule);
    const weights =
      entry.rule === 'cap' || entry.rule.startsWith('cap:')
        ? points.map((p) => BigInt(Math.max(0, p)))
        : bonus
          ? lines.map((l, i) => (matches(l, bonus.targets) ? amounts[i]! : 0n))
          : weightsOf(perLine.map((shares) => shares.get(entry.rule) ?? ZERO));
    const shares = apportion(entry.points, weights, amounts);
    const ruleShares = byRule.get(entry.rule) ?? lines.map(() => 0);
    shares.forEach((share, i) => {
      points[i]! += share;
      ruleShares[i]! += share;
    });
    byRule.set(entry.rule, ruleShares);
  }
  liftNegatives(points);
  const campaignPoints = lines.map(() => emptyRecord<number>());
  for (const [campaignId, paid] of Object.entries(input.campaignPaid)) {
    if (paid <= 0) continue;
    const weights = (byRule.get(`campaign:${campaignId}`) ?? lines.map(() => 0)).map((share) => BigInt(Math.max(0, share)));
    apportion(paid, weights, amounts).forEach((share, i) => {
      if (share !== 0) campaignPoints[i]![campaignId] = share;
    });
  }
  return lines.map((_, i) => ({ points: points[i]!, campaignPoints: campaignPoints[i]! }));
}

/** Cash value of points at the programme's points value (floor to the cent). */
export function cashValueCents(points: number, pointsPerYuan: number): number {
  return roundFraction(mul(ratio(points, 1), mul(ratio(100, 1), { n: SCALE, d: decimal(pointsPerYuan).n })), 'floor');
}
