import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { commit, type LedgerMove } from '../../shared/ledger/ledger.js';
import { DomainError } from '../../shared/errors.js';
import { awardFromPool, createPool } from '../../shared/earning/pools.js';
import { createCampaign } from '../../shared/earning/campaigns.js';
import { createProduct, getProduct, type ProductInput } from '../../shared/mall/catalogue.js';
import { uploadCodes } from '../../shared/mall/code-pool.js';
import { createCouponTemplate } from '../../shared/mall/coupons.js';
import { getMember, registerMember, type Tier } from '../../shared/members/service.js';
import { createStore } from '../../shared/stores/registry.js';
import { devPosClientId } from './dev-keys.js';
import { seedAuctions } from './seed-auctions.js';
import { seedPastPurchases } from './seed-purchases.js';
import { seedApprovals } from './seed-approvals.js';
import { seedFulfilment } from './seed-fulfilment.js';
import { seedTasks } from './seed-tasks.js';
import { seedDrawAdminDemo } from './seed-draw-admin.js';
import { seedDraws } from './seed-draws.js';
import { seedOrders } from './seed-orders.js';
import { seedFlashSale } from './seed-flash-sale.js';

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

/** Ignores "already exists": the seed runs on every start. */
async function unlessExists(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
  }
}

/** The demo points pool for activity points. */
export const DEMO_POOL_ID = 'pool-demo';

