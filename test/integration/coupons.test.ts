import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { commit } from '../../shared/ledger/ledger.js';
import { getWallet } from '../../shared/ledger/reader.js';
import { listMemberCoupons, redeemCoupon } from '../../shared/mall/coupons.js';
import { readStock } from '../../shared/mall/stock.js';
import { registerMember } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, testPage, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let admin: string;
let pos: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin');
  pos = await api.registerStore('store-1');
});

interface Order {
  orderId: string;
  memberId: string;
  status: string;
  points: number;
  code?: string | null;
  couponIds?: string[];
}

interface Coupon {
  couponId: string;
  couponTemplateId: string;
  status: string;
  validFrom: string;
  validTo: string;
  orderId: string | null;
  discount: Record<string, unknown>;
}

async function member(points: number): Promise<{ memberId: string; token: string }> {
  const memberId = uniqueId('cpn');
  await registerMember(memberId, { tier: 'normal' });
  if (points > 0) await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
  return { memberId, token: await api.token('member', memberId) };
}

async function product(body: Record<string, unknown>): Promise<string> {
  const productId = uniqueId('vprod');
  const res = await api.call('POST', '/v1/admin/products', {
    token: admin,
    body: { productId, name: 'Virtual product', zone: `z-${ulid().toLowerCase().slice(-10)}`, pricePoints: 100, ...body },
  });
  if (res.status !== 201) throw new Error(`product not created: ${res.text}`);
  return productId;
}

async function template(body: Record<string, unknown>): Promise<string> {
  const couponTemplateId = uniqueId('ct');
  const res = await api.call('POST', '/v1/admin/coupons', {
    token: admin,
    body: { couponTemplateId, name: 'Test coupon', validity: { kind: 'DAYS_AFTER_ISSUE', days: 30 }, ...body },
  });
  if (res.status !== 201) throw new Error(`template not created: ${res.text}`);
  return couponTemplateId;
}

function order(token: string, body: Record<string, unknown>) {
  return api.call<Order>('POST', '/v1/orders', { token, body, headers: { 'idempotency-key': ulid() } });
}

/** A member holding one coupon of a fresh template with `discount`; answers the coupon. */
async function memberWithCoupon(discount: Record<string, unknown>, validity?: Record<string, unknown>) {
  const couponTemplateId = await template({ discount, ...(validity ? { validity } : {}) });
  const productId = await product({ type: 'COUPON', couponTemplateId, initialStock: 10, pricePoints: 50 });
  const m = await member(1000);
  const placed = await order(m.token, { productId });
  expect(placed.status).toBe(201);
  const couponId = placed.body.couponIds?.[0] ?? '';
  return { ...m, couponId, couponTemplateId };
}

function redeem(couponId: string, body: Record<string, unknown>) {
  return api.call<Record<string, unknown>>('POST', `/v1/pos/coupons/${couponId}/redemptions`, { token: pos, body });
}

