/**
 * Refunds by line through the POS API on DynamoDB Local: what the returned
 * lines earned comes back, a line is never returned twice, campaigns get
 * their points back, and bad refunds change nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { registerMember } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
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

interface Line {
  sku: string;
  category: string;
  amountCents: number;
  quantity: number;
}
interface RefundAnswer {
  amountCents: number;
  lines: { sku: string; quantity: number; amountCents: number; points: number }[];
  pointsClawedBack: number;
  shortfallPoints: number;
  refundedCents: number;
}

async function buy(memberId: string, lines: Line[]) {
  const purchaseId = uniqueId('p-line');
  const res = await api.call<{ pointsEarned: number }>('POST', '/v1/pos/purchases', {
    token: pos,
    body: { purchaseId, memberId, storeId: 'store1', paidAt: new Date().toISOString(), lines },
  });
  expect(res.status, res.text).toBe(201);
  return { purchaseId, pointsEarned: res.body.pointsEarned };
}

const refund = (purchaseId: string, body: Record<string, unknown>, token = pos) =>
  api.call<RefundAnswer & { code?: string; detail?: string }>('POST', `/v1/pos/purchases/${purchaseId}/refunds`, { token, body });

async function purchaseItem(purchaseId: string) {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: keys.purchase(purchaseId), ConsistentRead: true }))).Item;
}

/** Skus no other test buys: no campaign of another test can target them. */
const skus = () => ({ b: uniqueId('sku-b'), a: uniqueId('sku-a') });

