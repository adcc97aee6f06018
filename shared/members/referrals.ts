/**
 * Referral rewards (docs/earning.md, Referrals). A member who registers with
 * a referral code names a referrer once and for ever (`referrerId` on the
 * profile). Then:
 *
 * - `settleReferral`: one commit pays the referrer the ladder rung of this
 *   referral and the new member the welcome bonus, puts the referral record
 *   (once per referee: the reward is paid once) and moves the referrer's
 *   referral counter on by one (conditional on the count read, so concurrent
 *   referrals of one referrer each get their own rung).
 * - `firstPurchaseReferralWrites`: the extra move and marker a POS purchase
 *   adds to its own commit when it is the referee's first purchase.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { referrerReward } from '../domain/referrals.js';
import { DomainError } from '../errors.js';
import { bucketForPolicy, getEarningRules, type EarningRules } from '../earning/rules-store.js';
import { commit, type ExtraWrite, type LedgerMove } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import type { MemberProfile } from './service.js';
import { StaleMemberError } from './tiers.js';

const MAX_ATTEMPTS = 40;

class AlreadyRewarded extends Error {}
class StaleReferralCount extends Error {}

export interface ReferralOutcome {
  /** False when there is nothing to pay: no referrer, or the referral was rewarded before. */
  readonly rewarded: boolean;
  /** Which referral of the referrer this was (1 = their first). */
  readonly nth?: number;
  readonly referrerPoints?: number;
  readonly refereePoints?: number;
}

/**
 * Pays the rewards of a referral exactly once. Registration calls it after
 * the member is created, and again on a repeated registration, so a reward a
 * crashed or refused first call left unpaid is paid by the retry.
 */
export async function settleReferral(
  referee: Pick<MemberProfile, 'memberId' | 'referrerId' | 'referredBy'>,
  now: Date = new Date(),
): Promise<ReferralOutcome> {
  const referrerId = referee.referrerId;
  if (!referrerId) return { rewarded: false };
  // Impossible by construction (a member's own code does not exist before the member does); refused anyway.
  if (referrerId === referee.memberId) throw new DomainError('CONFLICT', 'a member cannot refer themselves');
  const recordKey = keys.member.referral(referrerId, referee.memberId);
  const recorded = await db().send(new GetCommand({ TableName: tableName(), Key: recordKey, ConsistentRead: true }));
  if (recorded.Item) return { rewarded: false };

  const rules = await getEarningRules();
  const bucket = bucketForPolicy(rules.expiry, now);
  const statsKey = keys.member.referralStats(referrerId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
    const stats = await db().send(new GetCommand({ TableName: tableName(), Key: statsKey, ConsistentRead: true }));
    const count = Number(stats.Item?.referrals ?? 0);
    const nth = count + 1;
    const referrerPoints = referrerReward(rules.referrals, nth);
    const refereePoints = rules.referrals.refereeWelcomePoints;
    const ref = `referral:${referee.memberId}`;
    const moves: LedgerMove[] = [
      ...(referrerPoints > 0
        ? [{ memberId: referrerId, type: 'EARN' as const, points: referrerPoints, bucket, reason: `referral #${nth}: ${referee.memberId} joined`, ref }]
        : []),
      ...(refereePoints > 0
        ? [{ memberId: referee.memberId, type: 'EARN' as const, points: refereePoints, bucket, reason: `welcome bonus: referred by code ${referee.referredBy ?? ''}`.trim(), ref }]
        : []),
    ];
    const extra: ExtraWrite[] = [
      {
        // First: when the referral was paid meanwhile, that is the answer, whatever else failed.
        item: {
          Put: {
            TableName: tableName(),
            Item: {
              ...recordKey,
              entity: 'Referral',
              referrerId,
              refereeId: referee.memberId,
              referralCode: referee.referredBy,
              nth,
              referrerPoints,
              refereePoints,
              at: now.toISOString(),
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        onConditionFailed: () => new AlreadyRewarded(),
      },
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: statsKey,
            UpdateExpression: 'SET #n = :nth, entity = :entity, memberId = :referrer, updatedAt = :now ADD pointsEarned :points',
            ConditionExpression: count === 0 ? 'attribute_not_exists(#n)' : '#n = :count',
            ExpressionAttributeNames: { '#n': 'referrals' },
            ExpressionAttributeValues: {
              ':nth': nth,
              ':entity': 'ReferralStats',
              ':referrer': referrerId,
              ':now': now.toISOString(),
              ':points': referrerPoints,
              ...(count === 0 ? {} : { ':count': count }),
            },
          },
        },
        onConditionFailed: () => new StaleReferralCount(),
      },
    ];
    try {
      await commit({ moves, extra, now });
      return { rewarded: true, nth, referrerPoints, refereePoints };
    } catch (error) {
      if (error instanceof AlreadyRewarded) return { rewarded: false };
      if (error instanceof StaleReferralCount) continue;
      throw error;
    }
  }
  throw new DomainError('CONFLICT', `the referral reward of ${referee.memberId} met too many concurrent referrals; register again to settle it`);
}

/** What a referrer has earned by referring (the counter item), for reads and tests. */
export async function referralStats(memberId: string): Promise<{ referrals: number; pointsEarned: number }> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.referralStats(memberId), ConsistentRead: true }));
  return { referrals: Number(result.Item?.referrals ?? 0), pointsEarned: Number(result.Item?.pointsEarned ?? 0) };
}

/**
 * The first-purchase hook of `recordPurchase` (shared/earning/pos.ts): when
 * the buyer was referred, has no purchase recorded yet and the rules pay a
 * first-purchase bonus, the purchase's own commit also credits the referrer
 * and puts the buyer's FIRST_PURCHASE marker. The marker's condition makes
 * the bonus once per member even if two first purchases race (the loser
 * re-reads the member and commits without the bonus).
 */
export function firstPurchaseReferralWrites(
  member: Pick<MemberProfile, 'memberId' | 'referrerId' | 'purchaseCount'>,
  purchaseId: string,
  rules: EarningRules,
  now: Date,
): { moves: LedgerMove[]; extra: ExtraWrite[] } {
  const points = rules.referrals.firstPurchaseReferrerPoints;
  if (!member.referrerId || member.purchaseCount > 0 || points <= 0 || member.referrerId === member.memberId) return { moves: [], extra: [] };
  return {
    moves: [
      {
        memberId: member.referrerId,
        type: 'EARN',
        points,
        bucket: bucketForPolicy(rules.expiry, now),
        reason: `referral: first purchase of ${member.memberId}`,
        ref: `referral-first-purchase:${member.memberId}`,
      },
    ],
    extra: [
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: { ...keys.member.firstPurchase(member.memberId), entity: 'FirstPurchase', memberId: member.memberId, purchaseId, referrerId: member.referrerId, referrerPoints: points, at: now.toISOString() },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        onConditionFailed: () => new StaleMemberError(member.memberId),
      },
    ],
  };
}
