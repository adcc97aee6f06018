/** Member tiers, lowest first. */
export const tiers = ['normal', 'silver', 'gold', 'diamond'] as const;
export type Tier = (typeof tiers)[number];
/** The tiers above `normal`: the ones with a growth threshold and a price. */
export const paidTiers = ['silver', 'gold', 'diamond'] as const;
export type PaidTier = (typeof paidTiers)[number];

export function tierRank(tier: Tier): number {
  return tiers.indexOf(tier);
}

/** The lower of two tiers. */
export function lowerTier(a: Tier, b: Tier): Tier {
  return tierRank(a) <= tierRank(b) ? a : b;
}

/** The tier directly below `tier` (`normal` has none). */
export function tierBelow(tier: Tier): Tier | undefined {
  return tiers[tierRank(tier) - 1];
}

/**
 * Tier configuration (part of the earning rules, `tiers` section). Growth is
 * counted per programme-local calendar year; a member's growth is the sum over
 * the current and the previous year (see docs/earning.md, Tiers).
 */
export interface TierRules {
  /** Growth needed for each tier (normal needs none); increasing. */
  readonly thresholds: Readonly<Record<PaidTier, number>>;
  /** Growth per purchase on top of 1 per whole CNY spent (frequency counts too); 0 = spend only. */
  readonly growthPerPurchase: number;
  /** Points that buy each tier from the tier directly below it; null = not for sale. */
  readonly upgradePrices: Readonly<Record<PaidTier, number | null>>;
  /** Points credited once a year on the member's birthday, by tier. */
  readonly birthdayBonus: Readonly<Record<Tier, number>>;
}

export const defaultTierRules = {
  thresholds: { silver: 1_000, gold: 5_000, diamond: 20_000 },
  growthPerPurchase: 0,
  upgradePrices: { silver: 500, gold: 1_000, diamond: null as number | null },
  birthdayBonus: { normal: 0, silver: 100, gold: 200, diamond: 500 },
} satisfies TierRules;

/**
 * Spend and purchases by programme-local calendar year (`YYYY`), and spend by
 * programme-local month (`YYYY-MM`), as kept on the member profile.
 */
export interface GrowthCounters {
  readonly spendCents: Readonly<Record<string, number>>;
  readonly purchases: Readonly<Record<string, number>>;
  /** Cents spent per month, net of refunds: what spend-in-a-period campaign audiences read. */
  readonly monthlySpendCents: Readonly<Record<string, number>>;
}

const SPEND_PREFIX = 'GS#';
const PURCHASES_PREFIX = 'GN#';
const MONTHLY_SPEND_PREFIX = 'MS#';

/** Profile attribute holding the cents spent in a year (top-level, so a blind ADD can create it). */
export function growthSpendAttribute(year: string): string {
  return `${SPEND_PREFIX}${year}`;
}

/** Profile attribute holding the number of purchases in a year. */
export function growthPurchasesAttribute(year: string): string {
  return `${PURCHASES_PREFIX}${year}`;
}

/** Profile attribute holding the cents spent in a programme-local month (`YYYY-MM`). */
export function monthlySpendAttribute(month: string): string {
  return `${MONTHLY_SPEND_PREFIX}${month}`;
}

/** Reads the per-year and per-month growth counters from a stored profile item. */
export function growthCountersOf(item: Readonly<Record<string, unknown>>): GrowthCounters {
  const spendCents: Record<string, number> = {};
  const purchases: Record<string, number> = {};
  const monthlySpendCents: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(SPEND_PREFIX)) spendCents[name.slice(SPEND_PREFIX.length)] = Number(value);
    else if (name.startsWith(PURCHASES_PREFIX)) purchases[name.slice(PURCHASES_PREFIX.length)] = Number(value);
    else if (name.startsWith(MONTHLY_SPEND_PREFIX)) monthlySpendCents[name.slice(MONTHLY_SPEND_PREFIX.length)] = Number(value);
  }
  return { spendCents, purchases, monthlySpendCents };
}

/**
 * Growth in the window ending in `year`: that year and the one before.
 * 1 per whole CNY spent (cents summed first, then floored) plus
 * `growthPerPurchase` per purchase.
 */
export function growthIn(counters: GrowthCounters, year: string, growthPerPurchase: number): number {
  const years = [year, String(Number(year) - 1)];
  const cents = years.reduce((sum, y) => sum + (counters.spendCents[y] ?? 0), 0);
  const count = years.reduce((sum, y) => sum + (counters.purchases[y] ?? 0), 0);
  return Math.max(0, Math.floor(cents / 100)) + growthPerPurchase * count;
}

/** The highest tier whose threshold `growth` reaches. */
export function tierForGrowth(growth: number, thresholds: TierRules['thresholds']): Tier {
  let tier: Tier = 'normal';
  for (const t of paidTiers) if (growth >= thresholds[t]) tier = t;
  return tier;
}