describe('virtual goods from a code pool', () => {
  it('sells exactly 20 codes over 4 shards to 100 concurrent orders from 50 members, each accepted order with its own code', async () => {
    // Prepare: 20 codes uploaded (and re-uploading some changes nothing)
    const productId = await product({ type: 'VIRTUAL', name: 'Top-up card 10 CNY', stockShards: 4, pricePoints: 200 });
    const codes = Array.from({ length: 20 }, (_, i) => `TOPUP-${ulid()}-${String(i).padStart(2, '0')}`);
    const uploaded = await api.call<{ accepted: number; duplicates: number; stock: { available: number; shards: { available: number }[] } }>(
      'POST',
      `/v1/admin/products/${productId}/codes`,
      { token: admin, body: { codes } },
    );
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toMatchObject({ accepted: 20, duplicates: 0, stock: { available: 20 } });
    expect(uploaded.text).not.toContain(codes[0]);
    const again = await api.call<{ accepted: number; duplicates: number }>('POST', `/v1/admin/products/${productId}/codes`, {
      token: admin,
      body: { codes: codes.slice(0, 5) },
    });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 5 });
    const members = await Promise.all(Array.from({ length: 50 }, () => member(1000)));

    // Act: every member orders twice at once
    const responses = await Promise.all(members.flatMap((m) => [order(m.token, { productId }), order(m.token, { productId })]));

    // Assess: 20 FULFILLED orders, 20 distinct codes, all from the pool; the rest OUT_OF_STOCK
    const accepted = responses.filter((r) => r.status === 201);
    expect(accepted).toHaveLength(20);
    expect(new Set(responses.filter((r) => r.status !== 201).map((r) => `${r.status} ${String((r.body as unknown as { code: string }).code)}`))).toEqual(
      new Set(['409 OUT_OF_STOCK']),
    );
    expect(accepted.every((r) => r.body.status === 'FULFILLED')).toBe(true);
    const delivered = accepted.map((r) => r.body.code);
    expect(new Set(delivered).size).toBe(20);
    expect(new Set(delivered)).toEqual(new Set(codes));
    const stock = await readStock(productId, 4);
    expect(stock).toMatchObject({ available: 0, sold: 20 });
    let spends = 0;
    for (const m of members) {
      const { entries } = await expectLedgerExplainsWallet(m.memberId);
      spends += entries.filter((e) => e.type === 'SPEND').length;
    }
    expect(spends).toBe(20);

    // The code is the owner's: in full for them, masked for operators, absent for anybody else
    const first = accepted[0]?.body as Order;
    const owner = members.find((m) => m.memberId === first.memberId);
    const mine = await api.call<Order>('GET', `/v1/orders/${first.orderId}`, { token: owner?.token ?? '' });
    expect(mine.body.code).toBe(first.code);
    const asOperator = await api.call<Order>('GET', `/v1/admin/orders/${first.orderId}`, { token: admin });
    expect(asOperator.body.code).toMatch(/^\*+.{4}$/);
    expect(asOperator.body.code?.slice(-4)).toBe(first.code?.slice(-4));
    expect(asOperator.text).not.toContain(first.code);
    const stranger = members.find((m) => m.memberId !== first.memberId);
    const theirs = await api.call('GET', `/v1/orders/${first.orderId}`, { token: stranger?.token ?? '' });
    expect(theirs.status).toBe(404);
    expect(theirs.text).not.toContain(first.code);

    // A delivered code cannot be handed back
    const cancel = await api.call<{ code: string }>('POST', `/v1/orders/${first.orderId}/cancel`, { token: owner?.token ?? '' });
    expect(cancel.status, cancel.text).toBe(409);
    expect(cancel.body.code).toBe('CONFLICT');

    // An operator's refund answers the order with the code masked, and so does its replay; the owner still sees it in full
    const key = ulid();
    const refund = () => api.call<Order>('POST', `/v1/admin/orders/${first.orderId}/refund`, { token: admin, body: { reason: 'code did not work' }, headers: { 'idempotency-key': key } });
    for (const answer of [await refund(), await refund()]) {
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toMatchObject({ status: 'REFUNDED', code: expect.stringMatching(/^\*+.{4}$/) });
      expect(answer.text).not.toContain(first.code);
    }
    expect((await api.call<Order>('GET', `/v1/orders/${first.orderId}`, { token: owner?.token ?? '' })).body).toMatchObject({ status: 'REFUNDED', code: first.code });
  }, 120_000);

  it('keeps the code pool and the stock in step: stock of a VIRTUAL product is neither set nor rebalanced, and codes wake a sold-out product', async () => {
    const productId = await product({ type: 'VIRTUAL', stockShards: 2 });
    const set = await api.call<{ code: string }>('PUT', `/v1/admin/products/${productId}/stock`, { token: admin, body: { mode: 'set', quantity: 5 } });
    expect(set.status).toBe(409);
    const rebalance = await api.call('POST', `/v1/admin/products/${productId}/stock/rebalance`, { token: admin, body: {} });
    expect(rebalance.status).toBe(409);
    const m = await member(1000);
    expect((await order(m.token, { productId })).body).toMatchObject({ code: 'OUT_OF_STOCK' });

    await api.call('POST', `/v1/admin/products/${productId}/codes`, { token: admin, body: { codes: [`LATE-${ulid()}`] } });
    const late = await order(m.token, { productId });
    expect(late.status).toBe(201);
    expect(late.body.code).toMatch(/^LATE-/);
    expect((await order(m.token, { productId, quantity: 2 })).status).toBe(400);
  });

  it('refuses codes for a product that is not VIRTUAL, and a VIRTUAL product with initial stock', async () => {
    const physical = await product({ type: 'PHYSICAL', initialStock: 1 });
    const res = await api.call('POST', `/v1/admin/products/${physical}/codes`, { token: admin, body: { codes: ['ABCDEF-1'] } });
    expect(res.status).toBe(409);
    const bad = await api.call('POST', '/v1/admin/products', { token: admin, body: { name: 'Bad virtual', type: 'VIRTUAL', pricePoints: 1, initialStock: 5 } });
    expect(bad.status).toBe(400);
    const noTemplate = await api.call('POST', '/v1/admin/products', { token: admin, body: { name: 'Bad coupon', type: 'COUPON', pricePoints: 1 } });
    expect(noTemplate.status).toBe(400);
    const stray = await api.call('POST', '/v1/admin/products', { token: admin, body: { name: 'Bad physical', type: 'PHYSICAL', pricePoints: 1, couponTemplateId: 'ct-1' } });
    expect(stray.status).toBe(400);
    const unknown = await api.call('POST', '/v1/admin/products', { token: admin, body: { name: 'Ghost coupon', type: 'COUPON', pricePoints: 1, couponTemplateId: 'ct-nowhere' } });
    expect(unknown.status).toBe(404);
  });
});

