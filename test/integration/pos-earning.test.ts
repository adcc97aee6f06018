import { beforeAll, describe, expect, it } from 'vitest';
import { getWallet } from '../../shared/ledger/reader.js';
import { registerMember } from '../../shared/members/service.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let pos: string;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  pos = await api.registerStore('store1');
  admin = await api.token('admin');
});

const purchase = (memberId: string, lines: { category: string; yuan: number }[], purchaseId = uniqueId('p')) => ({
  purchaseId,
  memberId,
  storeId: 'store1',
  paidAt: new Date().toISOString(),
  lines: lines.map((l, i) => ({ sku: `sku-${i}`, category: l.category, amountCents: Math.round(l.yuan * 100), quantity: 1 })),
});

describe('POS earning', () => {
  it('earns points for a purchase with a per-rule breakdown, once per purchaseId', async () => {
    // Prepare: a gold member buying category B (default rules: B x2, gold x1.5)
    const memberId = uniqueId('pos-gold');
    await registerMember(memberId, { tier: 'gold' });
    const body = purchase(memberId, [{ category: 'B', yuan: 100 }, { category: 'A', yuan: 50 }]);

    // Act
    const first = await api.call<{ pointsEarned: number; breakdown: { rule: string; points: number }[] }>('POST', '/v1/pos/purchases', { token: pos, body });
    const again = await api.call('POST', '/v1/pos/purchases', { token: pos, body });
    const changed = await api.call('POST', '/v1/pos/purchases', { token: pos, body: { ...body, lines: body.lines.slice(1) } });
    const otherStore = await api.call('POST', '/v1/pos/purchases', { token: pos, body: { ...body, storeId: 'store2' } });

    // Assess: 150 base, +100 category B, +125 gold (x1.5 of 250)
    expect(first.status).toBe(201);
    expect(first.body.pointsEarned).toBe(375);
    expect(first.body.breakdown.map((b) => b.rule)).toEqual(['base', 'category:B', 'tier:gold']);
    expect(again.body).toEqual(first.body);
    expect(changed.status).toBe(422);
    expect(otherStore.status).toBe(403);
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(375);
  });

  it('claws back in proportion over several partial refunds, never more than earned', async () => {
    const memberId = uniqueId('pos-refund');
    await registerMember(memberId, {});
    const body = purchase(memberId, [{ category: 'A', yuan: 300 }]);
    await api.call('POST', '/v1/pos/purchases', { token: pos, body });
    const refund = (refundId: string, amountCents: number) =>
      api.call<{ pointsClawedBack: number; refundedCents: number }>('POST', `/v1/pos/purchases/${body.purchaseId}/refunds`, {
        token: pos,
        body: { refundId, amountCents },
      });

    const r1 = await refund('r1', 10_000);
    const r1again = await refund('r1', 10_000);
    const r2 = await refund('r2', 15_000);
    const tooMuch = await refund('r3', 10_000);
    const r3 = await refund('r4', 5_000);
    const r3again = await refund('r4', 5_000);

    expect(r1.body.pointsClawedBack).toBe(100);
    expect(r1again.body).toEqual(r1.body);
    expect(r2.body.pointsClawedBack).toBe(150);
    expect(tooMuch.status).toBe(400);
    expect(r3.body).toMatchObject({ pointsClawedBack: 50, refundedCents: 30_000 });
    expect(r3again.status).toBe(201);
    expect(r3again.body).toEqual(r3.body);
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(0);
    expect(entries.filter((e) => e.type === 'CLAWBACK').map((e) => e.points)).toEqual([-100, -150, -50]);
  });

  it('claws back what is left when the points were spent, and answers the shortfall in cash', async () => {
    const memberId = uniqueId('pos-spent');
    await registerMember(memberId, {});
    const body = purchase(memberId, [{ category: 'A', yuan: 200 }]);
    await api.call('POST', '/v1/pos/purchases', { token: pos, body });
    await api.call('POST', '/v1/pos/redemptions', { token: pos, body: { redemptionId: uniqueId('rd'), memberId, points: 150, paymentCode: await api.paymentCode(memberId) } });

    const res = await api.call('POST', `/v1/pos/purchases/${body.purchaseId}/refunds`, { token: pos, body: { refundId: 'full', amountCents: 20_000 } });

    expect(res.body).toMatchObject({ pointsClawedBack: 50, shortfallPoints: 150, shortfallCents: 150 });
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(0);
  });

  it('applies concurrent refunds of one purchase one at a time', async () => {
    const memberId = uniqueId('pos-concurrent');
    await registerMember(memberId, {});
    const body = purchase(memberId, [{ category: 'A', yuan: 100 }]);
    await api.call('POST', '/v1/pos/purchases', { token: pos, body });

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.call<{ pointsClawedBack: number }>('POST', `/v1/pos/purchases/${body.purchaseId}/refunds`, { token: pos, body: { refundId: `c${i}`, amountCents: 1_000 } }),
      ),
    );

    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(results.reduce((s, r) => s + r.body.pointsClawedBack, 0)).toBe(100);
    expect((await getWallet(memberId, 'points')).available).toBe(0);
  });

  it('earns on a top-up and spends points as cash at checkout', async () => {
    const memberId = uniqueId('pos-topup');
    await registerMember(memberId, {});

    const topUp = await api.call<{ pointsEarned: number }>('POST', '/v1/pos/top-ups', { token: pos, body: { topUpId: uniqueId('t'), memberId, amountCents: 50_000 } });
    const redeem = await api.call('POST', '/v1/pos/redemptions', { token: pos, body: { redemptionId: uniqueId('rd'), memberId, points: 200, paymentCode: await api.paymentCode(memberId) } });
    const tooMuch = await api.call('POST', '/v1/pos/redemptions', { token: pos, body: { redemptionId: uniqueId('rd'), memberId, points: 1_000, paymentCode: await api.paymentCode(memberId) } });

    expect(topUp.body.pointsEarned).toBe(250);
    expect(redeem.body).toMatchObject({ points: 200, valueCents: 200 });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({ code: 'INSUFFICIENT_POINTS', available: 50 });
  });

  it('answers 404 for a purchase by an unregistered member and writes nothing', async () => {
    const res = await api.call('POST', '/v1/pos/purchases', { token: pos, body: purchase(uniqueId('ghost'), [{ category: 'A', yuan: 10 }]) });
    expect(res.status).toBe(404);
  });
});

