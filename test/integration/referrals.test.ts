import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { referralStats, settleReferral } from '../../shared/members/referrals.js';
import { getMember, registerMember } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let pos: string;

beforeAll(async () => {
  api = await TestApi.create();
  pos = await api.registerStore('store1');
});

/** A referrer registered through the API, with their referral code. */
async function referrer(): Promise<{ memberId: string; code: string }> {
  const memberId = uniqueId('referrer');
  const token = await api.token('member', memberId);
  const res = await api.call<{ referralCode: string }>('POST', '/v1/me/register', { token, body: {} });
  return { memberId, code: res.body.referralCode };
}

async function registerWithCode(code: string, memberId = uniqueId('referee')) {
  const token = await api.token('member', memberId);
  const res = await api.call<{ referredBy: string | null }>('POST', '/v1/me/register', { token, body: { referralCode: code } });
  return { memberId, token, res };
}

async function referralRecord(referrerId: string, refereeId: string) {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.referral(referrerId, refereeId), ConsistentRead: true }))).Item;
}

function buy(memberId: string, yuan: number) {
  return api.call('POST', '/v1/pos/purchases', {
    token: pos,
    body: { purchaseId: uniqueId('p'), memberId, storeId: 'store1', paidAt: new Date().toISOString(), lines: [{ sku: 'ref-sku', category: 'A', amountCents: yuan * 100, quantity: 1 }] },
  });
}

describe('referrals', () => {
  it('pays the referrer by the ladder (100, 100, 100, then 150) and welcomes each referee with 50', async () => {
    // Prepare
    const { memberId, code } = await referrer();

    // Act: four referees, one after another
    const referees = [];
    for (let i = 0; i < 4; i += 1) referees.push(await registerWithCode(code));

    // Assess
    expect(referees.map((r) => r.res.status)).toEqual([201, 201, 201, 201]);
    expect(referees[0]?.res.body.referredBy).toBe(code);
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.map((e) => e.points)).toEqual([100, 100, 100, 150]);
    expect(wallet.available).toBe(450);
    for (const r of referees) expect((await expectLedgerExplainsWallet(r.memberId)).wallet.available).toBe(50);
    expect(await referralStats(memberId)).toEqual({ referrals: 4, pointsEarned: 450 });
    expect(await referralRecord(memberId, referees[3]?.memberId as string)).toMatchObject({ nth: 4, referrerPoints: 150, refereePoints: 50 });
  });

  it('gives each of 12 concurrent referees of one referrer its own rung', async () => {
    // Prepare
    const { memberId, code } = await referrer();

    // Act
    const referees = await Promise.all(Array.from({ length: 12 }, () => registerWithCode(code)));

    // Assess: 3 x 100 + 7 x 150 + 2 x 200
    expect(referees.every((r) => r.res.status === 201)).toBe(true);
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(1_750);
    expect(await referralStats(memberId)).toEqual({ referrals: 12, pointsEarned: 1_750 });
    const rungs = await Promise.all(referees.map(async (r) => Number((await referralRecord(memberId, r.memberId))?.nth)));
    expect(rungs.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('pays each reward once when the same registration is retried concurrently and afterwards', async () => {
    // Prepare
    const { memberId, code } = await referrer();
    const refereeId = uniqueId('retried');

    // Act
    const calls = await Promise.all(Array.from({ length: 5 }, () => registerWithCode(code, refereeId)));
    const again = await settleReferral(await getMember(refereeId));

    // Assess
    expect(calls.map((c) => c.res.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(again.rewarded).toBe(false);
    expect((await getWallet(memberId, 'points')).available).toBe(100);
    expect((await getWallet(refereeId, 'points')).available).toBe(50);
    expect(await referralStats(memberId)).toEqual({ referrals: 1, pointsEarned: 100 });
  });

  it('cannot make a member their own referrer', async () => {
    // Prepare
    const { memberId, code } = await referrer();
    const token = await api.token('member', memberId);

    // Act: registering again with one's own code changes nothing; the service refuses a self-referral outright
    const again = await api.call<{ referredBy: string | null }>('POST', '/v1/me/register', { token, body: { referralCode: code } });
    const direct = await settleReferral({ memberId, referrerId: memberId, referredBy: code }).catch((e: Error) => e);

    // Assess
    expect(again.status).toBe(200);
    expect(again.body.referredBy).toBeNull();
    expect(direct).toMatchObject({ code: 'CONFLICT' });
    expect(await allLedgerEntries(memberId, 'points')).toEqual([]);
    expect(await referralStats(memberId)).toEqual({ referrals: 0, pointsEarned: 0 });
  });

  it("pays the referrer 100 once on the referee's first purchase, even when purchases race", async () => {
    // Prepare
    const { memberId, code } = await referrer();
    const { memberId: refereeId } = await registerWithCode(code);
    const plain = uniqueId('unreferred');
    await registerMember(plain, {});

    // Act: three concurrent first purchases, a later one, and purchases by a member nobody referred
    const first = await Promise.all([buy(refereeId, 10), buy(refereeId, 20), buy(refereeId, 30)]);
    await buy(refereeId, 40);
    await buy(plain, 10);

    // Assess: 100 ladder + 100 first purchase
    expect(first.map((r) => r.status)).toEqual([201, 201, 201]);
    const { entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.map((e) => [e.points, e.ref])).toEqual([
      [100, `referral:${refereeId}`],
      [100, `referral-first-purchase:${refereeId}`],
    ]);
    const referee = await expectLedgerExplainsWallet(refereeId);
    expect(referee.wallet.available).toBe(50 + 10 + 20 + 30 + 40);
    expect((await getMember(refereeId)).purchaseCount).toBe(4);
  });

  it('refuses an unknown referral code and registers nobody', async () => {
    const { memberId, res } = await registerWithCode('ZZZZZZZZ');
    expect(res.status).toBe(400);
    expect(await getMember(memberId).catch((e: Error) => e)).toMatchObject({ code: 'NOT_FOUND' });
  });
});
