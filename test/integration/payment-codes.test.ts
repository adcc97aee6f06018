import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { redeemAtCheckout } from '../../shared/earning/pos.js';
import { commit } from '../../shared/ledger/ledger.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { issuePaymentCode, PAYMENT_CODE_SLOTS, paymentCodeHash } from '../../shared/members/payment-codes.js';
import { registerMember } from '../../shared/members/service.js';
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

/** A registered member holding `points`, with a member token. */
async function memberWith(points: number): Promise<{ memberId: string; token: string }> {
  const memberId = uniqueId('pc-m');
  await registerMember(memberId, {});
  if (points > 0) await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
  return { memberId, token: await api.token('member', memberId) };
}

function redeem(body: { memberId: string; points: number; paymentCode: string; redemptionId?: string }) {
  return api.call<{ points: number; valueCents: number; code?: string; detail?: string }>('POST', '/v1/pos/redemptions', {
    token: pos,
    body: { redemptionId: body.redemptionId ?? uniqueId('rd'), ...body },
  });
}

async function spent(memberId: string) {
  return { wallet: await getWallet(memberId, 'points'), spends: (await allLedgerEntries(memberId, 'points')).filter((e) => e.type === 'SPEND').length };
}

describe('payment codes', () => {
  it('issues an 18-digit code valid for 60 s, keeps only its hash, and a redemption with it spends the points', async () => {
    // Prepare
    const { memberId, token } = await memberWith(1_000);
    const asked = Date.now();

    // Act
    const issued = await api.call<{ code: string; expiresAt: string }>('POST', '/v1/me/payment-codes', { token });
    const paid = await redeem({ memberId, points: 400, paymentCode: issued.body.code });

    // Assess
    expect(issued.status).toBe(201);
    expect(issued.body.code).toMatch(/^\d{18}$/);
    expect(Date.parse(issued.body.expiresAt) - asked).toBeGreaterThanOrEqual(59_000);
    expect(Date.parse(issued.body.expiresAt) - asked).toBeLessThanOrEqual(61_000);
    const stored = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.paymentCode(paymentCodeHash(issued.body.code)) }))).Item;
    expect(stored).toMatchObject({ memberId, status: 'USED', storeId: 'store1' });
    expect(JSON.stringify(stored)).not.toContain(issued.body.code);
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ points: 400, valueCents: 400 });
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(600);
  });

  it('refuses a used code with PAYMENT_CODE_USED and spends nothing more', async () => {
    // Prepare
    const { memberId } = await memberWith(1_000);
    const code = await api.paymentCode(memberId);
    expect((await redeem({ memberId, points: 100, paymentCode: code })).status).toBe(201);
    const before = await spent(memberId);

    // Act
    const again = await redeem({ memberId, points: 100, paymentCode: code });

    // Assess
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'PAYMENT_CODE_USED' });
    expect(await spent(memberId)).toEqual(before);
  });

  it('refuses an expired code with PAYMENT_CODE_EXPIRED, checked against the time of the redemption', async () => {
    // Prepare: one code issued 61 s ago (so expired now), one issued now and redeemed 61 s later
    const { memberId } = await memberWith(1_000);
    const old = await issuePaymentCode(memberId, new Date(Date.now() - 61_000));
    const fresh = await issuePaymentCode(memberId);

    // Act
    const viaApi = await redeem({ memberId, points: 100, paymentCode: old.code });
    const later = redeemAtCheckout({ redemptionId: uniqueId('rd'), memberId, points: 100, paymentCode: fresh.code, storeId: 'store1' }, new Date(Date.now() + 61_000));

    // Assess
    expect(viaApi.status).toBe(409);
    expect(viaApi.body).toMatchObject({ code: 'PAYMENT_CODE_EXPIRED', expiredAt: old.expiresAt });
    await expect(later).rejects.toMatchObject({ code: 'PAYMENT_CODE_EXPIRED' });
    expect(await spent(memberId)).toMatchObject({ wallet: { available: 1_000 }, spends: 0 });
  });

  it("refuses another member's code and an unknown code alike (403 PAYMENT_CODE_INVALID), and spends nothing", async () => {
    // Prepare
    const victim = await memberWith(1_000);
    const other = await memberWith(500);
    const othersCode = await api.paymentCode(other.memberId);

    // Act
    const wrongMember = await redeem({ memberId: victim.memberId, points: 100, paymentCode: othersCode });
    const unknown = await redeem({ memberId: victim.memberId, points: 100, paymentCode: '123456789012345678' });

    // Assess
    expect(wrongMember.status).toBe(403);
    expect(unknown.status).toBe(403);
    expect(wrongMember.body).toMatchObject({ code: 'PAYMENT_CODE_INVALID' });
    expect(unknown.body).toMatchObject({ code: 'PAYMENT_CODE_INVALID', detail: wrongMember.body.detail });
    expect(await spent(victim.memberId)).toMatchObject({ wallet: { available: 1_000 }, spends: 0 });
    // The other member's code is still good for its owner.
    expect((await redeem({ memberId: other.memberId, points: 100, paymentCode: othersCode })).status).toBe(201);
  });

  it('keeps the code when the points are not enough, so the member can pay less with it', async () => {
    // Prepare
    const { memberId } = await memberWith(300);
    const code = await api.paymentCode(memberId);

    // Act
    const tooMuch = await redeem({ memberId, points: 500, paymentCode: code });
    const less = await redeem({ memberId, points: 300, paymentCode: code });

    // Assess
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    expect(less.status).toBe(201);
  });

  it('replays the first answer for the same redemptionId and body, though the code is used', async () => {
    // Prepare
    const { memberId } = await memberWith(1_000);
    const body = { redemptionId: uniqueId('rd'), memberId, points: 200, paymentCode: await api.paymentCode(memberId) };
    const first = await redeem(body);

    // Act
    const replay = await redeem(body);
    const otherBody = await redeem({ ...body, points: 300 });

    // Assess
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(otherBody.status).toBe(422);
    expect(await spent(memberId)).toMatchObject({ wallet: { available: 800 }, spends: 1 });
  });

  it('spends exactly once when 20 redemptions race with one code', async () => {
    // Prepare
    const { memberId } = await memberWith(10_000);
    const code = await api.paymentCode(memberId);

    // Act
    const answers = await Promise.all(Array.from({ length: 20 }, () => redeem({ memberId, points: 100, paymentCode: code })));

    // Assess
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'PAYMENT_CODE_USED')).toBe(true);
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(9_900);
    expect(entries.filter((e) => e.type === 'SPEND')).toHaveLength(1);
  });

  it(`holds at most ${PAYMENT_CODE_SLOTS} live codes per member: the next is 429 PAYMENT_CODE_LIMIT until one expires`, async () => {
    // Prepare: two codes issued long ago (expired), then the live ones
    const { memberId, token } = await memberWith(0);
    await issuePaymentCode(memberId, new Date(Date.now() - 120_000));
    await issuePaymentCode(memberId, new Date(Date.now() - 120_000));

    // Act
    const live = await Promise.all(Array.from({ length: PAYMENT_CODE_SLOTS }, () => api.call('POST', '/v1/me/payment-codes', { token })));
    const beyond = await api.call<{ code: string; retryAfterSeconds: number }>('POST', '/v1/me/payment-codes', { token });
    const later = await issuePaymentCode(memberId, new Date(Date.now() + 61_000));

    // Assess
    expect(live.map((r) => r.status)).toEqual(Array(PAYMENT_CODE_SLOTS).fill(201));
    expect(new Set(live.map((r) => (r.body as { code: string }).code)).size).toBe(PAYMENT_CODE_SLOTS);
    expect(beyond.status).toBe(429);
    expect(beyond.body.code).toBe('PAYMENT_CODE_LIMIT');
    expect(beyond.body.retryAfterSeconds).toBeGreaterThan(0);
    expect(beyond.body.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(beyond.headers['retry-after']).toBe(String(beyond.body.retryAfterSeconds));
    expect(later.code).toMatch(/^\d{18}$/);
  });

  it('answers 404 to a member who has not registered', async () => {
    const res = await api.call('POST', '/v1/me/payment-codes', { token: await api.token('member', uniqueId('ghost')) });
    expect(res.status).toBe(404);
  });
});
