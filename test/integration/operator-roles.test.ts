import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes.js';
import { OPERATOR_ROLES, operatorRules, type OperatorOperation, type OperatorRole } from '../../shared/http/roles.js';
import { TestApi, uniqueId } from '../support/api.js';

let api: TestApi;
const tokens = {} as Record<OperatorRole, string>;

beforeAll(async () => {
  api = await TestApi.create();
  for (const role of OPERATOR_ROLES) tokens[role] = await api.operatorToken(role, uniqueId(`op-${role}`));
});

// The settings are the programme's: put the defaults back whatever happened here.
afterAll(async () => {
  const current = await api.call<{ version: number }>('GET', '/v1/admin/settings', { token: tokens.admin });
  await api.call('PUT', '/v1/admin/settings', {
    token: tokens.admin,
    body: { approvalThresholdPoints: 10_000_000, supportMaxPointsPerAdjustment: 10_000, supportMaxPointsPerDay: 50_000, expectedVersion: current.body.version },
  });
});

const operatorRoutes = routes.filter((r) => r.auth === 'admin');

/** A path with every parameter filled by an id that names nothing: an admitted role gets 404/400, never a change. */
function pathOf(path: string): string {
  return path.replace(/\{job\}/, 'no-such-job').replace(/\{[^}]+\}/g, 'nothing-here');
}