/** A referral and an activity award: m-friend registers with m-gold's code and signs in once. */
async function seedReferralAndPool(now: Date): Promise<void> {
  const referrer = await getMember('m-gold');
  // Registration pays the referral (m-gold 100, m-friend 50) once; later starts find the member and change nothing.
  await registerMember('m-friend', { referralCode: referrer.referralCode, birthday: '1995-06-18', tags: ['new'] }, now);
  await unlessExists(() =>
    createPool(
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
    ),
  );
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

/** The demo campaign: double points for everyone, running for a year from the first start. */
export const DEMO_CAMPAIGN_ID = 'c-demo-double-points';

async function seedCampaign(now: Date): Promise<void> {
  await unlessExists(() =>
    createCampaign(
      {
        name: 'Double points (demo)',
        status: 'ACTIVE',
        effect: { kind: 'multiplier', multiplier: 2 },
        schedule: { startsAt: now.toISOString(), endsAt: new Date(now.getTime() + 365 * 86_400_000).toISOString(), timezone: 'Asia/Shanghai', recurring: null },
        audience: { kind: 'all' },
        targets: { categories: ['B'] },
        budgetPoints: 1_000_000,
        perMemberCap: 10_000,
      },
      'seed',
      now,
      { campaignId: DEMO_CAMPAIGN_ID },
    ),
  );
}

const product = (fields: Partial<ProductInput> & Pick<ProductInput, 'productId' | 'name' | 'type' | 'pricePoints'>): ProductInput => ({
  description: '',
  zone: 'main',
  pointsCash: null,
  visibleToTiers: null,
  limits: { perDay: null, lifetime: null },
  saleStartsAt: null,
  saleEndsAt: null,
  supplier: null,
  couponTemplateId: null,
  status: 'ACTIVE',
  sortOrder: 1000,
  stockShards: 1,
  initialStock: 0,
  ...fields,
});

/** Mall products of each kind the mall sells today: everyday goods, points+cash, supplier goods, a flash sale, a tier zone. */
export const demoProducts: readonly ProductInput[] = [
  product({ productId: 'p-tea-set', name: 'Porcelain tea set', type: 'PHYSICAL', pricePoints: 2000, sortOrder: 10, initialStock: 50 }),
  product({
    productId: 'p-headphones',
    name: 'Wireless headphones (shipped by JD)',
    type: 'SUPPLIER',
    supplier: { supplierId: 'jd', sku: '100012043978' },
    pricePoints: 12_000,
    pointsCash: { points: 6000, cashCents: 9900 },
    sortOrder: 20,
    initialStock: 20,
  }),
  product({
    productId: 'p-flash-sneakers',
    name: 'Limited sneakers (flash sale, 1 per member)',
    type: 'PHYSICAL',
    zone: 'flash-sale',
    pricePoints: 5000,
    limits: { perDay: null, lifetime: 1 },
    stockShards: 8,
    initialStock: 100,
  }),
  product({
    productId: 'p-gold-lounge',
    name: 'Airport lounge pass (gold and diamond)',
    type: 'PHYSICAL',
    zone: 'gold-club',
    visibleToTiers: ['gold', 'diamond'],
    pricePoints: 3000,
    limits: { perDay: 1, lifetime: null },
    initialStock: 30,
  }),
  product({
    productId: 'p-coffee-coupon',
    name: '10 CNY off over 50 CNY at our cafes (coupon)',
    type: 'COUPON',
    couponTemplateId: 'ct-coffee-10-off-50',
    pricePoints: 500,
    sortOrder: 30,
    initialStock: 1000,
  }),
  product({ productId: 'p-phone-topup', name: '30 CNY phone top-up card (code)', type: 'VIRTUAL', pricePoints: 3000, stockShards: 2, sortOrder: 40 }),
];

/** Demo coupon templates: one per discount kind. */
async function seedCoupons(now: Date): Promise<void> {
  const days30 = { kind: 'DAYS_AFTER_ISSUE' as const, days: 30 };
  await unlessExists(() =>
    createCouponTemplate(
      { couponTemplateId: 'ct-coffee-10-off-50', name: '10 CNY off over 50 CNY', description: '', discount: { kind: 'AMOUNT_OFF', amountOffCents: 1000, thresholdCents: 5000 }, validity: days30, issueLimit: 10_000 },
      now,
    ),
  );
  await unlessExists(() =>
    createCouponTemplate(
      { couponTemplateId: 'ct-15-percent-off', name: '15% off, at most 30 CNY', description: '', discount: { kind: 'PERCENT_OFF', percent: 15, maxOffCents: 3000, thresholdCents: 0 }, validity: days30, issueLimit: null },
      now,
    ),
  );
  await unlessExists(() =>
    createCouponTemplate(
      { couponTemplateId: 'ct-5-cny-no-threshold', name: '5 CNY off, no minimum', description: '', discount: { kind: 'NO_THRESHOLD', amountOffCents: 500 }, validity: days30, issueLimit: null },
      now,
    ),
  );
}

/** Demo top-up card codes for the VIRTUAL product (uploading them again changes nothing). */
async function seedCodes(now: Date): Promise<void> {
  const codes = Array.from({ length: 40 }, (_, i) => `TOPUP-DEMO-${String(i + 1).padStart(4, '0')}`);
  await uploadCodes(await getProduct('p-phone-topup', { fresh: true }), codes, now);
}

/** Demo stores; the POS token of each (`npm run token -- pos store1`) is issued to the client bound here. */
export const demoStores = [
  { storeId: 'store1', name: 'Flagship store (demo)' },
  { storeId: 'store2', name: 'Mall kiosk (demo)' },
] as const;

/** Registers the demo stores (the same request every start: the registry answers the existing store). */
async function seedStores(now: Date): Promise<void> {
  for (const store of demoStores) await createStore({ ...store, clientIds: [devPosClientId(store.storeId)] }, 'seed', now);
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
  await seedStores(now);
  await seedReferralAndPool(now);
  await seedCampaign(now);
  await seedPastPurchases(now);
  await seedCoupons(now);
  for (const p of demoProducts) await unlessExists(() => createProduct(p, now));
  await seedCodes(now);
  await seedOrders(now);
  await seedFlashSale(now);
  await seedTasks(now);
  await seedAuctions(now);
  await seedDraws(now);
  await seedDrawAdminDemo(now);
  await seedApprovals(now);
  await seedFulfilment(now);
  return { members: [...demoMembers.map((m) => m.memberId), 'm-friend'] };
}
