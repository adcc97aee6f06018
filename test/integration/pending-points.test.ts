import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { inject, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { findPendingCredit } from '../../shared/earning/pending.js';
import { runVestPendingJob } from '../../shared/jobs/vest-pending.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { getMember } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

/*
 * These tests give the earning rules a 14-day return window. The rules are one
 * global item, so the file works on a table of its own: every other test file
 * keeps seeing the default rules (no window) in the shared test table.
 */
const PENDING_TABLE = 'points-mall-test-pending';
const WINDOW_DAYS = 14;
const DAY_MS = 86_400_000;

let api: TestApi;
let pos: string;
let admin: string;

interface PurchaseAnswer {
  purchaseId: string;
  pointsEarned: number;
  pointsPending: number;
  availableAt: string | null;
}

interface RefundAnswer {
  pointsClawedBack: number;
  pendingPointsCancelled: number;
  shortfallPoints: number;
  refundedCents: number;
}

interface PointsAnswer {
  available: number;
  pending: number;
  lifetimeEarned: number;
  pendingCredits: { points: number; availableAt: string; ref: string }[];
  expiring: { bucket: string; points: number }[];
}

beforeAll(async () => {
  const client = localClient(inject('dynamodbEndpoint'));
  await ensureTable(client, PENDING_TABLE);
  client.destroy();
  process.env.TABLE_NAME = PENDING_TABLE;
  resetConfigForTests();

  api = await TestApi.create();
  pos = await api.registerStore('store1');
  admin = await api.token('admin');
  const current = await api.call<Record<string, unknown> & { version: number }>('GET', '/v1/admin/earning-rules', { token: admin });
  const { version, updatedAt: _u, updatedBy: _b, ...rules } = current.body;
  const saved = await api.call('PUT', '/v1/admin/earning-rules', {
    token: admin,
    body: { ...rules, returnWindowDays: WINDOW_DAYS, expectedVersion: version },
  });
  if (saved.status !== 200) throw new Error(`rules not saved: ${saved.text}`);
});

/** A purchase of `yuan` CNY in category A: default rules earn 1 point per CNY for a normal member. */
function buy(memberId: string, yuan: number, paidAt: Date, purchaseId = uniqueId('p')) {
  return api.call<PurchaseAnswer>('POST', '/v1/pos/purchases', {
    token: pos,
    body: { purchaseId, memberId, storeId: 'store1', paidAt: paidAt.toISOString(), lines: [{ sku: 'pend-sku', category: 'A', amountCents: yuan * 100, quantity: 1 }] },
  });
}

function refund(purchaseId: string, refundId: string, yuan: number) {
  return api.call<RefundAnswer>('POST', `/v1/pos/purchases/${purchaseId}/refunds`, { token: pos, body: { refundId, amountCents: yuan * 100 } });
}

async function points(token: string) {
  return (await api.call<PointsAnswer>('GET', '/v1/me/points', { token })).body;
}

async function creditPoints(memberId: string, amount: number) {
  const res = await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, { token: admin, body: { points: amount, reason: 'points for the test' } });
  if (res.status !== 201) throw new Error(res.text);
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
const plusDays = (at: Date | string, days: number) => new Date(new Date(at).getTime() + days * DAY_MS);

describe('pending points', () => {
  it('keeps purchase points pending for the return window: not spendable, shown with the time they become available', async () => {
    // Prepare
    const { memberId, token } = await api.newMember('pend');
    const paidAt = hoursAgo(1);

    // Act
    const purchase = await buy(memberId, 300, paidAt);
    const view = await points(token);
    const spend = await api.call('POST', '/v1/pos/redemptions', { token: pos, body: { redemptionId: uniqueId('rd'), memberId, points: 100, paymentCode: await api.paymentCode(memberId) } });
    const ledger = await api.call<{ items: { type: string; points: number; pendingDelta: number; balanceAfter: number; ref?: string }[] }>('GET', '/v1/me/ledger', { token });

    // Assess
    const availableAt = plusDays(paidAt, WINDOW_DAYS).toISOString();
    expect(purchase.status).toBe(201);
    expect(purchase.body).toMatchObject({ pointsEarned: 300, pointsPending: 300, availableAt });
    expect(view).toMatchObject({ available: 0, pending: 300, lifetimeEarned: 0, expiring: [] });
    expect(view.pendingCredits).toEqual([{ points: 300, availableAt, ref: `purchase:${purchase.body.purchaseId}` }]);
    expect(spend.status).toBe(409);
    expect(spend.body).toMatchObject({ code: 'INSUFFICIENT_POINTS', available: 0 });
    expect(ledger.body.items).toEqual([
      expect.objectContaining({ type: 'PEND', points: 0, pendingDelta: 300, balanceAfter: 0, ref: `purchase:${purchase.body.purchaseId}` }),
    ]);
    await expectLedgerExplainsWallet(memberId);
  });

  it('cancels the refunded share of pending points inside the window and never touches available points', async () => {
    // Prepare: 50 points available, a 300-point purchase pending
    const { memberId, token } = await api.newMember('pend-refund');
    await creditPoints(memberId, 50);
    const { body: purchase } = await buy(memberId, 300, hoursAgo(2));
    const growthBefore = (await getMember(memberId)).growth;

    // Act
    const first = await refund(purchase.purchaseId, 'r1', 100);
    const again = await refund(purchase.purchaseId, 'r1', 100);
    const middle = await points(token);
    const rest = await refund(purchase.purchaseId, 'r2', 200);
    const tooMuch = await refund(purchase.purchaseId, 'r3', 1);
    const vest = await runVestPendingJob({ now: plusDays(new Date(), WINDOW_DAYS + 1) });

    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ pendingPointsCancelled: 100, pointsClawedBack: 0, shortfallPoints: 0, refundedCents: 10_000 });
    expect(again.body).toEqual(first.body);
    expect(middle).toMatchObject({ available: 50, pending: 200, pendingCredits: [expect.objectContaining({ points: 200 })] });
    expect(rest.body).toMatchObject({ pendingPointsCancelled: 200, pointsClawedBack: 0, refundedCents: 30_000 });
    expect(tooMuch.status).toBe(400);
    expect(vest.complete).toBe(1);
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet).toMatchObject({ available: 50, pending: 0, lifetimeEarned: 50 });
    expect(entries.filter((e) => e.type === 'VOID').map((e) => [e.points, e.pendingDelta])).toEqual([[0, -100], [0, -200]]);
    expect(entries.some((e) => e.type === 'VEST' || e.type === 'CLAWBACK')).toBe(false);
    expect(await findPendingCredit({ memberId, currency: 'points', vestAt: purchase.availableAt ?? '', purchaseId: purchase.purchaseId })).toBeUndefined();
    // Refunds inside the window take their spend off the tier growth, as refunds after it do.
    expect((await getMember(memberId)).growth).toBe(growthBefore - 300);
  });

  it('vests due points once into the bucket of the end of the window, however often the job runs', async () => {
    // Prepare
    const { memberId, token } = await api.newMember('pend-vest');
    const { body: purchase } = await buy(memberId, 120, hoursAgo(3));
    const availableAt = new Date(purchase.availableAt ?? '');

    // Act: a day before the window ends, just after it, again, and twice at once
    await runVestPendingJob({ now: plusDays(availableAt, -1) });
    const early = await getWallet(memberId, 'points');
    const first = await runVestPendingJob({ now: new Date(availableAt.getTime() + 3_600_000) });
    const vested = await points(token);
    const entriesAfterFirst = await allLedgerEntries(memberId, 'points');
    await runVestPendingJob({ now: new Date(availableAt.getTime() + 7_200_000) });
    await Promise.all([runVestPendingJob({ now: plusDays(availableAt, 1) }), runVestPendingJob({ now: plusDays(availableAt, 1) })]);

    // Assess
    expect(early).toMatchObject({ available: 0, pending: 120 });
    expect(first.creditsVested).toBeGreaterThanOrEqual(1);
    const bucket = bucketAfterMonths(availableAt, 12);
    expect(vested).toMatchObject({ available: 120, pending: 0, lifetimeEarned: 120, pendingCredits: [], expiring: [{ bucket, points: 120 }] });
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet).toMatchObject({ available: 120, pending: 0, lifetimeEarned: 120 });
    expect(entries).toEqual(entriesAfterFirst);
    // The expiry job will find the vested points through the bucket's marker, as for any earn.
    const { PK, SK } = keys.member.expiryMarker(memberId, 'points', bucket);
    const marker = await db().send(new GetCommand({ TableName: tableName(), Key: { PK, SK }, ConsistentRead: true }));
    expect(marker.Item).toMatchObject({ entity: 'ExpiryMarker', bucket });
    expect(entries.map((e) => [e.type, e.points, e.pendingDelta, e.bucket])).toEqual([
      ['PEND', 0, 120, undefined],
      ['VEST', 120, -120, bucket],
    ]);
  });

  it('vests every due credit exactly once under two concurrent runs, leaving credits not yet due', async () => {
    // Prepare: 12 members, each with a purchase due in 4 days and one due in 13
    const members = await Promise.all(Array.from({ length: 12 }, () => api.newMember('pend-many')));
    for (const [i, { memberId }] of members.entries()) {
      await buy(memberId, 10 + i, plusDays(new Date(), -10));
      await buy(memberId, 1_000, hoursAgo(24));
    }

    // Act
    const runs = await Promise.all([
      runVestPendingJob({ now: plusDays(new Date(), 5), concurrency: 2 }),
      runVestPendingJob({ now: plusDays(new Date(), 5), concurrency: 2 }),
    ]);
    const repeat = await runVestPendingJob({ now: plusDays(new Date(), 5) });

    // Assess
    expect(runs.every((r) => r.complete === 1)).toBe(true);
    // No other credit in this file's table is due by then: the runs vested these 12, each once.
    expect(runs[0].creditsVested + runs[1].creditsVested).toBe(12);
    expect(repeat.creditsVested).toBe(0);
    for (const [i, { memberId }] of members.entries()) {
      const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
      expect(wallet).toMatchObject({ available: 10 + i, pending: 1_000, lifetimeEarned: 10 + i });
      expect(entries.filter((e) => e.type === 'VEST').map((e) => e.points)).toEqual([10 + i]);
    }
  });

  it('is right either way when a refund races the vest job', async () => {
    // Prepare: 10 purchases of 100 points, all due
    const members = await Promise.all(Array.from({ length: 10 }, () => api.newMember('pend-race')));
    const purchases = await Promise.all(members.map(({ memberId }) => buy(memberId, 100, plusDays(new Date(), -WINDOW_DAYS + 1))));
    const vestNow = plusDays(new Date(), 2);

    // Act: a 40% refund of each purchase while two vest runs work through them
    const [refunds] = await Promise.all([
      Promise.all(purchases.map((p) => refund(p.body.purchaseId, 'race', 40))),
      runVestPendingJob({ now: vestNow, concurrency: 1 }),
      runVestPendingJob({ now: vestNow, concurrency: 1 }),
    ]);
    await runVestPendingJob({ now: vestNow });

    // Assess: inside the window the refund cancelled 40 pending, else it clawed 40 back; 60 are available either way
    for (const [i, { memberId }] of members.entries()) {
      const answer = refunds[i]?.body;
      expect(refunds[i]?.status).toBe(201);
      expect((answer?.pendingPointsCancelled ?? 0) + (answer?.pointsClawedBack ?? 0)).toBe(40);
      const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
      expect(wallet).toMatchObject({ available: 60, pending: 0 });
      const types = entries.map((e) => e.type);
      expect([
        ['PEND', 'VOID', 'VEST'],
        ['PEND', 'VEST', 'CLAWBACK'],
      ]).toContainEqual(types);
    }
  });

  it('never takes back more than earned over partial refunds before and after the points vest', async () => {
    // Prepare
    const { memberId } = await api.newMember('pend-partial');
    const { body: purchase } = await buy(memberId, 300, hoursAgo(5));

    // Act
    const inside = await refund(purchase.purchaseId, 'in', 100);
    await runVestPendingJob({ now: plusDays(purchase.availableAt ?? '', 0.1) });
    const afterVest = await getWallet(memberId, 'points');
    const after1 = await refund(purchase.purchaseId, 'out1', 150);
    const after2 = await refund(purchase.purchaseId, 'out2', 50);
    const beyond = await refund(purchase.purchaseId, 'out3', 1);

    // Assess
    expect(inside.body).toMatchObject({ pendingPointsCancelled: 100, pointsClawedBack: 0 });
    expect(afterVest).toMatchObject({ available: 200, pending: 0 });
    expect(after1.body).toMatchObject({ pendingPointsCancelled: 0, pointsClawedBack: 150 });
    expect(after2.body).toMatchObject({ pendingPointsCancelled: 0, pointsClawedBack: 50 });
    expect(beyond.status).toBe(400);
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet).toMatchObject({ available: 0, pending: 0 });
    const takenBack = entries.reduce((sum, e) => sum + (e.type === 'VOID' ? -e.pendingDelta : e.type === 'CLAWBACK' ? -e.points : 0), 0);
    expect(takenBack).toBe(300);
  });

  it('earns at once for a purchase reported after its window ended', async () => {
    // Prepare
    const { memberId, token } = await api.newMember('pend-late');
    const paidAt = plusDays(new Date(), -WINDOW_DAYS - 2);

    // Act
    const purchase = await buy(memberId, 80, paidAt);
    const view = await points(token);

    // Assess
    expect(purchase.body).toMatchObject({ pointsEarned: 80, pointsPending: 0, availableAt: null });
    expect(view).toMatchObject({ available: 80, pending: 0, pendingCredits: [] });
    const { entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.map((e) => [e.type, e.bucket])).toEqual([['EARN', bucketAfterMonths(plusDays(paidAt, WINDOW_DAYS), 12)]]);
  });

  it('stops at its deadline without vesting, and the next run resumes', async () => {
    // Prepare
    const { memberId } = await api.newMember('pend-deadline');
    const { body: purchase } = await buy(memberId, 30, hoursAgo(1));
    const due = plusDays(purchase.availableAt ?? '', 0.5);

    // Act
    const stopped = await runVestPendingJob({ now: due, deadline: Date.now() - 1 });
    const untouched = await getWallet(memberId, 'points');
    const resumed = await runVestPendingJob({ now: due });

    // Assess
    expect(stopped).toMatchObject({ complete: 0, creditsVested: 0 });
    expect(untouched).toMatchObject({ available: 0, pending: 30 });
    expect(resumed.complete).toBe(1);
    expect(await getWallet(memberId, 'points')).toMatchObject({ available: 30, pending: 0 });
  });

  it('runs on demand as POST /v1/admin/jobs/vest-pending', async () => {
    // Act
    const res = await api.call<{ job: string; stats: Record<string, number> }>('POST', '/v1/admin/jobs/vest-pending', { token: admin });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.job).toBe('vest-pending');
    expect(Object.keys(res.body.stats).sort()).toEqual(['alreadyDone', 'complete', 'creditsDue', 'creditsVested', 'pointsVested']);
  });

  it('refuses a return window beyond 90 days or of part of a day', async () => {
    // Prepare
    const current = await api.call<Record<string, unknown> & { version: number }>('GET', '/v1/admin/earning-rules', { token: admin });
    const { version, updatedAt: _u, updatedBy: _b, ...rules } = current.body;

    // Act
    const tooLong = await api.call('PUT', '/v1/admin/earning-rules', { token: admin, body: { ...rules, returnWindowDays: 91, expectedVersion: version } });
    const fraction = await api.call('PUT', '/v1/admin/earning-rules', { token: admin, body: { ...rules, returnWindowDays: 1.5, expectedVersion: version } });
    const negative = await api.call('PUT', '/v1/admin/earning-rules', { token: admin, body: { ...rules, returnWindowDays: -1, expectedVersion: version } });

    // Assess
    expect(current.body.returnWindowDays).toBe(WINDOW_DAYS);
    for (const res of [tooLong, fraction, negative]) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'body.returnWindowDays' })] });
    }
  });
});
