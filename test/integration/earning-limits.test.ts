import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { capDay, type PosLimits } from '../../shared/domain/pos-limits.js';
import { recordPurchase } from '../../shared/earning/pos.js';
import { runVestPendingJob } from '../../shared/jobs/vest-pending.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

/*
 * These tests change the earning rules' posLimits (and the return window) per
 * describe. The rules are one global item, so the file works on a table of its
 * own: every other test file keeps seeing the default rules.
 */
const LIMITS_TABLE = 'points-mall-test-limits';
const DAY_MS = 86_400_000;

const noLimits: PosLimits = {
  maxPurchaseAmountCents: 10_000_000,
  maxPurchasePoints: 1_000_000,
  dailyPointsPerMember: null,
  dailyPointsPerStore: null,
  reviewAbovePoints: null,
  reviewAboveAmountCents: null,
  maxPurchaseAgeDays: 7,
};

let api: TestApi;
let admin: string;

interface PurchaseAnswer {
  purchaseId: string;
  pointsEarned: number;
  pointsPending: number;
  pointsWithheld: number;
  availableAt: string | null;
  status: string;
  reviewReason?: string;
  breakdown: { rule: string; points: number }[];
}

interface ReviewAnswer {
  purchaseId: string;
  reviewStatus: string;
  decidedBy?: string;
  decisionReason?: string;
  pointsReleased?: number;
  pointsVoided?: number;
}

beforeAll(async () => {
  const client = localClient(inject('dynamodbEndpoint'));
  await ensureTable(client, LIMITS_TABLE);
  client.destroy();
  process.env.TABLE_NAME = LIMITS_TABLE;
  resetConfigForTests();
  api = await TestApi.create();
  admin = await api.token('admin');
});

/** Saves the rules in force with these limits (and return window). */
async function useRules(posLimits: PosLimits, returnWindowDays = 0) {
  const current = await api.call<Record<string, unknown> & { version: number }>('GET', '/v1/admin/earning-rules', { token: admin });
  const { version, updatedAt: _u, updatedBy: _b, ...rules } = current.body;
  const saved = await api.call('PUT', '/v1/admin/earning-rules', { token: admin, body: { ...rules, posLimits, returnWindowDays, expectedVersion: version } });
  if (saved.status !== 200) throw new Error(`rules not saved: ${saved.text}`);
}

/** A store with its own POS token (a POS credential acts for its own store). */
async function newStore(prefix = 'store') {
  const storeId = uniqueId(prefix);
  return { storeId, token: await api.registerStore(storeId) };
}

type Line = { sku: string; category: string; amountCents: number; quantity: number };

function purchaseBody(memberId: string, storeId: string, lines: Line[], paidAt = new Date()) {
  return { purchaseId: uniqueId('p'), memberId, storeId, paidAt: paidAt.toISOString(), lines };
}

/** A purchase of `yuan` CNY in category A (default bands: 1 point per CNY up to 1,000, 1.5 to 5,000, 2 above). */
function buy(store: { storeId: string; token: string }, memberId: string, yuan: number, paidAt = new Date()) {
  const body = purchaseBody(memberId, store.storeId, [{ sku: 'lim-sku', category: 'A', amountCents: Math.round(yuan * 100), quantity: 1 }], paidAt);
  return api.call<PurchaseAnswer>('POST', '/v1/pos/purchases', { token: store.token, body });
}

/**
 * A purchase as a till sends it at a busy moment: an overload answer (503 with Retry-After: the function's deadline
 * passed while 30 purchases of one member queued on its items) is sent again, the same body, after Retry-After;
 * the purchase id makes the resend answer the first commit if there was one.
 */
async function buyAsTill(store: { storeId: string; token: string }, memberId: string, yuan: number) {
  const body = purchaseBody(memberId, store.storeId, [{ sku: 'lim-sku', category: 'A', amountCents: Math.round(yuan * 100), quantity: 1 }], new Date());
  for (let attempt = 1; ; attempt += 1) {
    const res = await api.call<PurchaseAnswer>('POST', '/v1/pos/purchases', { token: store.token, body });
    if (res.status !== 503 || attempt >= 10) return res;
    const retryAfter = Number(res.headers['retry-after'] ?? 1);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 * (0.5 + Math.random() / 2)));
  }
}

async function getItem(key: { PK: string; SK: string }) {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
}

