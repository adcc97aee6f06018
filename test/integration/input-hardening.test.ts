import { beforeAll, describe, expect, it } from 'vitest';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { TestApi, uniqueId } from '../support/api.js';

/**
 * Input hardening on the real handlers. Regression: a purchase line of category "constructor" (or "__proto__",
 * "toString" ...) answered 500 on POST /v1/pos/purchases and the earning
 * preview, and the purchase was lost. docs/api.md, Input hardening.
 */
const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;

let api: TestApi;
let admin: string;
let pos: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin');
  pos = await api.registerStore('store1');
});

const lines = names.map((category, i) => ({ sku: `sku-${i}`, category, amountCents: 10_000, quantity: 1 }));

describe('prototype-named keys and values through the API', () => {
  it('previews a purchase whose lines have prototype-named categories', async () => {
    // Act
    const res = await api.call<{ points: number; breakdown: { rule: string }[] }>('POST', '/v1/admin/earning-previews', { token: admin, body: { lines } });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.points).toBeGreaterThan(0);
  });

  it('records such a purchase, credits what the preview says, and replays it', async () => {
    // Prepare
    const member = await api.newMember('proto');
    const preview = await api.call<{ points: number }>('POST', '/v1/admin/earning-previews', { token: admin, body: { memberId: member.memberId, lines } });
    const purchase = { purchaseId: uniqueId('p-proto'), memberId: member.memberId, storeId: 'store1', paidAt: new Date().toISOString(), lines };

    // Act
    const first = await api.call<{ pointsEarned: number }>('POST', '/v1/pos/purchases', { token: pos, body: purchase });
    const again = await api.call<{ pointsEarned: number }>('POST', '/v1/pos/purchases', { token: pos, body: purchase });

    // Assess
    expect(first.status).toBe(201);
    expect(first.body.pointsEarned).toBe(preview.body.points);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const wallet = await getWallet(member.memberId, 'points');
    expect(wallet.available + wallet.pending).toBe(first.body.pointsEarned);
  });

  it('refuses a body with a __proto__ key (400, naming where) and changes nothing', async () => {
    // Prepare
    const member = await api.newMember('proto');
    const purchaseId = uniqueId('p-proto');
    const raw = `{"purchaseId":"${purchaseId}","memberId":"${member.memberId}","storeId":"store1","paidAt":"${new Date().toISOString()}",` +
      `"lines":[{"sku":"s","category":"A","amountCents":100,"quantity":1,"__proto__":{"amountCents":1}}]}`;

    // Act
    const res = await api.call<{ code: string; errors: { path: string }[] }>('POST', '/v1/pos/purchases', { token: pos, rawBody: raw, headers: { 'content-type': 'application/json' } });

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e) => e.path)).toEqual(['body.lines.0.__proto__']);
    expect(await allLedgerEntries(member.memberId, 'points')).toEqual([]);
  });

  it('treats prototype-named query parameters as ordinary (unknown) parameters', async () => {
    // Prepare
    const member = await api.newMember('proto');

    // Act
    const res = await api.call('GET', '/v1/me/points?constructor=1&__proto__=x&toString=y&hasOwnProperty=z&valueOf=1&constructor=2', { token: member.token });

    // Assess
    expect(res.status).toBe(200);
  });
});

/**
 * Regressions the route fuzz (test/integration/route-fuzz.test.ts) found: each
 * answered 500 before its fix.
 */
describe('input the route fuzz found', () => {
  const rulesBody = (overrides: Record<string, unknown>) => ({
    // A version the rules never have: the body is validated, and nothing can be saved by accident on the shared table.
    expectedVersion: 999_999_999,
    bands: [{ overYuan: 0, rate: 1 }],
    tierMultipliers: { normal: 1, silver: 1, gold: 1, diamond: 1 },
    pointsPerYuan: 100,
    topUpRatePerYuan: 1,
    expiry: { policy: 'never' },
    ...overrides,
  });

  it.each([
    ['a multiplier of 5e-324 (below what DynamoDB stores)', { tierMultipliers: { normal: 1, silver: 1, gold: 5e-324, diamond: 1 } }, 'body.tierMultipliers.gold'],
    ['a rate of 1e-131', { bands: [{ overYuan: 0, rate: 1e-131 }] }, 'body.bands.0.rate'],
    ['a band starting at 5e-324 CNY', { bands: [{ overYuan: 0, rate: 1 }, { overYuan: 5e-324, rate: 2 }] }, 'body.bands.1.overYuan'],
    // The next version, 2^53, is no exact number: it cannot be stored (it was a 500).
    ['an expectedVersion of 2^53 - 1', { expectedVersion: Number.MAX_SAFE_INTEGER }, 'body.expectedVersion'],
  ])('refuses earning rules with %s (400, not 500)', async (_, overrides, path) => {
    // Act
    const res = await api.call<{ code: string; errors: { path: string }[] }>('PUT', '/v1/admin/earning-rules', { token: admin, body: rulesBody(overrides) });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toContain(path);
  });

  it('refuses a string with a lone UTF-16 surrogate (400) and creates nothing', async () => {
    // Prepare: JSON allows "\ud800"; DynamoDB stores strings as UTF-8, which cannot write it.
    const raw = '{"name":"pool \\ud800 name","budgetPoints":100,"activities":[{"activity":"sign-in","weight":1}]}';

    // Act
    const res = await api.call<{ errors: { path: string }[] }>('POST', '/v1/admin/pools', { token: admin, rawBody: raw, headers: { 'content-type': 'application/json' } });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toEqual(['body.name']);
  });

  it('answers a path that starts with two slashes with the catch-all 404', async () => {
    // Act
    const res = await api.call('GET', '//');

    // Assess
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
  });
});
