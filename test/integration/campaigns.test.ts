import { beforeAll, describe, expect, it } from 'vitest';
import { registerMember } from '../../shared/members/service.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let pos: string;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  pos = await api.token('pos', 'store1');
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
  return api.call<{ pointsEarned: number; breakdown: { rule: string; points: number }[] }>('POST', '/v1/pos/purchases', {
    token: pos,
    body: { purchaseId: uniqueId('p'), memberId, storeId: 'store1', paidAt, lines: [{ sku, category: 'A', amountCents: yuan * 100, quantity: 1 }] },
  });
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
