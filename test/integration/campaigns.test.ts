import { beforeAll, describe, expect, it } from 'vitest';
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

/** Campaigns here target a SKU no other test buys, so they cannot touch other tests' purchases. */
async function launch(body: Record<string, unknown>): Promise<{ campaignId: string; sku: string; version: number }> {
  const sku = uniqueId('sku');
  const res = await api.call<{ campaignId: string; version: number }>('POST', '/v1/admin/campaigns', {
    token: admin,
    body: { name: 'test campaign', targets: { skus: [sku] }, ...body },
  });
  if (res.status !== 201) throw new Error(`campaign not created: ${res.text}`);
  return { campaignId: res.body.campaignId, sku, version: res.body.version };
}

async function buy(memberId: string, sku: string, yuan: number, paidAt = new Date().toISOString()) {
  return api.call<{ purchaseId: string; pointsEarned: number; breakdown: { rule: string; points: number }[] }>('POST', '/v1/pos/purchases', {
    token: pos,
    body: { purchaseId: uniqueId('p'), memberId, storeId: 'store1', paidAt, lines: [{ sku, category: 'A', amountCents: yuan * 100, quantity: 1 }] },
  });
}

function campaignPoints(result: { body: { breakdown: { rule: string; points: number }[] } }, campaignId: string): number {
  return result.body.breakdown.find((b) => b.rule === `campaign:${campaignId}`)?.points ?? 0;
}

