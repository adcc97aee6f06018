import { beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { routes, type RouteSpec } from '../../lib/routes.js';
import { claimsFor, inMemoryDevKeys, signDevToken, DEV_AUDIENCE, DEV_ISSUER } from '../../bin/local/dev-keys.js';
import { operations, type OperationId } from '../../shared/contracts/index.js';
import type { Operation } from '../../shared/contracts/operation.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { TestApi } from '../support/api.js';

/**
 * One valid request per operation, and one invalid body where the route takes
 * a body. A new route without a sample fails the coverage test below, so every
 * route gets the bad-input treatment.
 */
interface Sample {
  readonly path: (memberId: string) => string;
  readonly body?: unknown;
  readonly invalidBody?: unknown;
  readonly invalidQuery?: string;
}

const samples: Partial<Record<OperationId, Sample>> = {
  health: { path: () => '/v1/health' },
  healthReady: { path: () => '/v1/health/ready' },
  openapi: { path: () => '/v1/openapi.json' },
  apiDocs: { path: () => '/v1/docs' },
  registerMember: { path: () => '/v1/me/register', body: {}, invalidBody: { birthday: 'yesterday', referralCode: 'x' } },
  getMe: { path: () => '/v1/me' },
  // Erasure takes no body; what it erases and keeps: test/integration/erasure.test.ts.
  eraseMe: { path: () => '/v1/me' },
  eraseMember: { path: (m) => `/v1/admin/members/${m}` },
  getMyPoints: { path: () => '/v1/me/points', invalidQuery: 'currency=NOT A CODE' },
  listMyLedger: { path: () => '/v1/me/ledger', invalidQuery: 'limit=1000' },
  exchangePoints: {
    path: () => '/v1/me/exchanges',
    body: { from: 'partner-miles', to: 'points', amount: 10 },
    invalidBody: { from: 'points', to: 'points', amount: -1 },
  },
  getMember: { path: (m) => `/v1/admin/members/${m}` },
  searchMembers: { path: () => '/v1/admin/members', invalidQuery: 'idPrefix=ab&tier=gold' },
  listMemberLedger: { path: (m) => `/v1/admin/members/${m}/ledger`, invalidQuery: 'limit=1000' },
  listMemberOrders: { path: (m) => `/v1/admin/members/${m}/orders`, invalidQuery: 'limit=0' },
  listMemberCoupons: { path: (m) => `/v1/admin/members/${m}/coupons`, invalidQuery: 'status=LOST' },
  listMemberTaskCompletions: { path: (m) => `/v1/admin/members/${m}/task-completions`, invalidQuery: 'taskId=%24x' },
  listMemberBids: { path: (m) => `/v1/admin/members/${m}/bids`, invalidQuery: 'limit=1000' },
  listMemberSpins: { path: (m) => `/v1/admin/members/${m}/spins`, invalidQuery: 'drawId=a%2Fb' },
  adjustMemberPoints: {
    path: (m) => `/v1/admin/members/${m}/adjustments`,
    body: { points: 10, reason: 'test credit' },
    invalidBody: { points: 1.5, reason: '' },
  },
  runJob: { path: () => '/v1/admin/jobs/expiry', invalidQuery: 'at=not-a-time' },
  getEarningRules: { path: () => '/v1/admin/earning-rules' },
  putEarningRules: {
    path: () => '/v1/admin/earning-rules',
    body: {
      expectedVersion: 0,
      bands: [{ overYuan: 0, rate: 1 }],
      tierMultipliers: { normal: 1, silver: 1, gold: 1.5, diamond: 2 },
      pointsPerYuan: 100,
      topUpRatePerYuan: 1,
      expiry: { policy: 'rolling-months', months: 12 },
    },
    invalidBody: { expectedVersion: -1, bands: [{ overYuan: 5, rate: 1.23456 }], pointsPerYuan: 0 },
  },
  previewEarning: {
    path: () => '/v1/admin/earning-previews',
    body: { lines: [{ sku: 's1', category: 'A', amountCents: 100, quantity: 1 }] },
    invalidBody: { lines: [], tier: 'platinum' },
  },
  recordPurchase: {
    path: () => '/v1/pos/purchases',
    body: { purchaseId: 'p-bad-input', memberId: 'victim', storeId: 'store1', paidAt: '2026-01-01T00:00:00Z', lines: [{ sku: 's1', category: 'A', amountCents: 100, quantity: 1 }] },
    invalidBody: { purchaseId: '', memberId: 'x', storeId: 'store1', paidAt: 'yesterday', lines: [] },
  },
  refundPurchase: {
    path: () => '/v1/pos/purchases/p-unknown/refunds',
    body: { refundId: 'r-1', amountCents: 100 },
    invalidBody: { refundId: '', amountCents: 0 },
  },
  voidPurchase: {
    path: () => '/v1/pos/purchases/p-unknown/void',
    body: { reason: 'typed the wrong amount' },
    invalidBody: { reason: '', purchaseId: 'p-other' },
  },
  submitPurchaseBatch: {
    path: () => '/v1/pos/purchase-batches',
    body: { batchId: 'batch-bad-input', purchases: [{ purchaseId: 'p-bad-input-batch', memberId: 'victim', storeId: 'store1', paidAt: '2026-01-01T00:00:00Z', lines: [{ sku: 's1', category: 'A', amountCents: 100, quantity: 1 }] }] },
    invalidBody: { batchId: 'not an id', purchases: [{ purchaseId: '' }], refunds: 'none' },
  },
  getPurchaseBatch: { path: () => '/v1/pos/purchase-batches/batch-unknown', invalidQuery: 'limit=0' },
  listPurchaseReviews: { path: () => '/v1/admin/purchase-reviews', invalidQuery: 'limit=0' },
  approvePurchaseReview: { path: () => '/v1/admin/purchase-reviews/p-unknown/approve', body: {}, invalidBody: { reason: 42 } },
  rejectPurchaseReview: { path: () => '/v1/admin/purchase-reviews/p-unknown/reject', body: { reason: 'test basket' }, invalidBody: { reason: '' } },
  recordTopUp: {
    path: () => '/v1/pos/top-ups',
    body: { topUpId: 't-bad-input', memberId: 'victim', amountCents: 100 },
    invalidBody: { topUpId: 't 1', memberId: 'victim', amountCents: -5 },
  },
  issuePaymentCode: { path: () => '/v1/me/payment-codes' },
  createStore: {
    path: () => '/v1/admin/stores',
    body: { storeId: 'store-bad-input', name: 'Bad input store' },
    invalidBody: { storeId: 'has space', name: 'x', clientIds: ['pos-a', 'pos-a'] },
  },
  listStores: { path: () => '/v1/admin/stores', invalidQuery: 'limit=0' },
  getStore: { path: () => '/v1/admin/stores/store-unknown' },
  updateStore: { path: () => '/v1/admin/stores/store-unknown', body: { status: 'SUSPENDED' }, invalidBody: { expectedVersion: 0, status: 'CLOSED' } },
  createCampaign: {
    path: () => '/v1/admin/campaigns',
    body: { name: 'bad input test', effect: { kind: 'bonus', points: 1 }, schedule: { startsAt: '2020-01-01T00:00:00Z', endsAt: '2020-01-02T00:00:00Z' } },
    invalidBody: { name: 'x', effect: { kind: 'multiplier', multiplier: 0.5 }, schedule: { startsAt: '2020-01-02T00:00:00Z', endsAt: '2020-01-01T00:00:00Z', timezone: 'Mars/Olympus' } },
  },
  listCampaigns: { path: () => '/v1/admin/campaigns', invalidQuery: 'state=finished' },
  getCampaign: { path: () => '/v1/admin/campaigns/c-unknown' },
  updateCampaign: {
    path: () => '/v1/admin/campaigns/c-unknown',
    body: { expectedVersion: 1, status: 'PAUSED' },
    invalidBody: { expectedVersion: 0, status: 'DONE' },
  },
  campaignStats: { path: () => '/v1/admin/campaigns/c-unknown/stats', invalidQuery: 'granularity=minute' },
  redeemAtCheckout: {
    path: () => '/v1/pos/redemptions',
    body: { redemptionId: 'rd-bad-input', memberId: 'victim', points: 100, paymentCode: '123456789012345678' },
    invalidBody: { redemptionId: 'rd-1', memberId: 'victim', points: 0.5, paymentCode: '12345' },
  },
  buyTierUpgrade: {
    path: () => '/v1/me/tier-upgrades',
    body: { tier: 'silver' },
    invalidBody: { tier: 'platinum' },
  },
  createPool: {
    path: () => '/v1/admin/pools',
    body: { name: 'bad input pool', budgetPoints: 100, activities: [{ activity: 'sign-in', weight: 1 }] },
    invalidBody: { name: 'x', budgetPoints: 0, activities: [{ activity: 'Sign In', weight: 0.5 }] },
  },
  listPools: { path: () => '/v1/admin/pools', invalidQuery: 'limit=0' },
  getPool: { path: () => '/v1/admin/pools/pool-unknown' },
  pointsReport: { path: () => '/v1/admin/reports/points', invalidQuery: 'from=2026-13-01' },
  createWhatIfReplay: {
    path: () => '/v1/admin/what-if-replays',
    body: { from: '2026-01-01', to: '2026-01-02', draftCampaign: { name: 'bad input replay', effect: { kind: 'bonus', points: 1 }, schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-01-03T00:00:00Z' } } },
    invalidBody: { from: '2026-01-31', to: '2026-13-01', draftRules: { bands: [] } },
  },
  listWhatIfReplays: { path: () => '/v1/admin/what-if-replays', invalidQuery: 'limit=0' },
  getWhatIfReplay: { path: () => '/v1/admin/what-if-replays/wi-unknown' },
  pointsDailyReport: { path: () => '/v1/admin/reports/points/daily', invalidQuery: 'to=2026-02-30' },
  campaignReport: { path: () => '/v1/admin/reports/campaigns', invalidQuery: 'limit=21' },
  expiryForecast: { path: () => '/v1/admin/reports/expiry-forecast', invalidQuery: 'currency=NOT A CODE' },
  dashboard: { path: () => '/v1/admin/dashboard' },
  createProduct: {
    path: () => '/v1/admin/products',
    body: { productId: 'p-bad-input', name: 'Bad input product', type: 'PHYSICAL', pricePoints: 10 },
    invalidBody: { name: 'x', type: 'GOLD', pricePoints: -1 },
  },
  updateProduct: { path: () => '/v1/admin/products/p-unknown', body: { expectedVersion: 1, name: 'renamed' }, invalidBody: { expectedVersion: 0, pricePoints: 'ten' } },
  getProductAdmin: { path: () => '/v1/admin/products/p-unknown' },
  listProductsAdmin: { path: () => '/v1/admin/products', invalidQuery: 'onSaleNow=maybe' },
  getSaleMonitor: { path: () => '/v1/admin/products/p-unknown/sale-monitor', invalidQuery: 'minutes=0' },
  setStock: { path: () => '/v1/admin/products/p-unknown/stock', body: { mode: 'set', quantity: 5 }, invalidBody: { mode: 'replace', quantity: -1 } },
  rebalanceStock: { path: () => '/v1/admin/products/p-unknown/stock/rebalance', body: {}, invalidBody: { shards: 0 } },
  submitStockFeed: {
    path: () => '/v1/admin/stock-feeds',
    body: { feedId: 'feed-bad-input', lines: [{ productId: 'p-unknown', mode: 'set', quantity: 5 }] },
    invalidBody: { feedId: 'not an id', lines: [{ productId: 'p-unknown', mode: 'set', quantity: '5' }] },
  },
  getStockFeed: { path: () => '/v1/admin/stock-feeds/feed-unknown', invalidQuery: 'limit=0' },
  uploadProductCodes: { path: () => '/v1/admin/products/p-unknown/codes', body: { codes: ['CODE-000001'] }, invalidBody: { codes: ['x', 'has space'] } },
  listMallProducts: { path: () => '/v1/mall/products', invalidQuery: 'zone=Not A Zone' },
  getMallProduct: { path: () => '/v1/mall/products/p-unknown' },
  placeOrder: { path: () => '/v1/orders', body: { productId: 'p-unknown' }, invalidBody: { productId: 'p-1', quantity: 0, payment: 'CASH' } },
  listMyOrders: { path: () => '/v1/me/orders', invalidQuery: 'limit=0' },
  getOrder: { path: () => '/v1/orders/o-unknown' },
  cancelOrder: { path: () => '/v1/orders/o-unknown/cancel' },
  getOrderAdmin: { path: () => '/v1/admin/orders/o-unknown' },
  cancelOrderAdmin: { path: () => '/v1/admin/orders/o-unknown/cancel' },
  listOrdersAdmin: { path: () => '/v1/admin/orders', invalidQuery: 'paymentKind=CASH' },
  refundOrderAdmin: { path: () => '/v1/admin/orders/o-unknown/refund', body: { reason: 'bad input' }, invalidBody: { reason: '' } },
  // Signed webhooks: the signature is checked before the body (test/integration/webhooks.test.ts).
  receiveSupplierCallback: { path: () => '/v1/webhooks/suppliers/jd' },
  receivePaymentCallback: { path: () => '/v1/webhooks/payments/wechatpay' },
  createCouponTemplate: {
    path: () => '/v1/admin/coupons',
    body: { couponTemplateId: 'ct-bad-input', name: 'Bad input coupon', discount: { kind: 'NO_THRESHOLD', amountOffCents: 100 }, validity: { kind: 'DAYS_AFTER_ISSUE', days: 7 } },
    invalidBody: { name: 'x', discount: { kind: 'AMOUNT_OFF', amountOffCents: 500, thresholdCents: 100 }, validity: { kind: 'DAYS_AFTER_ISSUE', days: 0 } },
  },
  getCouponTemplate: { path: () => '/v1/admin/coupons/ct-unknown' },
  listCouponTemplates: { path: () => '/v1/admin/coupons', invalidQuery: 'limit=0' },
  listMyCoupons: { path: () => '/v1/me/coupons', invalidQuery: 'status=GONE' },
  redeemCoupon: {
    path: () => '/v1/pos/coupons/cp-unknown/redemptions',
    body: { redemptionId: 'cr-bad-input', memberId: 'victim', orderAmountCents: 1000 },
    invalidBody: { redemptionId: '', memberId: 'victim', orderAmountCents: -1 },
  },
  listMyTasks: { path: () => '/v1/tasks' },
  completeTask: { path: () => '/v1/tasks/t-unknown/completions', body: {}, invalidBody: { productId: 'not an id' } },
  listMySignIns: { path: () => '/v1/me/sign-ins', invalidQuery: 'month=2026-13' },
  createTask: {
    path: () => '/v1/admin/tasks',
    body: { type: 'CUSTOM', name: 'bad input task', points: 1, poolId: 'pool-unknown', activity: 'custom', startsAt: '2026-01-01T00:00:00Z', period: 'DAILY' },
    invalidBody: { type: 'SIGN_IN', name: 'x', points: 0, poolId: 'pool 1', activity: 'Sign In', startsAt: 'yesterday', streakBonuses: [{ day: 1, points: -5 }] },
  },
  listTasks: { path: () => '/v1/admin/tasks', invalidQuery: 'limit=0' },
  getTask: { path: () => '/v1/admin/tasks/t-unknown' },
  updateTask: { path: () => '/v1/admin/tasks/t-unknown', body: { expectedVersion: 1, status: 'PAUSED' }, invalidBody: { expectedVersion: 0, status: 'DONE' } },
  listAuctions: { path: () => '/v1/auctions', invalidQuery: 'limit=0' },
  getAuction: { path: () => '/v1/auctions/a-unknown' },
  placeBid: {
    path: () => '/v1/auctions/a-unknown/bids',
    body: { amount: 100 },
    invalidBody: { amount: 0.5, maxAmount: -1 },
  },
  listMyBids: { path: () => '/v1/me/bids', invalidQuery: 'limit=1000' },
  createAuction: {
    path: () => '/v1/admin/auctions',
    body: { productId: 'p-unknown', title: 'Bad input auction', startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-02T00:00:00Z', startingPrice: 10, minIncrement: 1 },
    invalidBody: { productId: '', title: 'x', startsAt: 'tomorrow', endsAt: '2030-01-01T00:00:00Z', startingPrice: 0, minIncrement: 1.5, antiSniping: { windowSeconds: 0, extendSeconds: 10 } },
  },
  listAuctionsAdmin: { path: () => '/v1/admin/auctions', invalidQuery: 'limit=0' },
  getAuctionAdmin: { path: () => '/v1/admin/auctions/a-unknown', invalidQuery: 'limit=abc' },
  updateAuction: {
    path: () => '/v1/admin/auctions/a-unknown',
    body: { expectedVersion: 0, title: 'Renamed auction' },
    invalidBody: { expectedVersion: -1, startsAt: 'tomorrow', startingPrice: 0, reservePrice: 2.5, antiSniping: { windowSeconds: 0, extendSeconds: 10 } },
  },
  cancelAuction: { path: () => '/v1/admin/auctions/a-unknown/cancel', body: { reason: 'bad input test' }, invalidBody: { reason: '  ' } },
  createDraw: {
    path: () => '/v1/admin/draws',
    body: {
      drawId: 'd-bad-input',
      name: 'Bad input wheel',
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '2099-01-01T00:00:00Z',
      freeSpinsPerDay: 3,
      spinCostPoints: 10,
      maxSpinsPerDay: 5,
      prizes: [
        { prizeId: 'gift', name: 'Gift', kind: 'NOTHING', weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
      consolationPrizeId: 'thanks',
    },
    invalidBody: { name: 'x', startsAt: 'tomorrow', endsAt: '2026-01-01T00:00:00Z', freeSpinsPerDay: -1, spinCostPoints: 0, prizes: [{ prizeId: 'p', kind: 'JACKPOT', weight: 0.5 }] },
  },
  getDrawAdmin: { path: () => '/v1/admin/draws/d-unknown' },
  // Changes refused on a real draw (a fixed field, an end in the past, a top-up of an unlimited prize ...): test/integration/draws.test.ts.
  updateDraw: {
    path: () => '/v1/admin/draws/d-unknown',
    body: { expectedVersion: 1, status: 'PAUSED' },
    invalidBody: { expectedVersion: 0, status: 'CLOSED', endsAt: 'tomorrow', stockTopUps: [{ prizeId: '', add: 1.5 }] },
  },
  listDraws: { path: () => '/v1/draws', invalidQuery: 'limit=0' },
  listDrawsAdmin: { path: () => '/v1/admin/draws', invalidQuery: 'status=CLOSED' },
  listDrawSeedsAdmin: { path: () => '/v1/admin/draws/d-unknown/seeds', invalidQuery: 'limit=0' },
  replaceDrawPrizes: {
    path: () => '/v1/admin/draws/d-unknown/prizes',
    body: {
      expectedVersion: 1,
      prizes: [
        { prizeId: 'gift', name: 'Gift', kind: 'NOTHING', weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
      consolationPrizeId: 'thanks',
    },
    invalidBody: { expectedVersion: 0, prizes: [{ prizeId: 'p', kind: 'JACKPOT', weight: 0.5 }], consolationPrizeId: '' },
  },
  listAuctionBids: { path: () => '/v1/admin/auctions/a-unknown/bids', invalidQuery: 'limit=1000' },
  listDeadLetters: { path: () => '/v1/admin/dead-letters', invalidQuery: 'status=LOST' },
  getDeadLetter: { path: () => '/v1/admin/dead-letters/dl-unknown' },
  redriveDeadLetter: { path: () => '/v1/admin/dead-letters/dl-unknown/redrive', body: {}, invalidBody: { reason: 7 } },
  redriveDeadLetters: { path: () => '/v1/admin/dead-letters/redrive', body: { reason: 'bad input test' }, invalidBody: { reason: '' } },
  discardDeadLetter: { path: () => '/v1/admin/dead-letters/dl-unknown/discard', body: { reason: 'bad input test' }, invalidBody: {} },
  listFulfilmentProblems: { path: () => '/v1/admin/fulfilment/problems', invalidQuery: 'kind=LATE' },
  getDraw: { path: () => '/v1/draws/d-unknown' },
  // Spins take no body; a spin without an Idempotency-Key, or on an unknown or closed draw: test/integration/draws.test.ts.
  spinDraw: { path: () => '/v1/draws/d-unknown/spins' },
  setMemberTier: {
    path: (m) => `/v1/admin/members/${m}/tier`,
    body: { tier: 'gold', expectedTier: 'diamond', reason: 'sample tier change' },
    invalidBody: { tier: 'platinum', expectedTier: 'normal', reason: '' },
  },
  listApprovals: { path: () => '/v1/admin/approvals', invalidQuery: 'status=WAITING' },
  getApproval: { path: () => '/v1/admin/approvals/ap-unknown' },
  approveApproval: { path: () => '/v1/admin/approvals/ap-unknown/approve', body: {}, invalidBody: { reason: 'x', extra: true } },
  rejectApproval: { path: () => '/v1/admin/approvals/ap-unknown/reject', body: { reason: 'sample rejection' }, invalidBody: { reason: 12 } },
  getOperatorSettings: { path: () => '/v1/admin/settings' },
  putOperatorSettings: {
    path: () => '/v1/admin/settings',
    body: { approvalThresholdPoints: 10_000_000, supportMaxPointsPerAdjustment: 10_000, supportMaxPointsPerDay: 50_000, expectedVersion: 999 },
    invalidBody: { approvalThresholdPoints: 0, supportMaxPointsPerAdjustment: -1, expectedVersion: 'one' },
  },
  listEarningRuleVersions: { path: () => '/v1/admin/earning-rules/versions', invalidQuery: 'limit=0' },
  listAudit: { path: () => '/v1/admin/audit', invalidQuery: 'from=yesterday' },
  listMyDrawSpins: { path: () => '/v1/draws/d-unknown/spins', invalidQuery: 'limit=1000' },
  listDrawSeeds: { path: () => '/v1/draws/d-unknown/seeds', invalidQuery: 'limit=0' },
};

let api: TestApi;
let tokens: Record<'member' | 'admin' | 'pos', string>;
let memberId: string;

beforeAll(async () => {
  api = await TestApi.create();
  const member = await api.newMember('victim');
  memberId = member.memberId;
  tokens = { member: member.token, admin: await api.token('admin'), pos: await api.registerStore('store1') };
  // Give the member some history so "nothing changed" is meaningful.
  await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, { token: tokens.admin, body: { points: 300, reason: 'baseline' } });
});

async function snapshot() {
  return { wallet: await getWallet(memberId, 'points'), entries: (await allLedgerEntries(memberId, 'points')).length };
}

const protectedRoutes = routes.filter((r) => r.auth !== 'public') as readonly RouteSpec[];
const bodyRoutes = routes.filter((r) => samples[r.operation]?.invalidBody !== undefined) as readonly RouteSpec[];
const wrongRole: Record<string, 'member' | 'admin' | 'pos'> = { member: 'pos', admin: 'member', pos: 'member' };

function sampleOf(route: RouteSpec): Sample {
  const sample = samples[route.operation];
  if (!sample) throw new Error(`no sample for ${route.operation}`);
  return sample;
}

describe('bad input on every route', () => {
  it('has a sample request for every route of the route table', () => {
    expect(routes.filter((r) => !samples[r.operation]).map((r) => r.operation)).toEqual([]);
  });

  describe.each(protectedRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_, route) => {
    it('answers 401 problem+json without a token', async () => {
      const before = await snapshot();
      const res = await api.call(route.method, sampleOf(route).path(memberId), { body: sampleOf(route).body });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
      expect(await snapshot()).toEqual(before);
    });

    it('answers 401 for a token signed by another key, or expired', async () => {
      const strangerKeys = await inMemoryDevKeys();
      const forged = await signDevToken(strangerKeys, claimsFor('admin', 'intruder'));
      const expired = await new SignJWT(claimsFor('admin', 'operator-1'))
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(strangerKeys.privateKey);
      for (const token of [forged, expired, 'not-a-jwt']) {
        const res = await api.call(route.method, sampleOf(route).path(memberId), { token, body: sampleOf(route).body });
        expect(res.status).toBe(401);
      }
    });

    it("answers 403 for a caller of the wrong kind and changes nothing", async () => {
      const before = await snapshot();
      const res = await api.call(route.method, sampleOf(route).path(memberId), {
        token: tokens[wrongRole[route.auth] as 'member'],
        body: sampleOf(route).body,
      });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
      expect(await snapshot()).toEqual(before);
    });
  });

  describe.each(bodyRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_, route) => {
    const token = () => tokens[route.auth as 'member'];

    it('answers 400 with the JSON error for a malformed body', async () => {
      const before = await snapshot();
      const res = await api.call(route.method, sampleOf(route).path(memberId), { token: token(), rawBody: '{"points": 5,', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', detail: expect.stringContaining('not valid JSON') });
      expect(await snapshot()).toEqual(before);
    });

    it('answers 400 naming each invalid field', async () => {
      const before = await snapshot();
      const res = await api.call<{ detail: string; errors: { path: string }[] }>(route.method, sampleOf(route).path(memberId), {
        token: token(),
        body: sampleOf(route).invalidBody,
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.length).toBeGreaterThan(0);
      for (const e of res.body.errors) expect(res.body.detail).toContain(e.path);
      expect(await snapshot()).toEqual(before);
    });

    it('answers 400 for fields the API does not know', async () => {
      const res = await api.call(route.method, sampleOf(route).path(memberId), {
        token: token(),
        body: { ...(sampleOf(route).body as object), surprise: true },
      });
      expect(res.status).toBe(400);
    });

    it('answers 413 for a body over 64 KB (or over the larger limit of its contract)', async () => {
      const before = await snapshot();
      const limit = (operations[route.operation] as Operation).maxBodyBytes ?? 64 * 1024;
      const res = await api.call(route.method, sampleOf(route).path(memberId), {
        token: token(),
        body: { ...(sampleOf(route).body as object), padding: 'x'.repeat(limit + 6 * 1024) },
      });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(await snapshot()).toEqual(before);
    });

    it('answers 415 for a body that is not JSON', async () => {
      const res = await api.call(route.method, sampleOf(route).path(memberId), {
        token: token(),
        rawBody: 'points=5',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status).toBe(415);
    });
  });

  it.each(routes.filter((r) => samples[r.operation]?.invalidQuery).map((r) => [`${r.method} ${r.path}`, r] as const))(
    'answers 400 for an invalid query on %s',
    async (_, route) => {
      const sample = sampleOf(route);
      const token = route.auth === 'public' ? undefined : tokens[route.auth as 'member'];
      const res = await api.call(route.method, `${sample.path(memberId)}?${sample.invalidQuery}`, { token, body: sample.body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    },
  );

  it('answers 404 for an unknown path and 405 for a wrong method, as problem+json', async () => {
    const unknown = await api.call('GET', '/v1/nowhere');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toBe('application/problem+json');
    const wrong = await api.call('DELETE', '/v1/me/points', { token: tokens.member });
    expect(wrong.status).toBe(405);
    expect(wrong.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED', allowed: ['GET'] });
    expect(wrong.headers.allow).toBe('GET');
  });

  it("answers 404 for another member's data: the member API has no path to it", async () => {
    const stranger = await api.newMember('stranger');
    const res = await api.call<{ memberId: string }>('GET', '/v1/me', { token: stranger.token });
    expect(res.body.memberId).toBe(stranger.memberId);
    const adminPath = await api.call('GET', `/v1/admin/members/${memberId}`, { token: stranger.token });
    expect(adminPath.status).toBe(403);
  });

  it('answers 404 for an admin adjustment to an unregistered member and writes nothing', async () => {
    const res = await api.call('POST', '/v1/admin/members/nobody-here/adjustments', {
      token: tokens.admin,
      body: { points: 10, reason: 'test credit' },
    });
    expect(res.status).toBe(404);
  });

  it('answers 409 INSUFFICIENT_POINTS for a debit beyond the balance and changes nothing', async () => {
    const before = await snapshot();
    const res = await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, {
      token: tokens.admin,
      body: { points: -1_000_000, reason: 'too much' },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'INSUFFICIENT_POINTS', available: before.wallet.available });
    expect(await snapshot()).toEqual(before);
  });

  it('replays an adjustment for a repeated Idempotency-Key and refuses the key with another body', async () => {
    const headers = { 'idempotency-key': `adj-${memberId}` };
    const first = await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, { token: tokens.admin, headers, body: { points: 7, reason: 'once only' } });
    const again = await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, { token: tokens.admin, headers, body: { points: 7, reason: 'once only' } });
    const other = await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, { token: tokens.admin, headers, body: { points: 8, reason: 'once only' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });
});