describe('operator roles (shared/http/roles.ts), walked route by route', () => {
  it('has a rule for every operator route and only for them', () => {
    expect(Object.keys(operatorRules).sort()).toEqual(operatorRoutes.map((r) => r.operation).sort());
    for (const rule of Object.values(operatorRules)) expect(rule.roles).toContain('admin');
  });

  it('refuses every role a route does not admit with 403 naming the roles needed, and admits the others', async () => {
    const failures: string[] = [];
    for (const route of operatorRoutes) {
      const rule = operatorRules[route.operation as OperatorOperation];
      for (const role of OPERATOR_ROLES) {
        // An empty JSON body: an admitted write is refused by validation (400) or finds nothing (404); nothing changes.
        const res = await api.call<{ code?: string; requiredRoles?: string[] }>(route.method, pathOf(route.path), {
          token: tokens[role],
          ...(route.method === 'GET' ? {} : { body: {} }),
        });
        const admitted = rule.roles.includes(role);
        if (admitted && res.status === 403) failures.push(`${role} ${route.method} ${route.path}: 403 although admitted (${res.text})`);
        if (!admitted && (res.status !== 403 || res.body.code !== 'FORBIDDEN' || JSON.stringify(res.body.requiredRoles) !== JSON.stringify(rule.roles))) {
          failures.push(`${role} ${route.method} ${route.path}: ${res.status} ${res.text}`);
        }
        if (res.status >= 500) failures.push(`${role} ${route.method} ${route.path}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('keeps analysts to reading: every write route refuses them', () => {
    const writes = Object.entries(operatorRules).filter(([, rule]) => rule.access === 'write');
    expect(writes.length).toBeGreaterThan(20);
    for (const [, rule] of writes) expect(rule.roles).not.toContain('analyst');
  });

  it('refuses a token with no operator group, and a member token, on an operator route', async () => {
    const stranger = await api.call('GET', '/v1/admin/campaigns', { token: await api.token('member', 'm-stranger') });
    expect(stranger.status).toBe(403);
  });
});

describe('adjustments: support limits and maker-checker approval above the threshold', () => {
  async function settings() {
    return (await api.call<{ version: number; approvalThresholdPoints: number }>('GET', '/v1/admin/settings', { token: tokens.admin })).body;
  }
  async function setThreshold(values: { approvalThresholdPoints: number; supportMaxPointsPerAdjustment: number; supportMaxPointsPerDay: number }) {
    const current = await settings();
    const res = await api.call('PUT', '/v1/admin/settings', { token: tokens.admin, body: { ...values, expectedVersion: current.version } });
    expect(res.status, res.text).toBe(200);
  }
  async function balance(memberId: string): Promise<number> {
    const res = await api.call<{ points: { available: number } }>('GET', `/v1/admin/members/${memberId}`, { token: tokens.support });
    return res.body.points.available;
  }

  it('holds an adjustment above the threshold for a second operator, refuses the requester, applies it once on approval', async () => {
    await setThreshold({ approvalThresholdPoints: 5_000, supportMaxPointsPerAdjustment: 10_000, supportMaxPointsPerDay: 1_000_000 });
    const { memberId } = await api.newMember();
    const key = uniqueId('adj-key');
    const ask = () =>
      api.call<{ approvalId: string; status: string }>('POST', `/v1/admin/members/${memberId}/adjustments`, {
        token: tokens.support,
        headers: { 'idempotency-key': key },
        body: { points: 8_000, reason: 'goodwill for a lost parcel' },
      });
    const first = await ask();
    expect(first.status, first.text).toBe(202);
    expect(first.body.status).toBe('PENDING');
    const again = await ask();
    expect(again.status).toBe(202);
    expect(again.body.approvalId).toBe(first.body.approvalId);
    expect(await balance(memberId)).toBe(0);

    const pending = await api.call<{ items: { approvalId: string }[] }>('GET', '/v1/admin/approvals?status=PENDING&limit=100', { token: tokens.analyst });
    expect(pending.body.items.map((a) => a.approvalId)).toContain(first.body.approvalId);

    // The requester cannot approve; an analyst may not; another support operator may.
    const own = await api.call('POST', `/v1/admin/approvals/${first.body.approvalId}/approve`, { token: tokens.support, body: {} });
    expect(own.status).toBe(403);
    const analyst = await api.call('POST', `/v1/admin/approvals/${first.body.approvalId}/approve`, { token: tokens.analyst, body: {} });
    expect(analyst.status).toBe(403);
    const checker = await api.operatorToken('support', uniqueId('op-checker'));
    const approvals = await Promise.all(
      [1, 2, 3].map(() => api.call<{ status: string; entryId?: string }>('POST', `/v1/admin/approvals/${first.body.approvalId}/approve`, { token: checker, body: { reason: 'checked the parcel' } })),
    );
    for (const res of approvals) expect(res.status, res.text).toBe(200);
    expect(new Set(approvals.map((r) => r.body.entryId)).size).toBe(1);
    expect(await balance(memberId)).toBe(8_000);

    const rejectAfter = await api.call('POST', `/v1/admin/approvals/${first.body.approvalId}/reject`, { token: checker, body: { reason: 'too late' } });
    expect(rejectAfter.status).toBe(409);
    const trail = await api.call<{ items: { operatorId: string; summary?: string }[] }>('GET', `/v1/admin/audit?target=member:${memberId}`, { token: tokens.analyst });
    expect(trail.body.items.map((r) => r.summary ?? '')).toEqual([expect.stringMatching(/^approved/), expect.stringMatching(/^requested approval/)]);
  });

  it('changes nothing when a request is rejected', async () => {
    await setThreshold({ approvalThresholdPoints: 5_000, supportMaxPointsPerAdjustment: 10_000, supportMaxPointsPerDay: 1_000_000 });
    const { memberId } = await api.newMember();
    const asked = await api.call<{ approvalId: string }>('POST', `/v1/admin/members/${memberId}/adjustments`, {
      token: tokens.admin,
      body: { points: 9_000, reason: 'campaign correction' },
    });
    expect(asked.status).toBe(202);
    const rejected = await api.call<{ status: string }>('POST', `/v1/admin/approvals/${asked.body.approvalId}/reject`, { token: tokens.support, body: { reason: 'no ticket' } });
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body.status).toBe('REJECTED');
    expect(await balance(memberId)).toBe(0);
    const approveAfter = await api.call('POST', `/v1/admin/approvals/${asked.body.approvalId}/approve`, { token: tokens.support, body: {} });
    expect(approveAfter.status).toBe(409);
  });

  it('bounds support adjustments per adjustment and per day, under concurrency', async () => {
    await setThreshold({ approvalThresholdPoints: 10_000_000, supportMaxPointsPerAdjustment: 1_000, supportMaxPointsPerDay: 5_000 });
    const { memberId } = await api.newMember();
    const agent = await api.operatorToken('support', uniqueId('op-agent'));
    const tooBig = await api.call<{ code: string }>('POST', `/v1/admin/members/${memberId}/adjustments`, { token: agent, body: { points: 1_001, reason: 'too much at once' } });
    expect(tooBig.status).toBe(403);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api.call('POST', `/v1/admin/members/${memberId}/adjustments`, { token: agent, headers: { 'idempotency-key': uniqueId(`k${i}`) }, body: { points: 1_000, reason: 'daily goodwill' } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    expect(await balance(memberId)).toBe(5_000);
    // An admin is not bound by the support limits.
    const admin = await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, { token: tokens.admin, body: { points: 20_000, reason: 'admin correction' } });
    expect(admin.status).toBe(201);
    await setThreshold({ approvalThresholdPoints: 10_000_000, supportMaxPointsPerAdjustment: 10_000, supportMaxPointsPerDay: 50_000 });
  });

  it('sets a tier on condition, audited, and refuses analysts and marketers', async () => {
    const { memberId } = await api.newMember();
    const set = await api.call<{ tier: string }>('POST', `/v1/admin/members/${memberId}/tier`, {
      token: tokens.support,
      body: { tier: 'gold', expectedTier: 'normal', reason: 'vip complaint resolution' },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body.tier).toBe('gold');
    const stale = await api.call('POST', `/v1/admin/members/${memberId}/tier`, { token: tokens.support, body: { tier: 'silver', expectedTier: 'normal', reason: 'stale view' } });
    expect(stale.status).toBe(409);
    for (const role of ['analyst', 'marketer'] as const) {
      const refused = await api.call('POST', `/v1/admin/members/${memberId}/tier`, { token: tokens[role], body: { tier: 'normal', expectedTier: 'gold', reason: 'not mine to do' } });
      expect(refused.status).toBe(403);
    }
  });
});
