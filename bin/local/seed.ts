import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { commit, type LedgerMove } from '../../shared/ledger/ledger.js';
import { DomainError } from '../../shared/errors.js';
import { awardFromPool, createPool } from '../../shared/earning/pools.js';
import { getMember, registerMember, type Tier } from '../../shared/members/service.js';

export interface SeedMember {
  readonly memberId: string;
  readonly tier: Tier;
  readonly tags: readonly string[];
  /** Points earned n months ago, expiring 12 months after. */
  readonly earned: readonly { readonly monthsAgo: number; readonly points: number; readonly reason: string }[];
  readonly spent?: number;
  readonly miles?: number;
}

/** Demo members, one per tier, with history that shows FIFO expiry and a second currency. */
export const demoMembers: readonly SeedMember[] = [
  {
    memberId: 'm1',
    tier: 'normal',
    tags: ['new'],
    earned: [
      { monthsAgo: 11, points: 800, reason: 'purchase at store1' },
      { monthsAgo: 2, points: 1500, reason: 'purchase at store2' },
    ],
    spent: 300,
    miles: 250,
  },
  { memberId: 'm-silver', tier: 'silver', tags: ['coffee'], earned: [{ monthsAgo: 5, points: 3200, reason: 'purchases' }] },
  {
    memberId: 'm-gold',
    tier: 'gold',
    tags: ['fashion', 'vip-events'],
    earned: [
      { monthsAgo: 10, points: 6000, reason: 'purchases' },
      { monthsAgo: 1, points: 9000, reason: 'purchases' },
    ],
    spent: 2500,
  },
  {
    memberId: 'm-diamond',
    tier: 'diamond',
    tags: ['vip-events'],
    earned: [{ monthsAgo: 3, points: 48000, reason: 'purchases' }],
    miles: 4000,
  },
];

/**
 * Seed records are kept for ever: a record past its TTL counts as gone, so
 * with the default 7 days a restart a week later would pay the demo credits again.
 */
const SEED_IDEMPOTENCY_TTL_SECONDS = 100 * 365 * 24 * 3600;

async function once(key: string, move: LedgerMove, now: Date): Promise<void> {
  await commit({
    moves: [move],
    idempotency: { scope: 'seed', key, fingerprint: fingerprintOf(key), ttlSeconds: SEED_IDEMPOTENCY_TTL_SECONDS },
    response: () => ({ status: 200, body: { seeded: key } }),
    now,
  });
}

/** The demo points pool for activity points. */
export const DEMO_POOL_ID = 'pool-demo';

/** A referral and an activity award: m-friend registers with m-gold's code and signs in once. */
async function seedReferralAndPool(now: Date): Promise<void> {
  const referrer = await getMember('m-gold');
  // Registration pays the referral (m-gold 100, m-friend 50) once; later starts find the member and change nothing.
  await registerMember('m-friend', { referralCode: referrer.referralCode, birthday: '1995-06-18', tags: ['new'] }, now);
  try {
    await createPool(
      {
        name: 'Activity points (demo)',
        budgetPoints: 100_000,
        activities: [
          { activity: 'sign-in', weight: 50, dailyCapPerMember: 5 },
          { activity: 'share', weight: 30, dailyCapPerMember: 30 },
          { activity: 'games', weight: 20 },
        ],
      },
      'seed',
      { poolId: DEMO_POOL_ID, now },
    );
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
  }
  await awardFromPool({
    poolId: DEMO_POOL_ID,
    activity: 'sign-in',
    memberId: 'm-friend',
    points: 5,
    reason: 'daily sign-in',
    ref: 'sign-in:seed',
    idempotency: { scope: 'seed', key: 'm-friend:sign-in', fingerprint: fingerprintOf('m-friend:sign-in'), ttlSeconds: SEED_IDEMPOTENCY_TTL_SECONDS },
    now,
  });
}

/** Seeds demo data; safe to run on every start (registrations and credits are idempotent). */
export async function seedDemoData(now = new Date()): Promise<{ members: string[] }> {
  for (const member of demoMembers) {
    await registerMember(member.memberId, { tier: member.tier, tags: member.tags }, now);
    for (const [i, earn] of member.earned.entries()) {
      const earnedAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - earn.monthsAgo, 15));
      await once(
        `${member.memberId}:earn:${i}`,
        { memberId: member.memberId, type: 'EARN', points: earn.points, bucket: bucketAfterMonths(earnedAt, 12), reason: earn.reason, ref: `seed-${i}` },
        earnedAt < now ? earnedAt : now,
      );
    }
    if (member.spent) {
      await once(`${member.memberId}:spend`, { memberId: member.memberId, type: 'SPEND', points: member.spent, reason: 'redeemed in the mall', ref: 'seed-order' }, now);
    }
    if (member.miles) {
      await once(
        `${member.memberId}:miles`,
        { memberId: member.memberId, currency: 'partner-miles', type: 'EARN', points: member.miles, bucket: bucketAfterMonths(now, 24), reason: 'flight with partner airline' },
        now,
      );
    }
  }
  await seedReferralAndPool(now);
  return { members: [...demoMembers.map((m) => m.memberId), 'm-friend'] };
}