describe('POS refunds by line', () => {
  it('claws back what the returned line earned: the B line of 400 CNY B + 600 CNY A takes back its 800 points, then A its 600', async () => {
    // Prepare: default rules (1 point per CNY, category B x2), a member of the base tier
    const memberId = uniqueId('line-refund');
    await registerMember(memberId, {});
    const sku = skus();
    const { purchaseId, pointsEarned } = await buy(memberId, [
      { sku: sku.b, category: 'B', amountCents: 40_000, quantity: 1 },
      { sku: sku.a, category: 'A', amountCents: 60_000, quantity: 1 },
    ]);

    // Act
    const returnB = await refund(purchaseId, { refundId: 'r-b', lines: [{ sku: sku.b, quantity: 1 }] });
    const again = await refund(purchaseId, { refundId: 'r-b', lines: [{ sku: sku.b, quantity: 1 }] });
    const twice = await refund(purchaseId, { refundId: 'r-b2', lines: [{ sku: sku.b, quantity: 1 }] });
    const returnA = await refund(purchaseId, { refundId: 'r-a', lines: [{ sku: sku.a, quantity: 1 }] });

    // Assess
    expect(pointsEarned).toBe(1_400);
    expect(returnB.status, returnB.text).toBe(201);
    expect(returnB.body).toMatchObject({ amountCents: 40_000, pointsClawedBack: 800, refundedCents: 40_000, lines: [{ sku: sku.b, quantity: 1, amountCents: 40_000, points: 800 }] });
    expect(again.body).toEqual(returnB.body);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'ALREADY_REFUNDED', returnableQuantity: 0 });
    expect(returnA.body).toMatchObject({ amountCents: 60_000, pointsClawedBack: 600, refundedCents: 100_000 });
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(0);
    expect(entries.filter((e) => e.type === 'CLAWBACK').map((e) => e.points)).toEqual([-800, -600]);
  });

  it('returns units at what they were paid and mixes with refunds by amount, giving back exactly what was earned in the end', async () => {
    // Prepare: 3 units of B for 100.00 CNY (200 points) and 1 of A for 50.00 CNY (50 points)
    const memberId = uniqueId('line-units');
    await registerMember(memberId, {});
    const sku = skus();
    const { purchaseId, pointsEarned } = await buy(memberId, [
      { sku: sku.b, category: 'B', amountCents: 10_000, quantity: 3 },
      { sku: sku.a, category: 'A', amountCents: 5_000, quantity: 1 },
    ]);

    // Act: one unit of B, then 30 CNY by amount (spread over what is left), then everything else by line
    const oneUnit = await refund(purchaseId, { refundId: 'u1', lines: [{ sku: sku.b, quantity: 1 }] });
    const byAmount = await refund(purchaseId, { refundId: 'amt', amountCents: 3_000 });
    const rest = await refund(purchaseId, { refundId: 'rest', lines: [{ sku: sku.b, quantity: 2 }, { sku: sku.a, quantity: 1 }] });
    const nothingLeft = await refund(purchaseId, { refundId: 'more', amountCents: 1 });

    // Assess
    expect(pointsEarned).toBe(250);
    expect(oneUnit.body).toMatchObject({ amountCents: 3_333, pointsClawedBack: 66 });
    expect(byAmount.body.amountCents).toBe(3_000);
    expect(rest.body.refundedCents).toBe(15_000);
    expect(oneUnit.body.pointsClawedBack + byAmount.body.pointsClawedBack + rest.body.pointsClawedBack).toBe(250);
    expect(nothingLeft.status).toBe(400);
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(0);
  });

  it('returns a line once when two refunds of it arrive at once', async () => {
    const memberId = uniqueId('line-race');
    await registerMember(memberId, {});
    const sku = skus();
    const { purchaseId } = await buy(memberId, [
      { sku: sku.b, category: 'B', amountCents: 40_000, quantity: 1 },
      { sku: sku.a, category: 'A', amountCents: 60_000, quantity: 1 },
    ]);

    const results = await Promise.all(['race-1', 'race-2', 'race-3'].map((refundId) => refund(purchaseId, { refundId, lines: [{ sku: sku.b, quantity: 1 }] })));

    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(600);
    expect(entries.filter((e) => e.type === 'CLAWBACK').map((e) => e.points)).toEqual([-800]);
    const item = await purchaseItem(purchaseId);
    expect(item).toMatchObject({ refundedCents: 40_000, clawedBack: 800 });
    expect(item?.refunds).toHaveLength(1);
  });

  it('gives a campaign back the points of the returned line: its budget and the member’s cap', async () => {
    // Prepare: double points on one sku, a budget of 10,000
    const sku = skus();
    const campaign = await api.call<{ campaignId: string }>('POST', '/v1/admin/campaigns', {
      token: admin,
      body: {
        name: 'line refund campaign',
        targets: { skus: [sku.b] },
        effect: { kind: 'multiplier', multiplier: 2 },
        schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' },
        budgetPoints: 10_000,
      },
    });
    expect(campaign.status, campaign.text).toBe(201);
    const { campaignId } = campaign.body;
    const memberId = uniqueId('line-campaign');
    await registerMember(memberId, {});
    const { purchaseId, pointsEarned } = await buy(memberId, [
      { sku: sku.b, category: 'B', amountCents: 40_000, quantity: 2 },
      { sku: sku.a, category: 'A', amountCents: 60_000, quantity: 1 },
    ]);
    const stats = () => api.call<{ pointsIssued: number; budgetLeft: number }>('GET', `/v1/admin/campaigns/${campaignId}/stats`, { token: admin });
    const before = await stats();

    // Act: one of the two units of B comes back
    const res = await refund(purchaseId, { refundId: 'camp-1', lines: [{ sku: sku.b, quantity: 1 }] });

    // Assess: B earned 400 x 2 (category) x 2 (campaign) = 1,600, 800 of them the campaign's; half of B comes back
    expect(pointsEarned).toBe(2_200);
    expect(before.body).toMatchObject({ pointsIssued: 800, budgetLeft: 9_200 });
    expect(res.body).toMatchObject({ amountCents: 20_000, pointsClawedBack: 800 });
    expect((await stats()).body).toMatchObject({ pointsIssued: 400, budgetLeft: 9_600 });
    const member = await db().send(new GetCommand({ TableName: tableName(), Key: keys.campaign.member(campaignId, memberId), ConsistentRead: true }));
    expect(member.Item?.issued).toBe(400);
    await expectLedgerExplainsWallet(memberId);
  });

  it('refuses a bad refund with a clear 4xx and changes nothing', async () => {
    const memberId = uniqueId('line-bad');
    await registerMember(memberId, {});
    const sku = skus();
    const { purchaseId } = await buy(memberId, [{ sku: sku.a, category: 'A', amountCents: 10_000, quantity: 2 }]);
    const before = await purchaseItem(purchaseId);

    const answers = await Promise.all([
      refund(purchaseId, { refundId: 'bad-1', amountCents: 100, lines: [{ sku: sku.a, quantity: 1 }] }),
      refund(purchaseId, { refundId: 'bad-2' }),
      refund(purchaseId, { refundId: 'bad-3', lines: [{ sku: 'sku-not-on-it', quantity: 1 }] }),
      refund(purchaseId, { refundId: 'bad-4', lines: [{ sku: sku.a, quantity: 1 }, { sku: sku.a, quantity: 1 }] }),
      refund(purchaseId, { refundId: 'bad-5', lines: [{ sku: sku.a, quantity: 3 }] }),
      refund(purchaseId, { refundId: 'bad-6', lines: [] }),
      refund(purchaseId, { refundId: 'bad-7', lines: [{ sku: sku.a, quantity: 0 }] }),
      // A prototype-named key, as JSON text (an object literal's __proto__ would set the prototype, not send a key).
      api.call<RefundAnswer & { code?: string; detail?: string }>('POST', `/v1/pos/purchases/${purchaseId}/refunds`, {
        token: pos,
        headers: { 'content-type': 'application/json' },
        rawBody: `{"refundId":"bad-8","lines":[{"sku":"${sku.a}","quantity":1,"__proto__":{"quantity":2}}]}`,
      }),
    ]);

    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 409, 400, 400, 400]);
    for (const a of answers) expect(a.headers['content-type']).toContain('application/problem+json');
    expect(answers[0]!.text).toContain('either amountCents');
    expect(answers[2]!.body.detail).toContain('sku-not-on-it is not a line of this purchase');
    expect(answers[4]!.body.detail).toContain('only 2 are left to return');
    expect(await purchaseItem(purchaseId)).toEqual(before);
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(100);
  });
});