describe('campaigns', () => {
  it('doubles points only inside its weekend window (Asia/Shanghai)', async () => {
    // Prepare: weekends of November 2026
    const { campaignId, sku } = await launch({
      effect: { kind: 'multiplier', multiplier: 2 },
      schedule: {
        startsAt: '2026-11-01T00:00:00Z',
        endsAt: '2026-12-01T00:00:00Z',
        timezone: 'Asia/Shanghai',
        recurring: { daysOfWeek: [6, 7], from: '00:00', to: '23:59' },
      },
    });
    const memberId = uniqueId('weekend');
    await registerMember(memberId, {});

    // Act: Friday 23:00 and Saturday 01:00 local time
    const friday = await buy(memberId, sku, 100, '2026-11-20T15:00:00Z');
    const saturday = await buy(memberId, sku, 100, '2026-11-20T17:00:00Z');

    // Assess
    expect(friday.body.pointsEarned).toBe(100);
    expect(saturday.body.pointsEarned).toBe(200);
    expect(saturday.body.breakdown.map((b) => b.rule)).toContain(`campaign:${campaignId}`);
  });

  it('issues exactly its budget under 100 concurrent purchases', async () => {
    // Prepare: +100 bonus per purchase, budget 1,000
    const { campaignId, sku } = await launch({
      effect: { kind: 'bonus', points: 100 },
      schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' },
      budgetPoints: 1_000,
    });
    // Without a recurring window it pays every day and hour, and says so
    const shown = await api.call<{ schedule: Record<string, unknown> }>('GET', `/v1/admin/campaigns/${campaignId}`, { token: admin });
    expect(shown.body.schedule).toEqual({ startsAt: '2026-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z', timezone: 'Asia/Shanghai', recurring: null });
    const members = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const id = uniqueId('budget');
        await registerMember(id, {});
        return id;
      }),
    );

    // Act
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => buy(members[i % members.length] as string, sku, 10)));

    // Assess
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(201));
    const bonus = results.reduce((sum, r) => sum + (r.body.breakdown.find((b) => b.rule === `campaign:${campaignId}`)?.points ?? 0), 0);
    expect(bonus).toBe(1_000);
    const stats = await api.call('GET', `/v1/admin/campaigns/${campaignId}/stats`, { token: admin });
    expect(stats.body).toMatchObject({ pointsIssued: 1_000, budgetLeft: 0, participants: expect.any(Number) });
    for (const m of members) await expectLedgerExplainsWallet(m);
  });

  it('limits what one member gets with the per-member cap, and counts participants', async () => {
    const { campaignId, sku } = await launch({
      effect: { kind: 'bonus', points: 30 },
      schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' },
      perMemberCap: 50,
    });
    const [a, b] = [uniqueId('cap-a'), uniqueId('cap-b')];
    await registerMember(a, {});
    await registerMember(b, {});

    const first = await buy(a, sku, 10);
    const second = await buy(a, sku, 10);
    const third = await buy(a, sku, 10);
    await buy(b, sku, 10);

    expect([first, second, third].map((r) => r.body.pointsEarned)).toEqual([40, 30, 10]);
    const stats = await api.call('GET', `/v1/admin/campaigns/${campaignId}/stats`, { token: admin });
    expect(stats.body).toMatchObject({ participants: 2, pointsIssued: 80, purchases: 3, salesCents: 3_000 });
  });

  it('takes effect when paused and resumed, without a deploy', async () => {
    const { campaignId, sku, version } = await launch({
      effect: { kind: 'bonus', points: 7 },
      schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' },
    });
    const memberId = uniqueId('pause');
    await registerMember(memberId, {});

    const paused = await api.call('PATCH', `/v1/admin/campaigns/${campaignId}`, { token: admin, body: { expectedVersion: version, status: 'PAUSED' } });
    const whilePaused = await buy(memberId, sku, 10);
    const stale = await api.call('PATCH', `/v1/admin/campaigns/${campaignId}`, { token: admin, body: { expectedVersion: version, status: 'ACTIVE' } });
    await api.call('PATCH', `/v1/admin/campaigns/${campaignId}`, { token: admin, body: { expectedVersion: version + 1, status: 'ACTIVE' } });
    const resumed = await buy(memberId, sku, 10);

    expect(paused.status).toBe(200);
    expect(whilePaused.body.pointsEarned).toBe(10);
    expect(stale.status).toBe(409);
    expect(resumed.body.pointsEarned).toBe(17);
  });

  it('targets members by spend in the last 3 months, and a refund under the threshold ends it', async () => {
    // Prepare: +50 points per purchase of the campaign SKU for members who spent at least 1,000 CNY in the last 3 months
    const { campaignId, sku } = await launch({
      effect: { kind: 'bonus', points: 50 },
      schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' },
      audience: { kind: 'segment', spend: { period: { kind: 'last-months', months: 3 }, atLeastCents: 1_000_00 } },
    });
    const [over, under] = [uniqueId('spend-over'), uniqueId('spend-under')];
    await registerMember(over, {});
    await registerMember(under, {});
    const first = await buy(over, 'everyday-sku', 1_000);
    await buy(under, 'everyday-sku', 999);
    const lines = [{ sku, category: 'A', amountCents: 10_00, quantity: 1 }];

    // Act
    const previewOver = await api.call<{ points: number }>('POST', '/v1/admin/earning-previews', { token: admin, body: { memberId: over, lines } });
    const previewUnder = await api.call<{ points: number }>('POST', '/v1/admin/earning-previews', { token: admin, body: { memberId: under, lines } });
    const overBuys = await buy(over, sku, 10);
    const underBuys = await buy(under, sku, 10);
    const refund = await api.call('POST', `/v1/pos/purchases/${first.body.purchaseId}/refunds`, {
      token: pos,
      body: { refundId: uniqueId('r'), amountCents: 30_00 },
    });
    // 1,000 + 10 - 30 = 980 CNY in the period now, 990 after the next purchase
    const afterRefund = await buy(over, sku, 10);
    const previewAfterRefund = await api.call<{ points: number }>('POST', '/v1/admin/earning-previews', { token: admin, body: { memberId: over, lines } });

    // Assess
    expect(previewOver.body.points).toBe(10 + 50);
    expect(previewUnder.body.points).toBe(10);
    expect(campaignPoints(overBuys, campaignId)).toBe(50);
    expect(campaignPoints(underBuys, campaignId)).toBe(0);
    expect(refund.status).toBe(201);
    expect(campaignPoints(afterRefund, campaignId)).toBe(0);
    expect(afterRefund.body.pointsEarned).toBe(10);
    expect(previewAfterRefund.body.points).toBe(10);
    const stats = await api.call('GET', `/v1/admin/campaigns/${campaignId}/stats`, { token: admin });
    expect(stats.body).toMatchObject({ participants: 1, pointsIssued: 50, purchases: 1 });
    for (const m of [over, under]) await expectLedgerExplainsWallet(m);
  });

  it('counts a fixed range of months and refuses a malformed spend audience', async () => {
    // Prepare: spend in a fixed past range; the member's purchases of then are backdated POS reports
    const { campaignId, sku } = await launch({
      effect: { kind: 'multiplier', multiplier: 2 },
      schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' },
      audience: { kind: 'segment', spend: { period: { kind: 'months', from: '2026-01', to: '2026-02' }, atLeastCents: 300_00 } },
    });
    const [inRange, outside] = [uniqueId('range-in'), uniqueId('range-out')];
    await registerMember(inRange, {});
    await registerMember(outside, {});
    // 2026-01-31T16:30Z is 1 February 00:30 in Shanghai (in the range); 2026-02-28T16:30Z is 1 March there (outside).
    await buy(inRange, 'everyday-sku', 300, '2026-01-31T16:30:00Z');
    await buy(outside, 'everyday-sku', 300, '2026-02-28T16:30:00Z');

    // Act
    const inside = await buy(inRange, sku, 10);
    const notInside = await buy(outside, sku, 10);
    const malformed = await api.call<{ errors: { path: string }[] }>('POST', '/v1/admin/campaigns', {
      token: admin,
      body: {
        name: 'malformed spend audience',
        effect: { kind: 'bonus', points: 1 },
        schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2027-01-01T00:00:00Z' },
        audience: { kind: 'segment', spend: { period: { kind: 'months', from: '2026-03', to: '2026-01' }, atLeastCents: 100, belowCents: 50 } },
      },
    });

    // Assess
    expect(campaignPoints(inside, campaignId)).toBe(10);
    expect(campaignPoints(notInside, campaignId)).toBe(0);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['body.audience.spend.period.to', 'body.audience.spend.belowCents']));
  });

  it('shows a future campaign in a preview at its time, and not now', async () => {
    const { sku } = await launch({
      effect: { kind: 'multiplier', multiplier: 3 },
      schedule: { startsAt: '2029-01-01T00:00:00Z', endsAt: '2029-02-01T00:00:00Z' },
    });
    const lines = [{ sku, category: 'A', amountCents: 1_000, quantity: 1 }];

    const now = await api.call<{ points: number }>('POST', '/v1/admin/earning-previews', { token: admin, body: { lines } });
    const then = await api.call<{ points: number }>('POST', '/v1/admin/earning-previews', { token: admin, body: { lines, at: '2029-01-15T00:00:00Z' } });

    expect(now.body.points).toBe(10);
    expect(then.body.points).toBe(30);
  });
});
