import { beforeAll, describe, expect, it } from 'vitest';
import { TestApi, uniqueId } from '../support/api.js';

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin');
});

describe('member API', () => {
  it('answers health without a token', async () => {
    const res = await api.call('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('answers readiness without a token once the table answers', async () => {
    const res = await api.call('GET', '/v1/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', tableLatencyMs: expect.any(Number) });
  });

  it('registers a member once and answers the same profile again', async () => {
    const memberId = uniqueId('m');
    const token = await api.token('member', memberId);
    const first = await api.call('POST', '/v1/me/register', { token, body: { birthday: '1990-04-23' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ memberId, tier: 'normal', birthday: '1990-04-23' });
    const second = await api.call('POST', '/v1/me/register', { token, body: {} });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
  });

  it("shows an operator's adjustment in points and ledger", async () => {
    const { memberId, token } = await api.newMember();
    const adjust = await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, {
      token: admin,
      body: { points: 500, reason: 'goodwill credit' },
    });
    expect(adjust.status).toBe(201);
    const points = await api.call<{ available: number; expiring: unknown[] }>('GET', '/v1/me/points', { token });
    expect(points.status).toBe(200);
    expect(points.body.available).toBe(500);
    expect(points.body.expiring).toHaveLength(1);
    const ledger = await api.call<{ items: { type: string; points: number; balanceAfter: number }[] }>('GET', '/v1/me/ledger', { token });
    expect(ledger.body.items).toEqual([expect.objectContaining({ type: 'ADJUST', points: 500, balanceAfter: 500 })]);
  });

  it('exchanges partner miles into points at the configured rate, once per key', async () => {
    const { memberId, token } = await api.newMember();
    await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, {
      token: admin,
      body: { points: 100, reason: 'miles for the test', currency: 'partner-miles' },
    });
    const headers = { 'idempotency-key': `exchange-${memberId}` };
    const body = { from: 'partner-miles', to: 'points', amount: 10 };

    const first = await api.call('POST', '/v1/me/exchanges', { token, headers, body });
    const replay = await api.call('POST', '/v1/me/exchanges', { token, headers, body });
    const noKey = await api.call('POST', '/v1/me/exchanges', { token, body });
    const inexact = await api.call('POST', '/v1/me/exchanges', {
      token,
      headers: { 'idempotency-key': `exchange-2-${memberId}` },
      body: { from: 'points', to: 'partner-miles', amount: 7 },
    });

    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ from: { points: -10 }, to: { currency: 'points', points: 50 }, rate: '5/1' });
    expect(replay.body).toEqual(first.body);
    expect(noKey.status).toBe(400);
    expect(noKey.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REQUIRED' });
    expect(inexact.status).toBe(400);
    const miles = await api.call<{ available: number }>('GET', '/v1/me/points?currency=partner-miles', { token });
    const points = await api.call<{ available: number }>('GET', '/v1/me/points', { token });
    expect(miles.body.available).toBe(90);
    expect(points.body.available).toBe(50);
  });
});
