/**
 * The referral programme's rules (part of the earning rules, `referrals`
 * section): a ladder of rewards for the referrer by how many members they
 * have referred, a welcome bonus for the new member, and an optional bonus to
 * the referrer on the new member's first purchase. Pure.
 */
export interface ReferralRung {
  /** The rung applies from this referral on (1 = the first). */
  readonly fromReferral: number;
  readonly points: number;
}

export interface ReferralRules {
  /** Rungs in increasing `fromReferral` order; the first starts at 1. */
  readonly ladder: readonly ReferralRung[];
  /** Points the new member gets when registering with a referral code. */
  readonly refereeWelcomePoints: number;
  /** Points the referrer gets on the new member's first POS purchase (0 = off). */
  readonly firstPurchaseReferrerPoints: number;
  /** Referrals that earn ladder points; later ones are recorded with 0 points (null = no limit). */
  readonly maxRewardedReferrals: number | null;
}

/** The source documents' example: 1st-3rd 100 each, 4th-10th 150, 11th on 200; 50 welcome points. */
export const defaultReferralRules = {
  ladder: [
    { fromReferral: 1, points: 100 },
    { fromReferral: 4, points: 150 },
    { fromReferral: 11, points: 200 },
  ],
  refereeWelcomePoints: 50,
  firstPurchaseReferrerPoints: 100,
  maxRewardedReferrals: null as number | null,
} satisfies ReferralRules;

/** Points the referrer earns for their `nth` referral (1-based). */
export function referrerReward(rules: ReferralRules, nth: number): number {
  if (!Number.isSafeInteger(nth) || nth < 1) throw new Error(`referral number must be a positive integer, got ${nth}`);
  if (rules.maxRewardedReferrals !== null && nth > rules.maxRewardedReferrals) return 0;
  let points = 0;
  for (const rung of rules.ladder) if (nth >= rung.fromReferral) points = rung.points;
  return points;
}
