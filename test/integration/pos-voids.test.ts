/**
 * Voids of POS purchases through the API on DynamoDB Local: a purchase
 * recorded in error is undone whole on its business day (points, growth,
 * campaigns, daily caps, referral bonus, purchase-time index), or refused
 * with nothing changed; reports count nothing for it. The file changes the
 * earning rules (return window, daily caps) and reads the reports, so it works
 * on a table of its own with its own stream consumer.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { LocalStreams } from '../../bin/local/streams.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { capDay } from '../../shared/domain/pos-limits.js';
import { recordPurchase } from '../../shared/earning/pos.js';
import { runVestPendingJob } from '../../shared/jobs/vest-pending.js';
import { getWallet } from '../../shared/ledger/reader.js';
import { getMember, registerMember } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

const VOIDS_TABLE = `points-mall-test-voids-${ulid().toLowerCase()}`;
const DAY_MS = 86_400_000;
const endpoint = inject('dynamodbEndpoint');

let api: TestApi;
let pos: string;
let otherPos: string;
let admin: string;
let streams: LocalStreams;
const streamErrors: unknown[] = [];

interface VoidAnswer {
  purchaseId: string;
  status: string;
  voidedAt: string;
  reason: string;
  pointsVoided: number;
  pointsClawedBack: number;
  referralPointsClawedBack: number;
  code?: string;
  detail?: string;
}

beforeAll(async () => {
  const client = localClient(endpoint);
  await ensureTable(client, VOIDS_TABLE);
  client.destroy();
  process.env.TABLE_NAME = VOIDS_TABLE;
  resetConfigForTests();
  api = await TestApi.create();
  pos = await api.registerStore('store1');
  otherPos = await api.registerStore('store2');
  admin = await api.token('admin');
  streams = new LocalStreams({ endpoint, tableName: VOIDS_TABLE, onError: (_, error) => streamErrors.push(error) });
});

afterAll(() => streams.stop());

/** Saves the earning rules with these changes (the table is this file's own). */
async function setRules(changes: Record<string, unknown>) {
  const current = await api.call<Record<string, unknown> & { version: number }>('GET', '/v1/admin/earning-rules', { token: admin });
  const { version, updatedAt: _u, updatedBy: _b, ...rules } = current.body;
  const saved = await api.call('PUT', '/v1/admin/earning-rules', { token: admin, body: { ...rules, ...changes, expectedVersion: version } });
  if (saved.status !== 200) throw new Error(`rules not saved: ${saved.text}`);
}

async function newMember(prefix: string) {
  const memberId = uniqueId(prefix);
  await registerMember(memberId, {});
  return memberId;
}

/** A purchase of `yuan` CNY in category A (1 point per CNY by default), at store1. */
async function buy(memberId: string, yuan: number, sku = 'void-sku') {
  const purchaseId = uniqueId('p-void');
  const res = await api.call<{ pointsEarned: number; pointsPending: number }>('POST', '/v1/pos/purchases', {
    token: pos,
    body: { purchaseId, memberId, storeId: 'store1', paidAt: new Date().toISOString(), lines: [{ sku, category: 'A', amountCents: yuan * 100, quantity: 1 }] },
  });
  expect(res.status, res.text).toBe(201);
  return { purchaseId, ...res.body };
}

function voidIt(purchaseId: string, options: { key?: string | null; reason?: string; token?: string; body?: unknown } = {}) {
  const key = options.key === undefined ? uniqueId('void-key') : options.key;
  return api.call<VoidAnswer>('POST', `/v1/pos/purchases/${purchaseId}/void`, {
    token: options.token ?? pos,
    body: options.body ?? { reason: options.reason ?? 'cashier scanned the wrong card' },
    headers: key === null ? {} : { 'idempotency-key': key },
  });
}

function refund(purchaseId: string, yuan: number) {
  return api.call<{ code?: string }>('POST', `/v1/pos/purchases/${purchaseId}/refunds`, { token: pos, body: { refundId: uniqueId('r'), amountCents: yuan * 100 } });
}

async function purchaseItem(purchaseId: string) {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: keys.purchase(purchaseId), ConsistentRead: true }))).Item ?? {};
}

/** Counters by year or month without the zeros (a counter taken back to 0 counts as one never added to). */
function nonZero(counters: object) {
  return Object.fromEntries(Object.entries(counters as Record<string, Record<string, number>>).map(([name, byPeriod]) => [name, Object.fromEntries(Object.entries(byPeriod).filter(([, v]) => v !== 0))]));
}