describe('coupon products', () => {
  it('issues the coupon in the order transaction: FULFILLED at once, listed in /v1/me/coupons with its validity, counted on the template', async () => {
    const couponTemplateId = await template({ name: '20 off 100', discount: { kind: 'AMOUNT_OFF', amountOffCents: 2000, thresholdCents: 10000 } });
    const productId = await product({ type: 'COUPON', couponTemplateId, initialStock: 5, pricePoints: 300 });
    const m = await member(1000);

    const placed = await order(m.token, { productId, quantity: 2 });

    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('FULFILLED');
    expect(placed.body.couponIds).toHaveLength(2);
    const list = await api.call<{ items: Coupon[]; nextCursor: string | null }>('GET', '/v1/me/coupons?limit=1', { token: m.token });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.nextCursor).not.toBeNull();
    const rest = await api.call<{ items: Coupon[] }>('GET', `/v1/me/coupons?cursor=${list.body.nextCursor}`, { token: m.token });
    const all = [...list.body.items, ...rest.body.items];
    expect(all.map((c) => c.couponId)).toEqual([...(placed.body.couponIds ?? [])].reverse());
    const [coupon] = all;
    expect(coupon).toMatchObject({ couponTemplateId, status: 'ACTIVE', orderId: placed.body.orderId, discount: { kind: 'AMOUNT_OFF', amountOffCents: 2000 } });
    expect(Date.parse(coupon?.validTo ?? '') - Date.parse(coupon?.validFrom ?? '')).toBe(30 * 86_400_000);
    const other = await member(0);
    expect((await api.call<{ items: Coupon[] }>('GET', '/v1/me/coupons', { token: other.token })).body.items).toEqual([]);
    const view = await api.call('GET', `/v1/admin/coupons/${couponTemplateId}`, { token: admin });
    expect(view.body).toMatchObject({ issued: 2, used: 0, issueLimit: null });
    const { wallet } = await expectLedgerExplainsWallet(m.memberId);
    expect(wallet.available).toBe(400);
  });

  it('holds the template issue limit under 60 concurrent orders: 10 coupons issued, the rest refused with nothing spent', async () => {
    const couponTemplateId = await template({ discount: { kind: 'NO_THRESHOLD', amountOffCents: 500 }, issueLimit: 10 });
    const productId = await product({ type: 'COUPON', couponTemplateId, initialStock: 100, stockShards: 4, pricePoints: 100 });
    const members = await Promise.all(Array.from({ length: 30 }, () => member(1000)));

    const responses = await Promise.all(members.flatMap((m) => [order(m.token, { productId }), order(m.token, { productId })]));

    expect(responses.filter((r) => r.status === 201)).toHaveLength(10);
    expect(new Set(responses.filter((r) => r.status !== 201).map((r) => (r.body as unknown as { code: string }).code))).toEqual(new Set(['OUT_OF_STOCK']));
    expect((await api.call('GET', `/v1/admin/coupons/${couponTemplateId}`, { token: admin })).body).toMatchObject({ issued: 10, issueLimit: 10 });
    expect((await readStock(productId, 4)).sold).toBe(10);
    let coupons = 0;
    for (const m of members) {
      const { wallet } = await expectLedgerExplainsWallet(m.memberId);
      const held = (await listMemberCoupons(m.memberId, testPage(10))).items.length;
      expect(wallet.available).toBe(1000 - 100 * held);
      coupons += held;
    }
    expect(coupons).toBe(10);
  }, 60_000);

  it('does not issue a coupon whose fixed window has ended', async () => {
    const couponTemplateId = await template({
      discount: { kind: 'NO_THRESHOLD', amountOffCents: 100 },
      validity: { kind: 'WINDOW', from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' },
    });
    const productId = await product({ type: 'COUPON', couponTemplateId, initialStock: 5 });
    const m = await member(1000);
    const res = await order(m.token, { productId });
    expect(res.status).toBe(409);
    expect((res.body as unknown as { code: string }).code).toBe('NOT_ON_SALE');
    expect((await getWallet(m.memberId, 'points')).available).toBe(1000);
  });
});

