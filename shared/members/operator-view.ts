/**
 * What an operator sees of one member (GET /v1/admin/members/{memberId}):
 * the profile, every currency's wallet, the tier with its growth and what the
 * next tier needs, and the member's referrals. Reads only the member's own
 * items (profile, wallets, pending credits, referral counter), all by key.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { currencies } from '../domain/currencies.js';
import { tierRank, tiers, type PaidTier, type Tier, type TierRules } from '../domain/tiers.js';
import { pointsView } from '../earning/pending.js';
import { getEarningRules } from '../earning/rules-store.js';
import { NotFoundError } from '../errors.js';
import type { WalletView } from '../ledger/wallet-item.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { referralStats } from './referrals.js';
import { profileFromItem, programmeYear, publicProfile, type MemberProfile } from './service.js';

export interface TierProgress {
  readonly tier: Tier;
  readonly tierSince: string | null;
  readonly tierReviewedAt: string | null;
  readonly growth: number;
  readonly growthWindow: { readonly fromYear: string; readonly toYear: string };
  readonly nextTier: { readonly tier: Tier; readonly growthThreshold: number; readonly growthNeeded: number; readonly upgradePrice: number | null } | null;
}

/** The tier, its growth and the next tier's threshold and price, under the rules in force. */
export function tierProgressOf(member: MemberProfile, stored: { tierSince?: unknown; tierReviewedAt?: unknown }, rules: TierRules, now: Date): TierProgress {
  const year = programmeYear(now);
  const next = tiers[tierRank(member.tier) + 1] as PaidTier | undefined;
  return {
    tier: member.tier,
    tierSince: typeof stored.tierSince === 'string' ? stored.tierSince : null,
    tierReviewedAt: typeof stored.tierReviewedAt === 'string' ? stored.tierReviewedAt : null,
    growth: member.growth,
    growthWindow: { fromYear: String(Number(year) - 1), toYear: year },
    nextTier: next
      ? {
          tier: next,
          growthThreshold: rules.thresholds[next],
          growthNeeded: Math.max(0, rules.thresholds[next] - member.growth),
          upgradePrice: rules.upgradePrices[next] ?? null,
        }
      : null,
  };
}

/** Every wallet the member holds, in the programme's currency order (a currency added since registration may have none yet). */
async function walletsOf(memberId: string): Promise<WalletView[]> {
  const views = await Promise.all(
    currencies.map((c) =>
      pointsView(memberId, c.code).catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }),
    ),
  );
  return views.filter((v): v is WalletView => v !== undefined);
}

/** The operators' view of one member; 404 if not registered. */
export async function memberDetail(memberId: string, now = new Date()) {
  const stored = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.profile(memberId), ConsistentRead: true }));
  if (!stored.Item) throw new NotFoundError(`member ${memberId} is not registered`);
  const item = stored.Item;
  const rules = (await getEarningRules()).tiers;
  const member = profileFromItem(item, rules, now);
  const [wallets, referrals] = await Promise.all([walletsOf(memberId), referralStats(memberId)]);
  const points = wallets.find((w) => w.currency === 'points');
  if (!points) throw new NotFoundError(`member ${memberId} has no points wallet`);
  return {
    ...publicProfile(member),
    points,
    wallets,
    tierProgress: tierProgressOf(member, item, rules, now),
    referrals: {
      referredBy: member.referredBy,
      referrerId: member.referrerId,
      referredCount: referrals.referrals,
      referralPointsEarned: referrals.pointsEarned,
    },
    erasedAt: typeof item.erasedAt === 'string' ? item.erasedAt : null,
    erasedBy: typeof item.erasedBy === 'string' ? item.erasedBy : null,
  };
}
