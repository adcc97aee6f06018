/**
 * Limits on what POS purchases earn (docs/earning.md, Limits on POS earning).
 * Pure: no I/O, no clock.
 *
 * A store credential can report any purchase for any member, so what one
 * report can create must be bounded: a per-purchase limit that no real
 * purchase reaches (over it: refused, nothing written), daily caps per store
 * and per member (at the cap: recorded, the points beyond it withheld), and
 * a review threshold above which the points wait for an operator.
 */
import { DEFAULT_MAX_PURCHASE_AGE_DAYS } from '../contracts/limits.js';
import { localDate, PROGRAMME_TIMEZONE } from './programme.js';

export interface PosLimits {
  /** A purchase whose lines add up to more is refused (422), nothing written. */
  readonly maxPurchaseAmountCents: number;
  /** A purchase that would earn more is refused (422), nothing written. */
  readonly maxPurchasePoints: number;
  /** Points one member may earn through POS purchases in one programme day (null: no cap). */
  readonly dailyPointsPerMember: number | null;
  /** Points one store may issue through POS purchases in one programme day (null: no cap). */
  readonly dailyPointsPerStore: number | null;
  /** A purchase earning more points than this waits for an operator's review (null: never by points). */
  readonly reviewAbovePoints: number | null;
  /** A purchase of more than this amount waits for an operator's review (null: never by amount). */
  readonly reviewAboveAmountCents: number | null;
  /** A purchase sent in an offline batch whose paidAt is more days ago is refused on its line (422). */
  readonly maxPurchaseAgeDays: number;
}

/**
 * Defaults: no real purchase reaches the limits (100,000 CNY, 1,000,000
 * points), a member can still earn two such purchases a day, a store twenty;
 * reviews start well below the limits, where a purchase is rare enough for an
 * operator to look at.
 */
export const defaultPosLimits: PosLimits = {
  maxPurchaseAmountCents: 10_000_000,
  maxPurchasePoints: 1_000_000,
  dailyPointsPerMember: 2_000_000,
  dailyPointsPerStore: 20_000_000,
  reviewAbovePoints: 100_000,
  reviewAboveAmountCents: 5_000_000,
  maxPurchaseAgeDays: DEFAULT_MAX_PURCHASE_AGE_DAYS,
};

const DAY_MS = 24 * 3600_000;

/**
 * Whether a purchase sent in an offline batch was paid too long ago to earn: more than maxPurchaseAgeDays
 * (whole days of 24 hours) before `now`. Undefined when it may earn; else the limit and the purchase's age.
 */
export function purchaseAgeViolation(limits: PosLimits, paidAt: Date, now: Date): { allowedDays: number; ageDays: number } | undefined {
  const allowedDays = limits.maxPurchaseAgeDays;
  const ageMs = now.getTime() - paidAt.getTime();
  if (ageMs <= allowedDays * DAY_MS) return undefined;
  return { allowedDays, ageDays: Math.floor(ageMs / DAY_MS) };
}

export interface PurchaseLimitViolation {
  readonly limit: 'maxPurchaseAmountCents' | 'maxPurchasePoints';
  readonly allowed: number;
  readonly requested: number;
}

/**
 * Whether a purchase is over a per-purchase limit. `points` may be above
 * Number.MAX_SAFE_INTEGER (an absurd report): it is then imprecise but still
 * far above any limit, so the comparison holds.
 */
export function purchaseLimitViolation(limits: PosLimits, purchase: { amountCents: number; points: number }): PurchaseLimitViolation | undefined {
  if (purchase.amountCents > limits.maxPurchaseAmountCents) {
    return { limit: 'maxPurchaseAmountCents', allowed: limits.maxPurchaseAmountCents, requested: purchase.amountCents };
  }
  if (purchase.points > limits.maxPurchasePoints) {
    return { limit: 'maxPurchasePoints', allowed: limits.maxPurchasePoints, requested: purchase.points };
  }
  return undefined;
}

/** Why a purchase waits for review (undefined: it does not). A purchase that earns nothing has nothing to hold. */
export function reviewReason(limits: PosLimits, purchase: { amountCents: number; points: number }): string | undefined {
  if (purchase.points <= 0) return undefined;
  if (limits.reviewAbovePoints !== null && purchase.points > limits.reviewAbovePoints) {
    return `earns ${purchase.points} points, above the review threshold of ${limits.reviewAbovePoints}`;
  }
  if (limits.reviewAboveAmountCents !== null && purchase.amountCents > limits.reviewAboveAmountCents) {
    return `amount ${purchase.amountCents} cents, above the review threshold of ${limits.reviewAboveAmountCents}`;
  }
  return undefined;
}

/**
 * The programme day a purchase counts against the daily caps: the day it is
 * recorded, not its `paidAt`. The POS reports `paidAt`, and counting by it
 * would give a backdated report a fresh cap for every past day. Purchases of
 * an offline batch are the exception (shared/earning/purchase-batches.ts):
 * they count on their paidAt's day, which the age window bounds.
 */
export function capDay(recordedAt: Date, timezone: string = PROGRAMME_TIMEZONE): string {
  return localDate(recordedAt, timezone);
}

/**
 * What campaigns pay when a daily cap withholds `withheld` of a purchase's
 * points: the cut comes off campaign points first (in order), so a campaign's
 * budget never pays for points the member did not get; what is left of the
 * cut comes off the base points.
 */
export function campaignAwardsAfterCut(awards: ReadonlyMap<string, number>, withheld: number): Map<string, number> {
  let left = Math.max(0, withheld);
  const paid = new Map<string, number>();
  for (const [campaignId, points] of awards) {
    const cut = Math.min(left, Math.max(0, points));
    paid.set(campaignId, points - cut);
    left -= cut;
  }
  return paid;
}