describe('POS coupon redemption', () => {
  it('refuses an order under the threshold, then takes the amount off once; a replay answers the same; another redemption is refused', async () => {
    const m = await memberWithCoupon({ kind: 'AMOUNT_OFF', amountOffCents: 2000, thresholdCents: 10000 });

    const short = await redeem(m.couponId, { redemptionId: uniqueId('cr'), memberId: m.memberId, orderAmountCents: 9999 });
    expect(short.status).toBe(409);
    expect(short.body).toMatchObject({ code: 'THRESHOLD_NOT_MET' });
    expect(String(short.body.detail)).toContain('at least 10000 cents');

    const redemptionId = uniqueId('cr');
    const ok = await redeem(m.couponId, { redemptionId, memberId: m.memberId, orderAmountCents: 12345 });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ couponId: m.couponId, discountCents: 2000, payableCents: 10345 });

    const replay = await redeem(m.couponId, { redemptionId, memberId: m.memberId, orderAmountCents: 12345 });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(ok.body);
    const reused = await redeem(m.couponId, { redemptionId, memberId: m.memberId, orderAmountCents: 20000 });
    expect(reused.status).toBe(422);
    // The use is recorded with the POS's store; another store's replay of the id is another request.
    const stored = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.coupon(m.memberId, m.couponId), ConsistentRead: true }));
    expect(stored.Item).toMatchObject({ usedAtStore: 'store-1', redemptionId });
    const otherStore = await api.call('POST', `/v1/pos/coupons/${m.couponId}/redemptions`, {
      token: await api.registerStore('store-2'),
      body: { redemptionId, memberId: m.memberId, orderAmountCents: 12345 },
    });
    expect(otherStore.status).toBe(422);
    const second = await redeem(m.couponId, { redemptionId: uniqueId('cr'), memberId: m.memberId, orderAmountCents: 12345 });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'ALREADY_COMPLETED' });

    const used = await api.call<{ items: Coupon[] }>('GET', '/v1/me/coupons?status=USED', { token: m.token });
    expect(used.body.items.map((c) => c.couponId)).toEqual([m.couponId]);
    expect((await api.call<{ items: Coupon[] }>('GET', '/v1/me/coupons?status=ACTIVE', { token: m.token })).body.items).toEqual([]);
    expect((await api.call('GET', `/v1/admin/coupons/${m.couponTemplateId}`, { token: admin })).body).toMatchObject({ issued: 1, used: 1 });
    await expectLedgerExplainsWallet(m.memberId);
  });

  it('consumes a coupon once under 20 concurrent redemptions with different ids', async () => {
    const m = await memberWithCoupon({ kind: 'NO_THRESHOLD', amountOffCents: 500 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => redeem(m.couponId, { redemptionId: uniqueId('cr'), memberId: m.memberId, orderAmountCents: 300 })),
    );
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(1);
    // No threshold, but never more than the order.
    expect(ok[0]?.body).toMatchObject({ discountCents: 300, payableCents: 0 });
    expect(results.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(Array(19).fill('ALREADY_COMPLETED'));
  });

  it('rounds a percentage down to the cent and caps it', async () => {
    const m = await memberWithCoupon({ kind: 'PERCENT_OFF', percent: 15, maxOffCents: 1000 });
    const small = await redeem(m.couponId, { redemptionId: uniqueId('cr'), memberId: m.memberId, orderAmountCents: 999 });
    expect(small.body).toMatchObject({ discountCents: 149, payableCents: 850 });
    const capped = await memberWithCoupon({ kind: 'PERCENT_OFF', percent: 15, maxOffCents: 1000 });
    const big = await redeem(capped.couponId, { redemptionId: uniqueId('cr'), memberId: capped.memberId, orderAmountCents: 100_000 });
    expect(big.body).toMatchObject({ discountCents: 1000 });
  });

  it("answers 404 for another member's coupon and refuses an expired one", async () => {
    const m = await memberWithCoupon({ kind: 'NO_THRESHOLD', amountOffCents: 500 });
    const thief = await member(0);
    const stolen = await redeem(m.couponId, { redemptionId: uniqueId('cr'), memberId: thief.memberId, orderAmountCents: 1000 });
    expect(stolen.status).toBe(404);

    // 31 days on, the 30-day coupon has expired: listed as EXPIRED and refused at the POS
    const later = new Date(Date.now() + 31 * 86_400_000);
    const expired = await listMemberCoupons(m.memberId, { ...testPage(10), status: 'EXPIRED' }, later);
    expect(expired.items.map((c) => c.couponId)).toEqual([m.couponId]);
    await expect(redeemCoupon(m.couponId, { redemptionId: uniqueId('cr'), memberId: m.memberId, orderAmountCents: 1000 }, 'store-1', later)).rejects.toMatchObject({
      code: 'COUPON_NOT_VALID',
    });
    const active = await api.call<{ items: Coupon[] }>('GET', '/v1/me/coupons?status=ACTIVE', { token: m.token });
    expect(active.body.items.map((c) => c.couponId)).toEqual([m.couponId]);
  });
});