describe('earning rules', () => {
  it('versions changes, refuses a stale version, and the next purchase uses the new rules', async () => {
    const current = await api.call<Record<string, unknown> & { version: number }>('GET', '/v1/admin/earning-rules', { token: admin });
    const { version, updatedAt: _u, updatedBy: _b, ...rules } = current.body;
    const tripled = { ...rules, bands: [{ overYuan: 0, rate: 3 }], expectedVersion: version };

    const saved = await api.call<{ version: number }>('PUT', '/v1/admin/earning-rules', { token: admin, body: tripled });
    const stale = await api.call('PUT', '/v1/admin/earning-rules', { token: admin, body: tripled });
    const preview = await api.call<{ points: number; rulesVersion: number }>('POST', '/v1/admin/earning-previews', {
      token: admin,
      body: { lines: [{ sku: 's', category: 'A', amountCents: 1_000, quantity: 1 }] },
    });
    // Put the previous rules back so other tests see the defaults.
    const restored = await api.call('PUT', '/v1/admin/earning-rules', { token: admin, body: { ...rules, expectedVersion: version + 1 } });

    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(version + 1);
    expect(stale.status).toBe(409);
    expect(preview.body).toMatchObject({ points: 30, rulesVersion: version + 1 });
    expect(restored.status).toBe(200);
  });
});