function decide(purchaseId: string, decision: 'approve' | 'reject', reason?: string) {
  return api.call<ReviewAnswer>('POST', `/v1/admin/purchase-reviews/${purchaseId}/${decision}`, { token: admin, body: reason === undefined ? {} : { reason } });
}

describe('per-purchase limits', () => {
  beforeAll(() => useRules({ ...noLimits, maxPurchaseAmountCents: 10_000_000, maxPurchasePoints: 200_000 }));

  it('refuses 500 lines at the schema maxima with 422 and writes nothing', async () => {
    // Prepare: the finding's purchase, at the largest line amount and quantity the schema accepts
    const store = await newStore();
    const { memberId, token } = await api.newMember('lim-max');
    const lines = Array.from({ length: 500 }, (_, i) => ({ sku: `sku-${i}`, category: 'B', amountCents: 1_000_000_000, quantity: 10_000 }));
    const body = purchaseBody(memberId, store.storeId, lines);

    // Act
    const res = await api.call('POST', '/v1/pos/purchases', { token: store.token, body });
    const view = await api.call('GET', '/v1/me/points', { token });

    // Assess
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'PURCHASE_LIMIT_EXCEEDED', limit: 'maxPurchaseAmountCents', allowed: 10_000_000, requested: 500_000_000_000 });
    expect(view.body).toMatchObject({ available: 0, pending: 0, lifetimeEarned: 0 });
    expect(await allLedgerEntries(memberId, 'points')).toEqual([]);
    expect(await getItem(keys.purchase(body.purchaseId))).toBeUndefined();
    expect(await getItem(keys.idempotency('pos:purchase', body.purchaseId))).toBeUndefined();
    expect(await getItem(keys.posEarningDay.member(memberId, capDay(new Date())))).toBeUndefined();
  });

  it('records a purchase at exactly the amount and points limits', async () => {
    // Prepare: 100,000 CNY earns 2 points per CNY: 200,000 points, both limits exactly
    const store = await newStore();
    const { memberId } = await api.newMember('lim-edge');

    // Act
    const res = await buy(store, memberId, 100_000);

    // Assess
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ pointsEarned: 200_000, status: 'RECORDED', pointsWithheld: 0 });
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(200_000);
  });

  it('refuses one cent over the amount limit, and points over the points limit', async () => {
    // Prepare
    const store = await newStore();
    const { memberId } = await api.newMember('lim-over');
    const overAmount = purchaseBody(memberId, store.storeId, [{ sku: 's', category: 'A', amountCents: 10_000_001, quantity: 1 }]);
    // 60,000 CNY of category B: 120,000 base points x2 = 240,000
    const overPoints = purchaseBody(memberId, store.storeId, [{ sku: 's', category: 'B', amountCents: 6_000_000, quantity: 1 }]);

    // Act
    const amount = await api.call('POST', '/v1/pos/purchases', { token: store.token, body: overAmount });
    const points = await api.call('POST', '/v1/pos/purchases', { token: store.token, body: overPoints });

    // Assess
    expect(amount.status).toBe(422);
    expect(amount.body).toMatchObject({ code: 'PURCHASE_LIMIT_EXCEEDED', limit: 'maxPurchaseAmountCents' });
    expect(points.status).toBe(422);
    expect(points.body).toMatchObject({ code: 'PURCHASE_LIMIT_EXCEEDED', limit: 'maxPurchasePoints', allowed: 200_000, requested: 240_000 });
    expect(await allLedgerEntries(memberId, 'points')).toEqual([]);
  });

  it('refuses a top-up over the amount limit with 422 and credits nothing', async () => {
    // Prepare
    const store = await newStore();
    const { memberId } = await api.newMember('lim-topup');

    // Act
    const over = await api.call('POST', '/v1/pos/top-ups', {
      token: store.token,
      body: { topUpId: uniqueId('tu'), memberId, amountCents: 10_000_001 },
    });

    // Assess
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'PURCHASE_LIMIT_EXCEEDED', limit: 'maxPurchaseAmountCents', allowed: 10_000_000 });
    expect(await allLedgerEntries(memberId, 'points')).toEqual([]);
  });

  it('refuses a line amount above the schema maximum with 400', async () => {
    // Prepare
    const store = await newStore();
    const { memberId } = await api.newMember('lim-schema');

    // Act
    const res = await api.call('POST', '/v1/pos/purchases', {
      token: store.token,
      body: purchaseBody(memberId, store.storeId, [{ sku: 's', category: 'A', amountCents: 10_000_000_000, quantity: 1 }]),
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('daily POS earning caps', () => {
  beforeAll(() => useRules({ ...noLimits, dailyPointsPerMember: 10_000, dailyPointsPerStore: 20_000 }));

  it("holds a member's cap under 30 concurrent purchases: the points beyond it are withheld", async () => {
    // Prepare: 30 purchases of 500 points (more once the member reaches a higher tier) ask for 15,000 or more; the cap is 10,000
    const store = await newStore();
    const { memberId } = await api.newMember('cap-member');

    // Act
    const results = await Promise.all(Array.from({ length: 30 }, () => buyAsTill(store, memberId, 500)));

    // Assess
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(201));
    expect(results.reduce((s, r) => s + r.body.pointsEarned, 0)).toBe(10_000);
    // What each purchase asked for: 500 points, or 750 once the member's growth reached gold in the middle of the burst.
    const asked = results.reduce((s, r) => s + r.body.breakdown.filter((b) => b.rule !== 'cap:daily').reduce((t, b) => t + b.points, 0), 0);
    expect(asked).toBeGreaterThanOrEqual(15_000);
    expect(results.reduce((s, r) => s + r.body.pointsWithheld, 0)).toBe(asked - 10_000);
    for (const r of results) expect(r.body.breakdown.reduce((s, b) => s + b.points, 0)).toBe(r.body.pointsEarned);
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(10_000);
    expect(await getItem(keys.posEarningDay.member(memberId, capDay(new Date())))).toMatchObject({ points: 10_000 });
  });

  it("holds a store's cap under 30 concurrent purchases of different members", async () => {
    // Prepare: 30 members buying 1,000 points each at one store whose cap is 20,000
    const store = await newStore();
    const members = await Promise.all(Array.from({ length: 30 }, () => api.newMember('cap-store')));

    // Act
    const results = await Promise.all(members.map(({ memberId }) => buyAsTill(store, memberId, 1_000)));

    // Assess
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(201));
    expect(results.reduce((s, r) => s + r.body.pointsEarned, 0)).toBe(20_000);
    for (const [i, { memberId }] of members.entries()) {
      const { wallet } = await expectLedgerExplainsWallet(memberId);
      expect(wallet.available).toBe(results[i]?.body.pointsEarned);
    }
    expect(await getItem(keys.posEarningDay.store(store.storeId, capDay(new Date())))).toMatchObject({ points: 20_000, purchases: expect.any(Number) });
  });

  it('starts a fresh cap on the next programme day (Asia/Shanghai)', async () => {
    // Prepare: 23:30 and 23:45 on 1 June in Shanghai, then 00:30 on 2 June
    const store = await newStore();
    const { memberId } = await api.newMember('cap-day');
    const at = (iso: string) => new Date(iso);
    const lines = (yuan: number) => [{ sku: 's', category: 'A', amountCents: yuan * 100, quantity: 1 }];
    const purchaseAt = (yuan: number, when: Date) => recordPurchase({ ...purchaseBody(memberId, store.storeId, lines(yuan), when) }, when);

    // Act: 8,000 CNY earns 16,000, capped at 10,000; the next one that day earns nothing
    const late = await purchaseAt(8_000, at('2026-06-01T15:30:00Z'));
    const later = await purchaseAt(100, at('2026-06-01T15:45:00Z'));
    const nextDay = await purchaseAt(100, at('2026-06-01T16:30:00Z'));

    // Assess
    const earned = (o: typeof late) => (o.response?.body as PurchaseAnswer).pointsEarned;
    // 8,000 CNY made the member gold (x1.5): 100 CNY asks 150 points from then on.
    expect([earned(late), earned(later), earned(nextDay)]).toEqual([10_000, 0, 150]);
    expect(later.response?.body).toMatchObject({ pointsWithheld: 150, breakdown: expect.arrayContaining([expect.objectContaining({ rule: 'cap:daily', points: -150 })]) });
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(10_150);
    expect(await getItem(keys.posEarningDay.member(memberId, '2026-06-01'))).toMatchObject({ points: 10_000 });
    expect(await getItem(keys.posEarningDay.member(memberId, '2026-06-02'))).toMatchObject({ points: 150 });
  });

  it('does not give the allowance back on a refund', async () => {
    // Prepare: the member reaches the cap, then the purchase is refunded whole
    const store = await newStore();
    const { memberId } = await api.newMember('cap-refund');
    const first = await buy(store, memberId, 7_000); // 14,000 asked, 10,000 earned
    const refund = await api.call<{ pointsClawedBack: number }>('POST', `/v1/pos/purchases/${first.body.purchaseId}/refunds`, {
      token: store.token,
      body: { refundId: 'r1', amountCents: 700_000 },
    });

    // Act
    const next = await buy(store, memberId, 100);

    // Assess
    expect(first.body).toMatchObject({ pointsEarned: 10_000, pointsWithheld: 4_000 });
    expect(refund.body.pointsClawedBack).toBe(10_000);
    // The member is gold after 7,000 CNY: 100 CNY asks 150 points, none left today.
    expect(next.body).toMatchObject({ pointsEarned: 0, pointsWithheld: 150 });
    await expectLedgerExplainsWallet(memberId);
  });
});

describe('purchases under review', () => {
  // Review above 5,000 points; a 7-day return window, so a purchase paid 8 days ago is past it.
  beforeAll(() => useRules({ ...noLimits, reviewAbovePoints: 5_000 }, 7));
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

  it('holds the points pending and unspendable until approved, once; the vest job leaves them alone', async () => {
    // Prepare: 6,000 CNY earns 12,000 points, above the threshold
    const store = await newStore();
    const { memberId, token } = await api.newMember('rev-approve');

    // Act
    const purchase = await buy(store, memberId, 6_000, daysAgo(8));
    const view = await api.call<{ available: number; pending: number; pendingCredits: { points: number; underReview?: boolean }[] }>('GET', '/v1/me/points', { token });
    const spend = await api.call('POST', '/v1/pos/redemptions', {
      token: store.token,
      body: { redemptionId: uniqueId('rd'), memberId, points: 100, paymentCode: await api.paymentCode(memberId) },
    });
    const listed = await api.call<{ items: { purchaseId: string; reviewStatus: string }[] }>('GET', '/v1/admin/purchase-reviews?limit=100', { token: admin });
    const vest = await runVestPendingJob({ now: new Date(Date.now() + 30 * DAY_MS) });
    const walletBeforeApproval = await getWallet(memberId, 'points');
    const approved = await decide(purchase.body.purchaseId, 'approve', 'receipt checked');
    const again = await decide(purchase.body.purchaseId, 'approve');
    const rejectAfter = await decide(purchase.body.purchaseId, 'reject', 'changed my mind');
    const listedAfter = await api.call<{ items: { purchaseId: string }[] }>('GET', '/v1/admin/purchase-reviews?limit=100', { token: admin });

    // Assess
    expect(purchase.status).toBe(201);
    expect(purchase.body).toMatchObject({ status: 'PENDING_REVIEW', pointsEarned: 12_000, pointsPending: 12_000, availableAt: null });
    expect(purchase.body.reviewReason).toContain('5000');
    expect(view.body).toMatchObject({ available: 0, pending: 12_000, pendingCredits: [expect.objectContaining({ points: 12_000, underReview: true })] });
    expect(spend.status).toBe(409);
    expect(spend.body).toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    expect(listed.body.items).toContainEqual(expect.objectContaining({ purchaseId: purchase.body.purchaseId, reviewStatus: 'PENDING' }));
    expect(vest.pointsVested).toBe(0);
    expect(walletBeforeApproval).toMatchObject({ available: 0, pending: 12_000 });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ reviewStatus: 'APPROVED', decidedBy: 'operator-1', decisionReason: 'receipt checked', pointsReleased: 12_000 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(approved.body);
    expect(rejectAfter.status).toBe(409);
    expect(rejectAfter.body).toMatchObject({ code: 'CONFLICT', reviewStatus: 'APPROVED' });
    expect(listedAfter.body.items.map((i) => i.purchaseId)).not.toContain(purchase.body.purchaseId);
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet).toMatchObject({ available: 12_000, pending: 0, lifetimeEarned: 12_000 });
    expect(entries.map((e) => [e.type, e.points, e.pendingDelta])).toEqual([
      ['PEND', 0, 12_000],
      ['VEST', 12_000, -12_000],
    ]);
    const audit = await getItem(keys.purchaseReview.decision(purchase.body.purchaseId));
    expect(audit).toMatchObject({ reviewStatus: 'APPROVED', decidedBy: 'operator-1', ledgerEntryIds: [entries[1]?.id] });
  });

  it('voids the points on rejection, and a later refund takes nothing back', async () => {
    // Prepare
    const store = await newStore();
    const { memberId } = await api.newMember('rev-reject');
    const purchase = await buy(store, memberId, 6_000, daysAgo(8));

    // Act
    const noReason = await decide(purchase.body.purchaseId, 'reject');
    const rejected = await decide(purchase.body.purchaseId, 'reject', 'store reported a test basket');
    const refund = await api.call('POST', `/v1/pos/purchases/${purchase.body.purchaseId}/refunds`, { token: store.token, body: { refundId: 'r1', amountCents: 600_000 } });

    // Assess
    expect(noReason.status).toBe(400);
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ reviewStatus: 'REJECTED', pointsVoided: 12_000, decisionReason: 'store reported a test basket' });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ pointsClawedBack: 0, pendingPointsCancelled: 0, shortfallPoints: 0 });
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet).toMatchObject({ available: 0, pending: 0, lifetimeEarned: 0 });
    expect(entries.map((e) => e.type)).toEqual(['PEND', 'VOID']);
  });

  it('lets exactly one of concurrent approvals and rejections win', async () => {
    // Prepare
    const store = await newStore();
    const { memberId } = await api.newMember('rev-race');
    const purchase = await buy(store, memberId, 6_000, daysAgo(8));

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? decide(purchase.body.purchaseId, 'approve') : decide(purchase.body.purchaseId, 'reject', 'duplicate basket'))),
    );

    // Assess
    const winners = new Set(results.filter((r) => r.status === 200).map((r) => r.body.reviewStatus));
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(winners.size).toBe(1);
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    const decided = entries.filter((e) => e.type === 'VEST' || e.type === 'VOID');
    expect(decided).toHaveLength(1);
    expect(wallet.pending).toBe(0);
    expect(wallet.available).toBe(winners.has('APPROVED') ? 12_000 : 0);
  });

  it('cancels a refund from the points under review, and approval releases what is left', async () => {
    // Prepare
    const store = await newStore();
    const { memberId } = await api.newMember('rev-refund');
    const purchase = await buy(store, memberId, 6_000, daysAgo(8));

    // Act: half refunded while under review
    const refund = await api.call('POST', `/v1/pos/purchases/${purchase.body.purchaseId}/refunds`, { token: store.token, body: { refundId: 'r1', amountCents: 300_000 } });
    const approved = await decide(purchase.body.purchaseId, 'approve');

    // Assess
    expect(refund.body).toMatchObject({ pendingPointsCancelled: 6_000, pointsClawedBack: 0 });
    expect(approved.body).toMatchObject({ reviewStatus: 'APPROVED', pointsReleased: 6_000, refundedCents: 300_000 });
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet).toMatchObject({ available: 6_000, pending: 0 });
    expect(entries.map((e) => e.type)).toEqual(['PEND', 'VOID', 'VEST']);
  });

  it('keeps approved points pending until the return window ends, then the vest job makes them available', async () => {
    // Prepare: paid now, so the 7-day window still runs when approved
    const store = await newStore();
    const { memberId } = await api.newMember('rev-window');
    const purchase = await buy(store, memberId, 6_000);

    // Act
    const approved = await decide(purchase.body.purchaseId, 'approve');
    const pendingAfterApproval = await getWallet(memberId, 'points');
    await runVestPendingJob({ now: new Date(Date.now() + 8 * DAY_MS) });

    // Assess
    expect(approved.body).toMatchObject({ reviewStatus: 'APPROVED', pointsReleased: 0 });
    expect(pendingAfterApproval).toMatchObject({ available: 0, pending: 12_000 });
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet).toMatchObject({ available: 12_000, pending: 0 });
  });

  it('answers 404 for a purchase that was not held for review', async () => {
    // Prepare
    const store = await newStore();
    const { memberId } = await api.newMember('rev-none');
    const purchase = await buy(store, memberId, 10);

    // Act
    const res = await decide(purchase.body.purchaseId, 'approve');

    // Assess
    expect(purchase.body.status).toBe('RECORDED');
    expect(res.status).toBe(404);
  });
});