/** What a member owns and how they grew: the figures a void must leave as before the purchase. */
async function memberState(memberId: string) {
  const wallet = await getWallet(memberId, 'points');
  const member = await getMember(memberId);
  return { available: wallet.available, pending: wallet.pending, purchaseCount: member.purchaseCount, growth: nonZero(member.growthCounters) };
}

describe('voids of POS purchases', () => {
  it('cancels the pending points of a purchase inside the return window, takes back its growth and marks it voided', async () => {
    // Prepare: a 14-day return window; the member's state before the purchase
    await setRules({ returnWindowDays: 14 });
    const memberId = await newMember('void-pending');
    const before = await memberState(memberId);
    const { purchaseId, pointsPending } = await buy(memberId, 300);

    // Act
    const res = await voidIt(purchaseId, { reason: 'rang up the next customer on this card' });

    // Assess
    expect(pointsPending).toBe(300);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ purchaseId, status: 'VOIDED', reason: 'rang up the next customer on this card', pointsVoided: 300, pointsClawedBack: 0 });
    expect(await memberState(memberId)).toEqual(before);
    const { entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.map((e) => [e.type, e.pendingDelta])).toEqual([['PEND', 300], ['VOID', -300]]);
    const stored = await purchaseItem(purchaseId);
    expect(stored).toMatchObject({ status: 'VOIDED', voidedAt: res.body.voidedAt, voidReason: 'rang up the next customer on this card', voidedBy: 'store1' });
    // Out of the purchase-time index: what-if replays no longer count it.
    expect(stored.GSI1PK).toBeUndefined();
    expect((await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.pendingCredit(memberId, 'points', String(stored.vestAt), purchaseId) }))).Item).toBeUndefined();
    await setRules({ returnWindowDays: 0 });
  });

  it('takes back available points whole, and refuses with 409 (nothing changed) once some were spent', async () => {
    // Prepare: no return window; two purchases of 100 points, then 10 points spent at a till
    await setRules({ returnWindowDays: 0 });
    const memberId = await newMember('void-available');
    const before = await memberState(memberId);
    const whole = await buy(memberId, 100);
    const voided = await voidIt(whole.purchaseId);
    const spentFrom = await buy(memberId, 100);
    const code = await api.paymentCode(memberId);
    const spent = await api.call('POST', '/v1/pos/redemptions', { token: pos, body: { redemptionId: uniqueId('rd'), memberId, points: 10, paymentCode: code } });
    const stateBefore = await memberState(memberId);
    const itemBefore = await purchaseItem(spentFrom.purchaseId);

    // Act
    const refused = await voidIt(spentFrom.purchaseId);

    // Assess
    expect(voided.status, voided.text).toBe(201);
    expect(voided.body).toMatchObject({ pointsVoided: 0, pointsClawedBack: 100 });
    expect(spent.status, spent.text).toBe(201);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'VOID_NOT_ALLOWED', reason: 'points-spent', available: 90, pointsEarned: 100 });
    expect(refused.body.detail).toContain('refund');
    expect(await memberState(memberId)).toEqual(stateBefore);
    expect(await purchaseItem(spentFrom.purchaseId)).toEqual(itemBefore);
    expect(stateBefore.available).toBe(90);
    expect(stateBefore.purchaseCount).toBe(before.purchaseCount + 1);
    await expectLedgerExplainsWallet(memberId);
  });

  it('refuses a purchase recorded on another business day, one of another store (403, no stored answer) and one refunded', async () => {
    // Prepare: a purchase recorded 25 hours ago (the domain call takes the time), two of today
    const memberId = await newMember('void-refused');
    const yesterday = new Date(Date.now() - DAY_MS - 3_600_000);
    const old = uniqueId('p-old');
    await recordPurchase({ purchaseId: old, memberId, storeId: 'store1', paidAt: yesterday.toISOString(), lines: [{ sku: 'void-sku', category: 'A', amountCents: 5_000, quantity: 1 }] }, yesterday);
    const theirs = await buy(memberId, 70);
    const refunded = await buy(memberId, 80);
    const partly = await refund(refunded.purchaseId, 10);
    const key = uniqueId('void-key');
    const state = await memberState(memberId);
    const items = await Promise.all([old, theirs.purchaseId, refunded.purchaseId].map(purchaseItem));

    // Act
    const otherDay = await voidIt(old);
    const otherStore = await voidIt(theirs.purchaseId, { token: otherPos, key });
    const afterRefund = await voidIt(refunded.purchaseId);

    // Assess
    expect(capDay(yesterday)).not.toBe(capDay(new Date()));
    expect(otherDay.status).toBe(409);
    expect(otherDay.body).toMatchObject({ code: 'VOID_NOT_ALLOWED', reason: 'other-day' });
    expect(otherDay.body.detail).toContain('record a refund instead');
    expect(otherStore.status).toBe(403);
    expect(otherStore.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(partly.status).toBe(201);
    expect(afterRefund.status).toBe(409);
    expect(afterRefund.body).toMatchObject({ code: 'VOID_NOT_ALLOWED', reason: 'refunded' });
    expect(afterRefund.body.detail).toContain('refund of the rest');
    expect(await memberState(memberId)).toEqual(state);
    expect(await Promise.all([old, theirs.purchaseId, refunded.purchaseId].map(purchaseItem))).toEqual(items);
    // The store that recorded it voids it with the same key: nothing of the refused call was stored under it.
    const own = await voidIt(theirs.purchaseId, { key });
    expect(own.status, own.text).toBe(201);
    expect(own.headers['idempotent-replayed']).toBeUndefined();
  });

  it('gives a campaign back its budget, member cap, purchases and sales', async () => {
    // Prepare: +50 per purchase, budget 100, at most 50 per member
    const sku = uniqueId('sku-void');
    const created = await api.call<{ campaignId: string }>('POST', '/v1/admin/campaigns', {
      token: admin,
      body: { name: 'void campaign', targets: { skus: [sku] }, effect: { kind: 'bonus', points: 50 }, schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }, budgetPoints: 100, perMemberCap: 50 },
    });
    expect(created.status, created.text).toBe(201);
    const { campaignId } = created.body;
    const stats = async () => (await api.call('GET', `/v1/admin/campaigns/${campaignId}/stats`, { token: admin })).body;
    const statsBefore = await stats();
    const memberId = await newMember('void-campaign');
    const first = await buy(memberId, 100, sku);
    const during = await stats();

    // Act
    const res = await voidIt(first.purchaseId);
    const after = await stats();
    const again = await buy(memberId, 100, sku);

    // Assess
    expect(first.pointsEarned).toBe(150);
    expect(during).toMatchObject({ participants: 1, pointsIssued: 50, purchases: 1, salesCents: 10_000, budgetLeft: 50 });
    expect(res.status, res.text).toBe(201);
    expect(res.body.pointsClawedBack).toBe(150);
    expect(after).toEqual(statsBefore);
    expect(after).toMatchObject({ participants: 0, pointsIssued: 0, purchases: 0, salesCents: 0, budgetLeft: 100 });
    // The member's cap was given back: the same purchase again earns the bonus.
    expect(again.pointsEarned).toBe(150);
    await expectLedgerExplainsWallet(memberId);
  });

  it('gives back the daily-cap counters: the member may earn the points again the same day', async () => {
    // Prepare: at most 100 POS points a member a day
    const rules = await api.call<{ posLimits: Record<string, unknown> }>('GET', '/v1/admin/earning-rules', { token: admin });
    await setRules({ posLimits: { ...rules.body.posLimits, dailyPointsPerMember: 100 } });
    const memberId = await newMember('void-cap');
    try {
      const first = await buy(memberId, 100);

      // Act
      const res = await voidIt(first.purchaseId);
      const second = await buy(memberId, 100);

      // Assess
      expect(res.status, res.text).toBe(201);
      expect(second.pointsEarned).toBe(100);
    } finally {
      await setRules({ posLimits: rules.body.posLimits });
    }
  });

  it('lowers only the cap counters the purchase wrote: none when the cap came after it, the day of paidAt for a batch item', async () => {
    const rules = await api.call<{ posLimits: Record<string, unknown> }>('GET', '/v1/admin/earning-rules', { token: admin });
    const counter = async (memberId: string, day: string) =>
      (await db().send(new GetCommand({ TableName: tableName(), Key: keys.posEarningDay.member(memberId, day), ConsistentRead: true }))).Item?.points;
    try {
      // Prepare: a purchase with no cap, then a member cap and a second purchase counted under it
      await setRules({ posLimits: { ...rules.body.posLimits, dailyPointsPerMember: null } });
      const memberId = await newMember('void-cap-later');
      const before = await buy(memberId, 100);
      await setRules({ posLimits: { ...rules.body.posLimits, dailyPointsPerMember: 1000 } });
      await buy(memberId, 50);
      const today = capDay(new Date());
      expect(await counter(memberId, today)).toBe(50);

      // Act
      const voided = await voidIt(before.purchaseId);

      // Assess: voided, and the counter it never wrote left as it was
      expect(voided.status, voided.text).toBe(201);
      expect(voided.body.pointsClawedBack).toBe(100);
      expect(await counter(memberId, today)).toBe(50);

      // Prepare: an offline purchase of yesterday, sent today in a batch (counted on the day of its paidAt)
      const offline = await newMember('void-cap-batch');
      const yesterday = new Date(Date.now() - DAY_MS);
      const purchaseId = uniqueId('p-void-batch');
      const batch = await api.call('POST', '/v1/pos/purchase-batches', {
        token: pos,
        body: { batchId: uniqueId('b-void'), purchases: [{ purchaseId, memberId: offline, storeId: 'store1', paidAt: yesterday.toISOString(), lines: [{ sku: 'void-sku', category: 'A', amountCents: 8000, quantity: 1 }] }] },
      });
      expect(batch.status, batch.text).toBe(201);
      expect(await counter(offline, capDay(yesterday))).toBe(80);

      // Act
      const batchVoid = await voidIt(purchaseId);

      // Assess: yesterday's counter given back, today's never written
      expect(batchVoid.status, batchVoid.text).toBe(201);
      expect(await counter(offline, capDay(yesterday))).toBe(0);
      expect(await counter(offline, today)).toBeUndefined();
    } finally {
      await setRules({ posLimits: rules.body.posLimits });
    }
  });

  it("takes back the first-purchase referral bonus from the referrer, so the referee's real first purchase pays it", async () => {
    // Prepare: a referrer and a referee registered with their code
    const referrer = await api.newMember('void-referrer');
    const code = (await api.call<{ referralCode: string }>('GET', '/v1/me', { token: referrer.token })).body.referralCode;
    const refereeId = uniqueId('void-referee');
    const registered = await api.call('POST', '/v1/me/register', { token: await api.token('member', refereeId), body: { referralCode: code } });
    expect(registered.status, registered.text).toBe(201);
    const referrerBefore = (await getWallet(referrer.memberId, 'points')).available;
    const first = await buy(refereeId, 20);

    // Act
    const res = await voidIt(first.purchaseId);
    const referrerAfterVoid = (await getWallet(referrer.memberId, 'points')).available;
    await buy(refereeId, 30);

    // Assess
    expect(res.status, res.text).toBe(201);
    expect(res.body.referralPointsClawedBack).toBe(100);
    expect(referrerAfterVoid).toBe(referrerBefore);
    expect((await getWallet(referrer.memberId, 'points')).available).toBe(referrerBefore + 100);
    await expectLedgerExplainsWallet(referrer.memberId);
    await expectLedgerExplainsWallet(refereeId);
  });

  it('answers the same key twice with the first answer, refuses a missing key (400) and another key once voided (409)', async () => {
    // Prepare
    const memberId = await newMember('void-idem');
    const { purchaseId } = await buy(memberId, 40);
    const key = uniqueId('void-key');

    // Act
    const missing = await voidIt(purchaseId, { key: null });
    const first = await voidIt(purchaseId, { key });
    const again = await voidIt(purchaseId, { key });
    const otherBody = await voidIt(purchaseId, { key, reason: 'another reason' });
    const otherKey = await voidIt(purchaseId);
    const refundAfter = await refund(purchaseId, 10);

    // Assess
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REQUIRED' });
    expect(first.status, first.text).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(otherBody.status).toBe(422);
    expect(otherKey.status).toBe(409);
    expect(otherKey.body).toMatchObject({ code: 'ALREADY_VOIDED', voidedAt: first.body.voidedAt });
    expect(refundAfter.status).toBe(409);
    expect(refundAfter.body).toMatchObject({ code: 'ALREADY_VOIDED' });
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(0);
    expect(entries.map((e) => e.type)).toEqual(['EARN', 'CLAWBACK']);
  });

  it('lets exactly one of a void and a refund of the same purchase at once win, and one of two voids', async () => {
    // Prepare: five purchases for the races with refunds, one for two voids
    const memberId = await newMember('void-race');
    const raced = [];
    for (let i = 0; i < 5; i += 1) raced.push(await buy(memberId, 50));
    const twice = await buy(memberId, 60);

    // Act
    const outcomes = await Promise.all(raced.map(async ({ purchaseId }) => Promise.all([voidIt(purchaseId), refund(purchaseId, 50)])));
    const voids = await Promise.all([voidIt(twice.purchaseId), voidIt(twice.purchaseId)]);

    // Assess
    for (const [v, r] of outcomes) {
      expect([v.status, r.status].sort(), `${v.text} / ${r.text}`).toEqual([201, 409]);
      if (v.status === 409) expect(v.body).toMatchObject({ code: 'VOID_NOT_ALLOWED', reason: 'refunded' });
      else expect(r.body).toMatchObject({ code: 'ALREADY_VOIDED' });
    }
    expect(voids.map((v) => v.status).sort()).toEqual([201, 409]);
    expect(voids.find((v) => v.status === 409)?.body).toMatchObject({ code: 'ALREADY_VOIDED' });
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    // Every purchase came back whole, by void or by full refund.
    expect(wallet.available).toBe(0);
    expect((await getMember(memberId)).purchaseCount).toBe(outcomes.filter(([v]) => v.status !== 201).length);
  });

  it('voids whole whichever way a void races the vest job: the pending points cancelled, or the vested ones taken back', async () => {
    // Prepare: a 1-day return window; six purchases whose points are pending, vesting in two days' run
    await setRules({ returnWindowDays: 1 });
    try {
      const memberId = await newMember('void-vest');
      const bought: Awaited<ReturnType<typeof buy>>[] = [];
      for (let i = 0; i < 6; i += 1) bought.push(await buy(memberId, 20 + i));
      expect(bought.every((b) => b.pointsPending === b.pointsEarned)).toBe(true);

      // Act: the voids while two vest runs work through the same credits
      const [voids] = await Promise.all([
        Promise.all(bought.map(({ purchaseId }) => voidIt(purchaseId))),
        runVestPendingJob({ now: new Date(Date.now() + 2 * DAY_MS), concurrency: 1 }),
        runVestPendingJob({ now: new Date(Date.now() + 2 * DAY_MS), concurrency: 1 }),
      ]);

      // Assess: every void took its purchase's points whole, from pending or from available, and nothing is left
      voids.forEach((v, i) => {
        expect(v.status, v.text).toBe(201);
        expect(v.body.pointsVoided + v.body.pointsClawedBack).toBe(bought[i]?.pointsEarned);
        expect([v.body.pointsVoided, v.body.pointsClawedBack]).toContain(0);
      });
      const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
      expect(wallet).toMatchObject({ available: 0, pending: 0 });
      // Each purchase: PEND, then VOID; or PEND, VEST, CLAWBACK
      expect(entries.filter((e) => e.type === 'PEND')).toHaveLength(6);
      expect(entries.filter((e) => e.type === 'VOID').length + entries.filter((e) => e.type === 'CLAWBACK').length).toBe(6);
      expect(entries.filter((e) => e.type === 'CLAWBACK').length).toBeLessThanOrEqual(entries.filter((e) => e.type === 'VEST').length);
    } finally {
      await setRules({ returnWindowDays: 0 });
    }
  });

  it('lets exactly one of a void and a spend of the same points at once win', async () => {
    // Prepare: five members, each with exactly the 100 points of one purchase
    const members = await Promise.all(Array.from({ length: 5 }, () => newMember('void-spend')));
    const bought = await Promise.all(members.map(async (memberId) => ({ memberId, purchase: await buy(memberId, 100), code: await api.paymentCode(memberId) })));

    // Act: the void and a redemption of all 100 points sent together
    const outcomes = await Promise.all(
      bought.map(({ memberId, purchase, code }) =>
        Promise.all([
          voidIt(purchase.purchaseId),
          api.call('POST', '/v1/pos/redemptions', { token: pos, body: { redemptionId: uniqueId('rd'), memberId, points: 100, paymentCode: code } }),
        ]),
      ),
    );

    // Assess
    for (const [index, [voided, spent]] of outcomes.entries()) {
      expect([voided.status, spent.status].sort(), `${voided.text} / ${spent.text}`).toEqual([201, 409]);
      if (voided.status === 409) expect(voided.body).toMatchObject({ code: 'VOID_NOT_ALLOWED', reason: 'points-spent' });
      const { wallet } = await expectLedgerExplainsWallet(bought[index]?.memberId as string);
      expect(wallet.available).toBe(0);
    }
  });

  it('counts nothing in the points and campaign reports for a voided purchase', async () => {
    // Prepare: a campaign on a sku of its own, everything so far counted
    const sku = uniqueId('sku-report');
    const created = await api.call<{ campaignId: string }>('POST', '/v1/admin/campaigns', {
      token: admin,
      body: { name: 'void report campaign', targets: { skus: [sku] }, effect: { kind: 'multiplier', multiplier: 2 }, schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' } },
    });
    expect(created.status, created.text).toBe(201);
    const today = capDay(new Date());
    const reports = async () => {
      await streams.drain();
      const points = await api.call<{ outstanding: Record<string, unknown> }>('GET', `/v1/admin/reports/points?currency=points&from=${today}&to=${today}`, { token: admin });
      const daily = await api.call<{ outstanding: Record<string, unknown> }>('GET', `/v1/admin/reports/points/daily?currency=points&from=${today}&to=${today}`, { token: admin });
      const campaigns = await api.call('GET', `/v1/admin/reports/campaigns?from=${today}&to=${today}`, { token: admin });
      expect([points.status, daily.status, campaigns.status]).toEqual([200, 200, 200]);
      // When the counters were last written is not a figure.
      const { countedThrough: _p, ...pointsOutstanding } = points.body.outstanding;
      const { countedThrough: _d, ...dailyOutstanding } = daily.body.outstanding;
      return { points: { ...points.body, outstanding: pointsOutstanding }, daily: { ...daily.body, outstanding: dailyOutstanding }, campaigns: campaigns.body };
    };
    const memberId = await newMember('void-report');
    const before = await reports();

    // Act: a purchase available at once and one pending in a return window, both voided
    const available = await buy(memberId, 120, sku);
    await setRules({ returnWindowDays: 7 });
    const pending = await buy(memberId, 80, sku);
    await setRules({ returnWindowDays: 0 });
    const during = await reports();
    const voided = await Promise.all([voidIt(available.purchaseId), voidIt(pending.purchaseId)]);
    const after = await reports();

    // Assess
    expect(voided.map((v) => v.status)).toEqual([201, 201]);
    expect(during.points).not.toEqual(before.points);
    expect(during.campaigns).not.toEqual(before.campaigns);
    expect(after).toEqual(before);
    expect(streamErrors).toEqual([]);
    await expectLedgerExplainsWallet(memberId);
  });

  it('refuses bad bodies with 400 and changes nothing', async () => {
    // Prepare
    const memberId = await newMember('void-bad');
    const { purchaseId } = await buy(memberId, 30);
    const state = await memberState(memberId);
    const item = await purchaseItem(purchaseId);

    // Act
    const bodies: Record<string, unknown>[] = [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 42 }, { reason: 'ok', surprise: true }, { reason: 'ok', constructor: { prototype: {} } }];
    const answers = await Promise.all(bodies.map((body) => voidIt(purchaseId, { body })));
    const proto = await api.call('POST', `/v1/pos/purchases/${purchaseId}/void`, {
      token: pos,
      rawBody: '{"reason":"ok","__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json', 'idempotency-key': uniqueId('void-key') },
    });

    // Assess
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 400));
    expect(proto.status).toBe(400);
    expect(await memberState(memberId)).toEqual(state);
    expect(await purchaseItem(purchaseId)).toEqual(item);
  });

  it('records every void in the audit log with its reason, by the POS of the store', async () => {
    // Prepare
    const memberId = await newMember('void-audit');
    const { purchaseId } = await buy(memberId, 25);
    const key = uniqueId('void-key');

    // Act
    const res = await voidIt(purchaseId, { key, reason: 'duplicate scan' });
    await voidIt(purchaseId, { key, reason: 'duplicate scan' });
    const log = await api.call<{ items: Record<string, unknown>[] }>('GET', `/v1/admin/audit?target=purchase:${purchaseId}`, { token: admin });

    // Assess
    expect(res.status, res.text).toBe(201);
    expect(log.status, log.text).toBe(200);
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({
      operatorId: 'pos:pos-store1',
      role: 'pos',
      operation: 'voidPurchase',
      route: 'POST /v1/pos/purchases/{purchaseId}/void',
      target: `purchase:${purchaseId}`,
      idempotencyKey: key,
      summary: expect.stringContaining('duplicate scan'),
    });
  });
});
